// bench/ui-logs.mjs: a build log flood through the web console, in Debian's Chromium, against
// the mocked backend (`slipway start --web --mock`, SLIPWAY_MOCK_FLOOD_LINES lines, unpaced),
// and the same frames from the same backend taken by a raw Node `ws` client (the anchor).
// Run by bench/ui from the repo root, out/ built. Prints a table, then one JSON line
// starting with `ui-logs ` that bench/ui reads for its result line.
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import WebSocket from 'ws';
import { launchPage, percentile, startConsole } from './console-under-test.mjs';

const floodLines = Number(process.env.BENCH_LINES ?? 1_000_000);

const rssMiB = (pid) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
};

/**
 * Installed before the page's own scripts: long tasks, frame times, the log counter and
 * the last row, and nav clicks during the flood, all read in the page so the
 * measurement adds no round trips to the protocol.
 */
function pageProbe() {
  const bench = {
    armed: false,
    t0: 0,
    longTasks: [],
    frames: [],
    counts: [],
    lastRowAt: 0,
    lastRowCount: 0,
    clicks: [],
  };
  window.__bench = bench;
  document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective}`));
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (bench.armed && entry.startTime >= bench.t0) bench.longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });

  const countNow = () => {
    const text = document.querySelector('[data-testid="log-count"]')?.textContent ?? '';
    const match = /^([\d,]+) lines?$/.exec(text);
    return match ? Number(match[1].replace(/,/g, '')) : null;
  };

  // A nav click, from the input's own timestamp (when the browser took it, however long the page
  // kept it waiting) to the moment the view's heading says the view's name.
  document.addEventListener(
    'click',
    (event) => {
      const link = event.target instanceof Element ? event.target.closest('nav a') : null;
      if (!link) return;
      const name = link.textContent.trim();
      const start = event.timeStamp;
      const done = () => {
        const h1 = document.querySelector('h1');
        if (!h1 || !h1.textContent.trim().startsWith(name)) return;
        observer.disconnect();
        bench.clicks.push(performance.now() - start);
      };
      const observer = new MutationObserver(done);
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    },
    true,
  );

  let last = performance.now();
  const frame = (now) => {
    if (bench.armed) {
      bench.frames.push(now - last);
      const count = countNow();
      if (count !== null && count !== bench.counts.at(-1)?.[1]) bench.counts.push([now - bench.t0, count]);
      if (count !== null && count !== bench.lastRowCount && document.querySelector(`.log__row[data-line="${count}"]`)) {
        bench.lastRowCount = count;
        bench.lastRowAt = now - bench.t0;
      }
    }
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function browserFlood(url, total) {
  const { browser, page, consoleErrors } = await launchPage(chromium);
  try {
    await page.addInitScript(pageProbe);
    await page.goto(url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Builds' }).click();
    const editor = page.getByLabel('Image spec (YAML)');
    await editor.waitFor();
    const example = await editor.inputValue();
    await editor.fill(example.replace(/^name: .*$/m, 'name: huge-log'));
    await page.getByText('Valid spec.').waitFor();
    await page.evaluate((expected) => {
      const bench = window.__bench;
      bench.total = expected;
      bench.t0 = performance.now();
      bench.armed = true;
    }, total);
    // BENCH_PROFILE=file.cpuprofile: the renderer's CPU profile of the flood, to see where its time goes.
    const metrics = await page.context().newCDPSession(page);
    await metrics.send('Performance.enable');
    const readMetrics = async () => Object.fromEntries((await metrics.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const before = await readMetrics();
    const profiler = process.env.BENCH_PROFILE ? await page.context().newCDPSession(page) : null;
    if (profiler) {
      await profiler.send('Profiler.enable');
      await profiler.send('Profiler.start');
    }
    await page.getByRole('button', { name: 'Build', exact: true }).click();
    const panel = page.locator('section.build');
    await panel.getByRole('heading', { name: 'huge-log', exact: true }).waitFor();
    // Nav clicks during the flood, as an operator's mouse: away to Nodes and back, at each quarter.
    const nav = page.getByRole('navigation', { name: 'Main' });
    const shown = () => page.evaluate(() => window.__bench.counts.at(-1)?.[1] ?? 0);
    for (const quarter of [0.25, 0.5, 0.75]) {
      while ((await shown()) < total * quarter && (await panel.getAttribute('data-status')) === 'running') await page.waitForTimeout(100);
      if ((await panel.getAttribute('data-status')) !== 'running') break;
      await nav.getByRole('link', { name: 'Nodes' }).click();
      await page.getByRole('heading', { level: 1, name: 'Nodes' }).waitFor();
      await nav.getByRole('link', { name: 'Builds' }).click();
      await panel.waitFor();
    }
    await page.waitForFunction(() => document.querySelector('section.build')?.getAttribute('data-status') === 'succeeded', null, { timeout: 600_000, polling: 250 });
    // Done when the counter has stopped at the build's total and that last line is drawn.
    await page.waitForFunction(
      () => {
        const bench = window.__bench;
        const count = bench.counts.at(-1)?.[1];
        return count !== undefined && bench.lastRowCount === count && count >= bench.total;
      },
      null,
      { timeout: 120_000, polling: 250 },
    );
    const result = await page.evaluate(() => {
      const bench = window.__bench;
      bench.armed = false;
      const count = bench.counts.at(-1)[1];
      const reached = bench.counts.find(([, c]) => c === count)[0];
      return { count, seconds: Math.max(reached, bench.lastRowAt) / 1000, longTasks: bench.longTasks, frames: bench.frames, clicks: bench.clicks };
    });
    const after = await readMetrics();
    const spent = Object.fromEntries(['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'LayoutCount'].map((k) => [k, after[k] - before[k]]));
    if (profiler) {
      const { profile } = await profiler.send('Profiler.stop');
      writeFileSync(process.env.BENCH_PROFILE, JSON.stringify(profile));
    }
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    return { ...result, spent, heapMiB: heap.usedSize / 1024 / 1024, consoleErrors };
  } finally {
    await browser.close();
  }
}

/** The anchor: the same backend's frames to a plain `ws` client that parses each frame and acks it on receipt. */
async function rawFlood(url) {
  const { origin, searchParams } = new URL(url);
  const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api/ws?token=${searchParams.get('token')}`, { maxPayload: 256 << 20 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map();
  const request = (command, payload) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: 'request', id, command, payload }));
    });
  let buildId = null;
  let lines = 0;
  let finishedAt = 0;
  let onFinished = () => {};
  const finished = new Promise((resolve) => (onFinished = resolve));
  const early = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type === 'events') ws.send(JSON.stringify({ type: 'ack', batch: frame.batch }));
    if (frame.type === 'response') {
      const waiter = waiting.get(frame.id);
      waiting.delete(frame.id);
      if (frame.ok) waiter?.resolve(frame.result);
      else waiter?.reject(new Error(frame.error.message));
      return;
    }
    if (frame.type !== 'events') return;
    for (const event of frame.events) {
      if (buildId === null) {
        early.push(event);
        continue;
      }
      take(event);
    }
  });
  const take = (event) => {
    const payload = event.payload;
    if (event.topic === 'builds.log' && payload.id === buildId) lines += payload.texts ? payload.texts.length : payload.lines.length;
    if (event.topic === 'builds.finished' && payload.id === buildId) {
      finishedAt = performance.now();
      onFinished();
    }
  };
  await request('session.hello', {});
  const defaults = await request('builds.defaults', {});
  // Another spec than the browser's (its hostname), so this build is no cache hit.
  const spec = defaults.exampleSpec.replace(/^name: .*$/m, 'name: huge-log').replace(/hostname: .*/, 'hostname: anchor');
  const started = performance.now();
  const { id } = await request('builds.start', { specText: spec });
  buildId = id;
  for (const event of early.splice(0)) take(event);
  await finished;
  ws.close();
  return { lines, seconds: (finishedAt - started) / 1000 };
}

const { child, url } = await startConsole(
  { SLIPWAY_MOCK_FLOOD_LINES: String(floodLines) },
  process.env.BENCH_BACKEND_NODE_ARGS ? process.env.BENCH_BACKEND_NODE_ARGS.split(' ') : [],
);
if (process.env.BENCH_ONLY === 'anchor') {
  // The backend and transport alone (to profile them): the raw client's flood, twice.
  for (let round = 0; round < 2; round += 1) {
    const anchor = await rawFlood(url);
    console.log(`anchor: ${anchor.lines} lines in ${anchor.seconds.toFixed(2)} s`);
  }
  child.kill('SIGTERM');
  process.exit(0);
}
try {
  const expected = floodLines;
  const browser = await browserFlood(url, expected);
  const backendRss = rssMiB(child.pid);
  const anchor = await rawFlood(url);
  const longMax = browser.longTasks.length ? Math.max(...browser.longTasks) : 0;
  const clickMed = percentile(browser.clicks, 50);
  const clickMax = browser.clicks.length ? Math.max(...browser.clicks) : NaN;
  const rows = [
    ['lines in the build log', browser.count.toLocaleString('en-US'), ''],
    ['flood, click to last line shown', browser.seconds.toFixed(2), 's'],
    ['lines/s reaching the view', Math.round(browser.count / browser.seconds).toLocaleString('en-US'), 'goal ≥ 300,000'],
    ['long tasks (count)', String(browser.longTasks.length), 'goal 0 over 50 ms'],
    ['long task max', longMax.toFixed(0), 'ms'],
    ['rAF p95', percentile(browser.frames, 95).toFixed(1), 'ms'],
    ['nav click to heading, median', clickMed.toFixed(0), `ms (${browser.clicks.length} clicks; goal < 100)`],
    ['nav click to heading, max', clickMax.toFixed(0), 'ms'],
    ['renderer main thread busy', browser.spent.TaskDuration.toFixed(2), `s: script ${browser.spent.ScriptDuration.toFixed(2)}, style ${browser.spent.RecalcStyleDuration.toFixed(2)}, layout ${browser.spent.LayoutDuration.toFixed(2)} (${browser.spent.LayoutCount} layouts)`],
    ['renderer heap after (GC)', browser.heapMiB.toFixed(1), 'MiB (goal < 100)'],
    ['backend RSS after', backendRss.toFixed(0), 'MiB'],
    ['console errors at load and after', String(browser.consoleErrors.length), browser.consoleErrors[0]?.slice(0, 60) ?? ''],
    ['anchor: raw ws client, all lines', anchor.seconds.toFixed(2), `s (${anchor.lines.toLocaleString('en-US')} lines)`],
    ['anchor lines/s', Math.round(anchor.lines / anchor.seconds).toLocaleString('en-US'), ''],
  ];
  console.log('\nLog flood (bench/ui-logs.mjs)');
  for (const [what, value, unit] of rows) console.log(`  ${what.padEnd(36)} ${value.padStart(12)}  ${unit}`);
  console.log(`ui-logs ${JSON.stringify({ slipway_s: browser.seconds, anchor_s: anchor.seconds })}`);
} finally {
  child.kill('SIGTERM');
}
