// What bench/ui-logs.mjs, bench/ui-containers.mjs and bench/ui-cells.mjs share: the web console started as an
// operator starts it (against the mocked backend), Debian's Chromium flags, a percentile.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Debian's Chromium, kept off the network (its background fetches are refused here, many at a time). */
const chromiumArgs = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** `slipway start --web --port 0 --mock` with `env` added; resolves with its URL (the line starting with http). */
export async function startConsole(env, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, 'bin/slipway.mjs', 'start', '--web', '--port', '0', '--mock'], {
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('slipway start printed no URL within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`slipway start exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('http')) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
  });
  return { child, url };
}

export const percentile = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/** Debian's Chromium with one page, and the console errors it logs (a CSP violation among them). */
export async function launchPage(chromium) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  return { browser, page, consoleErrors };
}

/** Installed before the page's scripts (addInitScript): long tasks and frame times while `window.__bench.armed`. */
export function pageProbe() {
  const bench = { armed: false, t0: 0, longTasks: [], frames: [] };
  window.__bench = bench;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (bench.armed && entry.startTime >= bench.t0) bench.longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
  let last = performance.now();
  const frame = (now) => {
    if (bench.armed) bench.frames.push(now - last);
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

