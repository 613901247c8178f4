import { decodeFinished, decodePlacementBlob, decodePlacementState, decodeRunningHost, decodeServer } from './cell-decode.js';
import { paths, traceShards } from './cell-names.js';
import type { CellStore } from './cell-store.js';
import { pipelined, type Watch, type ZkSession } from './zk-session.js';

/**
 * How each path family of a cell is read into the store. Every read that sets
 * a watch passes `rewatch(reader)`: when the watch fires, the same reader runs
 * again, which reads the new content and sets the next watch (ZooKeeper
 * watches fire once). `full` re-reads the data of children already known
 * (after a reconnect); a watch fire reads only what is new.
 */
export interface FamilyContext {
  session: ZkSession;
  store: CellStore;
  inFlight: number;
  /** A watch that re-runs `reader` (unless the reading generation has moved on) and then flushes changes. */
  rewatch: (reader: () => Promise<void>) => Watch;
}

const child = (parent: string, name: string) => `${parent}/${name}`;

/** Children added and removed since `known`; with `full`, every current child counts as added. */
function diff(known: Iterable<string>, current: string[], full: boolean): { added: string[]; removed: string[] } {
  const before = new Set(known);
  const now = new Set(current);
  return { added: full ? current : current.filter((name) => !before.has(name)), removed: [...before].filter((name) => !now.has(name)) };
}

export async function readServers(ctx: FamilyContext, full: boolean): Promise<void> {
  const { session, store } = ctx;
  const names = (await session.children(paths.servers, ctx.rewatch(() => readServers(ctx, false)))) ?? [];
  const { added, removed } = diff(store.serverHosts(), names, full);
  for (const host of removed) store.setServer(host, undefined);
  const data = await session.dataMany(
    added.map((host) => child(paths.servers, host)),
    (path) => ctx.rewatch(() => readServer(ctx, path.slice(paths.servers.length + 1))),
  );
  added.forEach((host, index) => setServer(ctx, host, data[index]));
}

async function readServer(ctx: FamilyContext, host: string): Promise<void> {
  setServer(ctx, host, await ctx.session.data(child(paths.servers, host), ctx.rewatch(() => readServer(ctx, host))));
}

function setServer(ctx: FamilyContext, host: string, data: Buffer | null | undefined): void {
  const path = child(paths.servers, host);
  if (data === undefined) return ctx.store.setServer(host, undefined);
  const decoded = decodeServer(data);
  ctx.store.setProblem(path, decoded.ok ? null : decoded.problem);
  ctx.store.setServer(host, decoded.ok ? decoded.value : null);
}

/** presence.py:register_server: ephemeral sequential '<host>#<seq>' nodes; their names are all that matters. */
export async function readPresence(ctx: FamilyContext): Promise<void> {
  const names = (await ctx.session.children(paths.presence, ctx.rewatch(() => readPresence(ctx)))) ?? [];
  ctx.store.setPresence(names);
}

export async function readPlacement(ctx: FamilyContext, full: boolean): Promise<void> {
  const { session, store } = ctx;
  const [hosts] = await Promise.all([session.children(paths.placement, ctx.rewatch(() => readPlacement(ctx, false))), readPlacementBlob(ctx)]);
  const { added, removed } = diff(store.placementHosts(), hosts ?? [], full);
  for (const host of removed) {
    store.setPlacementState(host, undefined);
    store.setPlaced(host, undefined);
  }
  const hostPaths = added.map((host) => child(paths.placement, host));
  const hostOf = (path: string) => path.slice(paths.placement.length + 1);
  const [states, placed] = await Promise.all([
    session.dataMany(hostPaths, (path) => ctx.rewatch(() => readPlacementState(ctx, hostOf(path)))),
    session.childrenMany(hostPaths, (path) => ctx.rewatch(() => readPlaced(ctx, hostOf(path))), 100),
  ]);
  added.forEach((host, index) => {
    setPlacementState(ctx, host, states[index]);
    store.setPlaced(host, placed[index] ?? undefined);
  });
}

/** The /placement blob is only checked (scheduler/master.py:_save_placement): the per-host children say where apps are. */
async function readPlacementBlob(ctx: FamilyContext): Promise<void> {
  const data = await ctx.session.data(paths.placement, ctx.rewatch(() => readPlacementBlob(ctx)));
  const decoded = decodePlacementBlob(data ?? null);
  ctx.store.setProblem(paths.placement, decoded.ok ? null : decoded.problem);
}

async function readPlacementState(ctx: FamilyContext, host: string): Promise<void> {
  setPlacementState(ctx, host, await ctx.session.data(child(paths.placement, host), ctx.rewatch(() => readPlacementState(ctx, host))));
}

function setPlacementState(ctx: FamilyContext, host: string, data: Buffer | null | undefined): void {
  const path = child(paths.placement, host);
  if (data === undefined) return ctx.store.setPlacementState(host, undefined);
  const decoded = decodePlacementState(data);
  ctx.store.setProblem(path, decoded.ok ? null : decoded.problem);
  ctx.store.setPlacementState(host, decoded.ok ? decoded.value : null);
}

async function readPlaced(ctx: FamilyContext, host: string): Promise<void> {
  const instances = await ctx.session.children(child(paths.placement, host), ctx.rewatch(() => readPlaced(ctx, host)));
  ctx.store.setPlaced(host, instances ?? undefined);
}

/** /blackedout.servers/<host>: the reason as text (never changed in place: blacking out again recreates it). */
export async function readBlackedOut(ctx: FamilyContext, full: boolean): Promise<void> {
  const { session, store } = ctx;
  const hosts = (await session.children(paths.blackedout, ctx.rewatch(() => readBlackedOut(ctx, false)))) ?? [];
  const { added, removed } = diff(store.blackedOutHosts(), hosts, full);
  for (const host of removed) store.setBlackedOut(host, undefined);
  await pipelined(added, ctx.inFlight, async (host) => {
    const data = await session.data(child(paths.blackedout, host));
    if (data !== undefined) store.setBlackedOut(host, data?.toString('utf8') ?? '');
  });
}

/** /scheduled/<instance>: names only; a manifest is read when one app is shown, not 50,000 at once. */
export async function readScheduled(ctx: FamilyContext): Promise<void> {
  const names = (await ctx.session.children(paths.scheduled, ctx.rewatch(() => readScheduled(ctx)))) ?? [];
  ctx.store.setScheduled(names);
}

/** presence.py:EndpointPresence.register_running: ephemeral /running/<instance>, data the hostname; written once. */
export async function readRunning(ctx: FamilyContext, full: boolean): Promise<void> {
  const { session, store } = ctx;
  const names = (await session.children(paths.running, ctx.rewatch(() => readRunning(ctx, false)))) ?? [];
  const { added, removed } = diff(store.runningInstances(), names, full);
  for (const instance of removed) store.setRunning(instance, undefined);
  const wanted = added.filter((instance) => store.acceptInstance(child(paths.running, instance), instance));
  const data = await session.dataMany(wanted.map((instance) => child(paths.running, instance)));
  wanted.forEach((instance, index) => {
    const found = data[index];
    if (found === undefined) return;
    const host = decodeRunningHost(found);
    store.setProblem(child(paths.running, instance), host.ok ? null : host.problem);
    if (host.ok) store.setRunning(instance, host.value);
  });
}

/** /finished/<instance>: zkutils.put may overwrite it (trace/app/zk.py:publish after the master's 'terminated'): watched. */
export async function readFinished(ctx: FamilyContext, full: boolean): Promise<void> {
  const { session, store } = ctx;
  const names = (await session.children(paths.finished, ctx.rewatch(() => readFinished(ctx, false)))) ?? [];
  const { added, removed } = diff(store.finishedInstances(), names, full);
  for (const instance of removed) store.setFinished(instance, undefined);
  const wanted = added.filter((instance) => store.acceptInstance(child(paths.finished, instance), instance));
  const data = await session.dataMany(
    wanted.map((instance) => child(paths.finished, instance)),
    (path) => ctx.rewatch(() => readFinishedOne(ctx, path.slice(paths.finished.length + 1))),
  );
  wanted.forEach((instance, index) => setFinished(ctx, instance, data[index]));
}

async function readFinishedOne(ctx: FamilyContext, instance: string): Promise<void> {
  const path = child(paths.finished, instance);
  if (!ctx.store.acceptInstance(path, instance)) return;
  setFinished(ctx, instance, await ctx.session.data(path, ctx.rewatch(() => readFinishedOne(ctx, instance))));
}

function setFinished(ctx: FamilyContext, instance: string, data: Buffer | null | undefined): void {
  const path = child(paths.finished, instance);
  if (data === undefined) return ctx.store.setFinished(instance, undefined);
  const decoded = decodeFinished(data);
  ctx.store.setProblem(path, decoded.ok ? null : decoded.problem);
  ctx.store.setFinished(instance, decoded.ok ? decoded.value : undefined);
}

/** The 256 /trace/XXXX shards (zknamespace.py:trace_shards); events are their children's names. */
export async function readTraces(ctx: FamilyContext): Promise<void> {
  const shards = traceShards();
  const names = await ctx.session.childrenMany(
    shards.map((shard) => child(paths.trace, shard)),
    (path) => ctx.rewatch(() => readTraceShard(ctx, path.slice(paths.trace.length + 1))),
  );
  shards.forEach((shard, index) => ctx.store.setTraceShard(shard, names[index] ?? []));
}

async function readTraceShard(ctx: FamilyContext, shard: string): Promise<void> {
  const names = (await ctx.session.children(child(paths.trace, shard), ctx.rewatch(() => readTraceShard(ctx, shard)))) ?? [];
  ctx.store.setTraceShard(shard, names);
}
