// bench/cell's node side, bundled by bench/cell (rolldown) from the current sources so the
// real CellReader runs as the app runs it. Modes:
//   write CONN     fills a cell (the layout below) with pipelined creates on one session
//   reader CONN    `cell add` → complete snapshot; then spawns `burst` and times each change to its delta
//   burst CONN     1,000 running apps finish at once (trace event, /finished, /running removed), prints the send times
//   anchor CONN    the same paths read one getChildren/getData at a time on a plain client
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import zookeeper from 'node-zookeeper-client';
import { traceShardOf, traceShards, paths } from '../electron/cells/cell-names.js';
import { CellReader } from '../electron/cells/cell-reader.js';
import { payload } from '../electron/cells/test-support/cell-writer.js';
import { linearWire } from '../electron/cells/zk-wire.js';
import { parseZkUrl } from '../electron/cells/zk-url.js';
import type { CellDelta } from '../shared/contract/cells.js';

const [mode = '', conn = ''] = process.argv.slice(2);
const n = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const servers = n('BENCH_SERVERS', 500);
const running = n('BENCH_RUNNING', 30_000);
const finished = n('BENCH_FINISHED', 15_000);
const pending = n('BENCH_PENDING', 5_000);
const events = n('BENCH_EVENTS', 200_000);
const changes = n('BENCH_CHANGES', 1000);
const now = () => performance.timeOrigin + performance.now();
const host = (i: number) => `node${String(i).padStart(4, '0')}.cell.example`;
const instance = (i: number) => `proid${i % 50}.app${i % 7}#${String(i + 1).padStart(10, '0')}`;
const hostOf = (i: number) => host(i % servers);

function connect(conn: string, fast: boolean): Promise<zookeeper.Client> {
  const client = zookeeper.createClient(conn, { sessionTimeout: 30_000, spinDelay: 200, retries: 0 });
  if (fast) linearWire(client);
  return new Promise((resolve) => {
    client.once('connected', () => resolve(client));
    client.connect();
  });
}

type Cb<T> = (error: Error | zookeeper.Exception | null, result: T) => void;
const call = <T>(run: (done: Cb<T>) => void) => new Promise<T>((resolve, reject) => run((e, r) => (e ? reject(e) : resolve(r))));

/** Runs `jobs` with at most `width` in flight (pipelined on the session). */
async function bounded(count: number, width: number, job: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) await job(next++);
  }));
}

function traceNode(i: number, k: number): string {
  const inst = instance(i);
  const kinds: [string, string][] = [['scheduled', `${hostOf(i)}:schedule`], ['configured', `uniq${k}`], ['service_running', `uniq${k}.main`], ['finished', '0.0']];
  const [type, data] = kinds[k % kinds.length]!;
  return `${paths.trace}/${traceShardOf(inst)}/${inst},${1_700_000_000 + i + k / 10},${hostOf(i)},${type},${data}`;
}

async function write(): Promise<void> {
  const client = await connect(conn, true);
  const create = (path: string, data: unknown, mode = zookeeper.CreateMode.PERSISTENT) => call<string>((done) => client.create(path, payload(data), mode, done));
  for (const path of Object.values(paths)) await create(path, null);
  await Promise.all(traceShards().map((shard) => create(`${paths.trace}/${shard}`, null)));
  await bounded(servers, 500, async (i) => {
    await create(`${paths.servers}/${host(i)}`, { cell: 'bench', partition: '_default', traits: [] });
    await create(`${paths.placement}/${host(i)}`, { state: 'up', since: 1_700_000_000 });
  });
  await bounded(servers, 500, (i) => create(`${paths.presence}/${host(i)}#`, { seen: false }, zookeeper.CreateMode.PERSISTENT_SEQUENTIAL));
  const total = running + finished + pending;
  await bounded(total, 2000, async (i) => {
    const inst = instance(i);
    if (i < running) {
      await create(`${paths.scheduled}/${inst}`, { memory: '100M', cpu: '10%' });
      await create(`${paths.placement}/${hostOf(i)}/${inst}`, { expires: 0, identity: null, identity_count: null });
      await create(`${paths.running}/${inst}`, hostOf(i));
    } else if (i < running + finished) await create(`${paths.finished}/${inst}`, { state: 'finished', when: String(1_700_000_100 + i), host: hostOf(i), data: '0.0' });
    else await create(`${paths.scheduled}/${inst}`, { memory: '100M', cpu: '10%' });
  });
  // Every instance gets events in turn until there are `events` of them (4 kinds, distinct names).
  await bounded(events, 2000, (e) => create(traceNode(e % total, Math.floor(e / total)), null));
  client.close();
}

/** `changes` running apps finish, all sent at once: a trace event and /finished (trace/app/zk.py:publish), /running removed. */
async function burst(): Promise<void> {
  const client = await connect(conn, true);
  const sent: Record<string, number> = {};
  const acked: Record<string, number> = {};
  const first = Number(process.env.BENCH_RUN ?? 0) * changes;
  await bounded(changes, changes, async (k) => {
    const i = first + k;
    const inst = instance(i);
    sent[inst] = now();
    const when = String(1_800_000_000 + i);
    await call((done) => client.create(`${paths.trace}/${traceShardOf(inst)}/${inst},${when},${hostOf(i)},finished,1.0`, payload(null), done));
    await call((done) => client.create(`${paths.finished}/${inst}`, payload({ state: 'finished', when, host: hostOf(i), data: '1.0' }), done));
    // The node's ephemeral /running goes (presence.py:unregister_running); only then does the app read as finished.
    await call<void>((done) => client.remove(`${paths.running}/${inst}`, -1, (error) => done(error, undefined)));
    acked[inst] = now();
  });
  client.close();
  process.stdout.write(JSON.stringify({ sent, acked }));
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

/** The ZooKeeper server's CPU seconds so far (BENCH_ZK_PID, from bench/cell), NaN without it: the other side of the reads on the same 2 cores. */
function zkCpuS(): number {
  const pid = Number(process.env.BENCH_ZK_PID);
  if (!Number.isSafeInteger(pid) || pid <= 0) return NaN;
  try {
    // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks, counted after the ')' that ends the command name.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function reader(): Promise<void> {
  const arrived = new Map<string, number>();
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const onDelta = (delta: CellDelta) => {
    const at = now();
    for (const app of delta.apps.upserted) if (app.state === 'finished' && !arrived.has(app.instance)) arrived.set(app.instance, at);
    if (arrived.size >= changes) done();
  };
  const t0 = now();
  const zk0 = zkCpuS();
  const cell = new CellReader('bench', parseZkUrl(`zookeeper://${conn}`), { connectTimeoutMs: 30_000, onDelta });
  cell.start();
  const snapshot = await cell.ready();
  const snapshotS = (now() - t0) / 1000;
  // CPU time of this process up to the snapshot: less at the mercy of the machine's other work than the wall time.
  const cpu = process.cpuUsage();
  const snapshotCpuS = (cpu.user + cpu.system) / 1e6;
  const snapshotZkCpuS = zkCpuS() - zk0;
  const states: Record<string, number> = {};
  for (const app of snapshot.apps) states[app.state] = (states[app.state] ?? 0) + 1;
  const eventsRead = cell.trace(instance(0)).length;
  const child = spawn(process.execPath, [process.argv[1]!, 'burst', conn], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const timer = setTimeout(done, 30_000);
  await all;
  clearTimeout(timer);
  const { sent, acked } = JSON.parse(out) as Record<'sent' | 'acked', Record<string, number>>;
  const latencies = Object.entries(sent).map(([inst, at]) => (arrived.get(inst) ?? NaN) - at).filter(Number.isFinite);
  // From the change's last write acknowledged (committed in ZooKeeper) to its delta.
  const fromAck = Object.entries(acked).map(([inst, at]) => (arrived.get(inst) ?? NaN) - at).filter(Number.isFinite);
  global.gc?.();
  const rss = process.memoryUsage().rss / 2 ** 20;
  cell.close();
  console.log(JSON.stringify({ snapshotS, snapshotCpuS, snapshotZkCpuS, servers: snapshot.servers.length, apps: snapshot.apps.length, states, problems: snapshot.problems.length, eventsOfFirst: eventsRead, seen: latencies.length, p50: pct(latencies, 50), p99: pct(latencies, 99), ackP50: pct(fromAck, 50), ackP99: pct(fromAck, 99), rssMiB: rss }));
}

/** A plain client, one request at a time: every child list, then every node's data, as the reader reads them. */
async function anchor(): Promise<void> {
  const t0 = now();
  const zk0 = zkCpuS();
  const client = await connect(conn, false);
  const children = (path: string) => call<string[]>((done) => client.getChildren(path, done));
  const data = (path: string) => call<Buffer>((done) => client.getData(path, done));
  let nodes = 0;
  for (const host of await children(paths.servers)) (await data(`${paths.servers}/${host}`), nodes++);
  await children(paths.presence);
  await data(paths.placement);
  for (const host of await children(paths.placement)) {
    await data(`${paths.placement}/${host}`);
    nodes += (await children(`${paths.placement}/${host}`)).length;
  }
  await children(paths.blackedout);
  nodes += (await children(paths.scheduled)).length;
  for (const inst of await children(paths.running)) (await data(`${paths.running}/${inst}`), nodes++);
  for (const inst of await children(paths.finished)) (await data(`${paths.finished}/${inst}`), nodes++);
  for (const shard of traceShards()) nodes += (await children(`${paths.trace}/${shard}`)).length;
  const seconds = (now() - t0) / 1000;
  const zkS = zkCpuS() - zk0;
  client.close();
  console.log(JSON.stringify({ anchorS: seconds, anchorZkCpuS: zkS, nodes }));
}

const modes: Record<string, () => Promise<void>> = { write, burst, reader, anchor };
const run = modes[mode];
if (!run || !conn) {
  console.error('usage: cell-driver write|reader|burst|anchor HOST:PORT');
  process.exit(2);
}
run().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
