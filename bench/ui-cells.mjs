// bench/ui-cells.mjs: the Cells view of the web console, in Debian's Chromium, against the
// mocked backend's 50,000-instance cell changing in bursts (SLIPWAY_MOCK_CELL_CHANGES apps
// every SLIPWAY_MOCK_CELL_TICK_MS). While bursts land, the page counts long tasks and frame
// times; then scroll and filter are timed from the action to the rows painted (the next
// frame after the DOM shows them), as an operator sees them.
// Standalone (run from the repo root, out/ built) or from bench/ui. Prints a table, then one
// JSON line: {"cells": {...}}.
// BENCH_CELL_CHANGES (1000), BENCH_CELL_TICK_MS (2000), BENCH_SECONDS (20) override the defaults.
import { chromium } from '@playwright/test';
import { launchPage, pageProbe, percentile, startConsole } from './console-under-test.mjs';

const changes = Number(process.env.BENCH_CELL_CHANGES ?? 1_000);
const tickMs = Number(process.env.BENCH_CELL_TICK_MS ?? 2_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);

/** From an action in the page to the frame after `done()` holds: what the operator waits. */
async function timed(page, action, done) {
  return page.evaluate(
    async ({ action, done }) => {
      const act = new Function('return ' + action)();
      const check = new Function('return ' + done)();
      const started = performance.now();
      act();
      while (!check()) await new Promise((resolve) => requestAnimationFrame(resolve));
      await new Promise((resolve) => requestAnimationFrame(resolve));
      return performance.now() - started;
    },
    { action: action.toString(), done: done.toString() },
  );
}

async function run(url) {
  const { browser, page, consoleErrors } = await launchPage(chromium);
  try {
    const frames = { deltas: 0, bytes: 0, max: 0, snapshots: 0 };
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        const text = typeof payload === 'string' ? payload : payload.toString('utf8');
        if (!text.includes('"cells.delta"')) return;
        if (text.includes('"kind":"snapshot"')) frames.snapshots += 1;
        else {
          const bytes = Buffer.byteLength(text);
          frames.deltas += 1;
          frames.bytes += bytes;
          frames.max = Math.max(frames.max, bytes);
        }
      }),
    );
    await page.addInitScript(pageProbe);
    const opened = performance.now();
    await page.goto(url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cells' }).click();
    await page.getByTestId('cell-apps-count').getByText('50,000 apps').waitFor({ timeout: 120_000 });
    const loadSeconds = (performance.now() - opened) / 1000;
    await page.evaluate(() => {
      window.__bench.t0 = performance.now();
      window.__bench.armed = true;
    });
    await page.waitForTimeout(seconds * 1000);
    const during = await page.evaluate(() => {
      window.__bench.armed = false;
      return { longTasks: window.__bench.longTasks, frames: window.__bench.frames };
    });

    // Scroll: far down the 50,000 rows; done when the row at that index is in the page.
    const scrolls = [];
    for (const row of [12_000, 37_000, 49_000, 3_000, 25_000]) {
      scrolls.push(
        await timed(
          page,
          new Function(`return () => { document.querySelector('[data-testid="cell-apps-viewport"]').scrollTop = ${row} * 30; }`)(),
          new Function(`return () => !!document.querySelector('[aria-label="Apps"] [aria-rowindex="${row + 2}"]')`)(),
        ),
      );
    }
    // Filter: a name typed into the instance filter (as an input event, as a keystroke gives it); done when the count says so.
    const filters = [];
    for (const text of ['web.', '#00000012', 'worker', '']) {
      filters.push(
        await timed(
          page,
          new Function(`return () => {
            const input = document.querySelector('input[type="search"]');
            Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, ${JSON.stringify(text)});
            input.dispatchEvent(new Event('input', { bubbles: true }));
          }`)(),
          new Function(`return () => ${text === '' ? '/^[\\d,]+ apps$/' : '/ of [\\d,]+ apps$/'}.test(document.querySelector('[data-testid="cell-apps-count"]').textContent)`)(),
        ),
      );
    }
    const rowsInPage = await page.locator('[aria-label="Apps"] .ctable__body [role="row"]').count();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    return { loadSeconds, during, scrolls, filters, rowsInPage, frames, heapMiB: heap.usedSize / 1024 / 1024, consoleErrors };
  } finally {
    await browser.close();
  }
}

const { child, url } = await startConsole({ SLIPWAY_MOCK_CELL_CHANGES: String(changes), SLIPWAY_MOCK_CELL_TICK_MS: String(tickMs) });
try {
  const r = await run(url);
  const max = (values) => Math.round(Math.max(0, ...values));
  const summary = {
    instances: 50_000,
    changes_per_burst: changes,
    burst_every_ms: tickMs,
    seconds,
    load_s: Number(r.loadSeconds.toFixed(2)),
    delta_frames: r.frames.deltas,
    delta_kb_max: Number((r.frames.max / 1024).toFixed(1)),
    resync_snapshots: Math.max(0, r.frames.snapshots - 1),
    long_tasks: r.during.longTasks.length,
    long_task_max_ms: max(r.during.longTasks),
    raf_p95_ms: Math.round(percentile(r.during.frames, 95)),
    scroll_ms_max: max(r.scrolls),
    filter_ms_max: max(r.filters),
    rows_in_page: r.rowsInPage,
    heap_mib: Number(r.heapMiB.toFixed(1)),
    console_errors: r.consoleErrors.length,
  };
  const rows = [
    ['instances (mocked cell, 500 servers)', summary.instances],
    ['view loaded (click to 50,000 counted), s', summary.load_s],
    [`bursts: ${changes} app changes every ${tickMs} ms for ${seconds} s; delta frames`, summary.delta_frames],
    ['largest delta frame, KB', summary.delta_kb_max],
    ['resync snapshots during bursts', summary.resync_snapshots],
    ['long tasks while bursts land (count, max ms)', `${summary.long_tasks}, ${summary.long_task_max_ms}`],
    ['rAF p95, ms', summary.raf_p95_ms],
    ['scroll to a far row, painted, max of 5, ms', summary.scroll_ms_max],
    ['filter typed, count and rows painted, max of 4, ms', summary.filter_ms_max],
    ['app rows in the page', summary.rows_in_page],
    ['renderer heap after, MiB', summary.heap_mib],
    ['console errors', summary.console_errors],
  ];
  for (const [what, value] of rows) console.log(`${String(what).padEnd(64)} ${value}`);
  console.log('goal: < 300 rows in the page, scroll and filter < 100 ms, no main-thread task > 100 ms when 1,000 changes land');
  console.log(JSON.stringify({ cells: summary }));
} finally {
  child.kill('SIGTERM');
}
