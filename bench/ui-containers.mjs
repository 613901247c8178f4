// bench/ui-containers.mjs: the Containers view of the web console, in Debian's Chromium,
// against the mocked backend (`slipway start --web --mock`) serving 10,000 containers
// (SLIPWAY_MOCK_CONTAINERS) rescanned every second (SLIPWAY_MOCK_CONTAINER_SCAN_MS), each
// rescan changing about ten rows. While rescans land, the table is scrolled as an operator
// would; the page counts long tasks (PerformanceObserver 'longtask'), frame times (rAF) and
// the `containers.delta` frames received (count, bytes).
// Standalone (run from the repo root, out/ built) or from bench/ui. Prints a table, then one
// JSON line: {"containers": {...}}.
// BENCH_CONTAINERS (10000), BENCH_RESCAN_MS (1000), BENCH_SECONDS (20) override the defaults;
// BENCH_SCROLL=0 leaves the table still (long tasks then come from the rescans alone).
import { chromium } from '@playwright/test';
import { launchPage, pageProbe, percentile, startConsole } from './console-under-test.mjs';

const containers = Number(process.env.BENCH_CONTAINERS ?? 10_000);
const rescanMs = Number(process.env.BENCH_RESCAN_MS ?? 1_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const scroll = process.env.BENCH_SCROLL !== '0';
async function run(url) {
  const { browser, page, consoleErrors } = await launchPage(chromium);
  try {
    // Frames that carry containers' deltas and snapshots, as the browser received them.
    const deltas = { snapshots: 0, snapshotBytes: 0, deltas: 0, deltaBytes: 0, maxDeltaBytes: 0, armed: false };
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        const text = typeof payload === 'string' ? payload : payload.toString('utf8');
        if (!deltas.armed || !text.includes('"containers.delta"')) return;
        const bytes = Buffer.byteLength(text);
        if (text.includes('"snapshot"')) {
          deltas.snapshots += 1;
          deltas.snapshotBytes += bytes;
        } else {
          deltas.deltas += 1;
          deltas.deltaBytes += bytes;
          deltas.maxDeltaBytes = Math.max(deltas.maxDeltaBytes, bytes);
        }
      }),
    );
    await page.addInitScript(pageProbe);
    deltas.armed = true;
    const opened = performance.now();
    await page.goto(url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Containers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Containers' }).waitFor();
    // Loaded when the subtitle counts every container.
    await page.getByText(new RegExp(`^${containers.toLocaleString('en')} Treadmill containers`)).waitFor({ timeout: 120_000 });
    const loadSeconds = (performance.now() - opened) / 1000;
    const firstSnapshots = { ...deltas };
    Object.assign(deltas, { deltas: 0, deltaBytes: 0, maxDeltaBytes: 0 });
    await page.evaluate(() => {
      window.__bench.t0 = performance.now();
      window.__bench.armed = true;
    });
    // BENCH_PROFILE=file.cpuprofile: the renderer's CPU profile while rescans land.
    const profiler = process.env.BENCH_PROFILE ? await page.context().newCDPSession(page) : null;
    if (profiler) {
      await profiler.send('Profiler.enable');
      await profiler.send('Profiler.start');
    }
    // Rescans land while the operator scrolls the table down and back.
    const viewport = page.getByTestId('containers-viewport');
    const until = Date.now() + seconds * 1000;
    let step = 0;
    while (Date.now() < until) {
      if (scroll) await viewport.evaluate((el, at) => (el.scrollTop = (at % 40) * 400), step++);
      await page.waitForTimeout(100);
    }
    const result = await page.evaluate(() => {
      window.__bench.armed = false;
      return { longTasks: window.__bench.longTasks, frames: window.__bench.frames };
    });
    if (profiler) {
      const { profile } = await profiler.send('Profiler.stop');
      (await import('node:fs')).writeFileSync(process.env.BENCH_PROFILE, JSON.stringify(profile));
    }
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    return { ...result, loadSeconds, firstSnapshots, deltas, heapMiB: heap.usedSize / 1024 / 1024, consoleErrors };
  } finally {
    await browser.close();
  }
}

const { child, url } = await startConsole({ SLIPWAY_MOCK_CONTAINERS: String(containers), SLIPWAY_MOCK_CONTAINER_SCAN_MS: String(rescanMs) });
try {
  const r = await run(url);
  const summary = {
    containers,
    rescan_ms: rescanMs,
    seconds,
    scrolling: scroll,
    load_s: Number(r.loadSeconds.toFixed(2)),
    snapshot_kb: Number((r.firstSnapshots.snapshotBytes / 1024).toFixed(1)),
    deltas: r.deltas.deltas,
    delta_kb_mean: r.deltas.deltas ? Number((r.deltas.deltaBytes / r.deltas.deltas / 1024).toFixed(2)) : 0,
    delta_kb_max: Number((r.deltas.maxDeltaBytes / 1024).toFixed(2)),
    snapshots_during: r.deltas.snapshots - r.firstSnapshots.snapshots,
    long_tasks: r.longTasks.length,
    long_task_max_ms: Math.round(Math.max(0, ...r.longTasks)),
    raf_p95_ms: Math.round(percentile(r.frames, 95)),
    raf_max_ms: Math.round(Math.max(0, ...r.frames)),
    heap_mib: Number(r.heapMiB.toFixed(1)),
    console_errors: r.consoleErrors.length,
    loadavg: (await import('node:os')).loadavg().map((l) => Number(l.toFixed(2))),
  };
  const rows = [
    ['containers (mocked, 3 nodes)', summary.containers],
    ['view loaded (click to every row counted), s', summary.load_s],
    ['snapshots at load, KB', summary.snapshot_kb],
    [`deltas received in ${seconds} s (rescan every ${rescanMs} ms)`, summary.deltas],
    ['delta frame, KB mean / max', `${summary.delta_kb_mean} / ${summary.delta_kb_max}`],
    ['snapshots (resyncs) during rescans', summary.snapshots_during],
    [`long tasks while rescans land${scroll ? ' and the table scrolls' : ''} (count, max ms)`, `${summary.long_tasks}, ${summary.long_task_max_ms}`],
    ['rAF p95 / max, ms', `${summary.raf_p95_ms} / ${summary.raf_max_ms}`],
    ['renderer heap after, MiB', summary.heap_mib],
    ['console errors', summary.console_errors],
  ];
  for (const [what, value] of rows) console.log(`${what.padEnd(52)} ${value}`);
  console.log('goal: no main-thread task > 50 ms on a rescan');
  console.log(JSON.stringify({ containers: summary }));
} finally {
  child.kill('SIGTERM');
}
