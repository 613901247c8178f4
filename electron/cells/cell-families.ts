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
  await pipelined(added, ctx.inFlight, (host) => readServer(ctx, host));
}

async function readServer(ctx: FamilyContext, host: string): Promise<void> {
  const path = child(paths.servers, host);
  const data = await ctx.session.data(path, ctx.rewatch(() => readServer(ctx, host)));
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
  await pipelined(added, ctx.inFlight, (host) => Promise.all([readPlacementState(ctx, host), readPlaced(ctx, host)]));
}

/** The /placement blob is only checked (scheduler/master.py:_save_placement): the per-host children say where apps are. */
async function readPlacementBlob(ctx: FamilyContext): Promise<void> {
  const data = await ctx.session.data(paths.placement, ctx.rewatch(() => readPlacementBlob(ctx)));
  const decoded = decodePlacementBlob(data ?? null);
  ctx.store.setProblem(paths.placement, decoded.ok ? null : decoded.problem);
}

async function readPlacementState(ctx: FamilyContext, host: string): Promise<void> {
  const path = child(paths.placement, host);
  const data = await ctx.session.data(path, ctx.rewatch(() => readPlacementState(ctx, host)));
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
  await pipelined(added, ctx.inFlight, async (instance) => {
    const path = child(paths.running, instance);
    if (!store.acceptInstance(path, instance)) return;
    const data = await session.data(path);
    if (data === undefined) return;
    const host = decodeRunningHost(data);
    store.setProblem(path, host.ok ? null : host.problem);
    if (host.ok) store.setRunning(instance, host.value);
  });
}

/** /finished/<instance>: zkutils.put may overwrite it (trace/app/zk.py:publish after the master's 'terminated'): watched. */
export async function readFinished(ctx: FamilyContext, full: boolean): Promise<void> {
  const { session, store } = ctx;
  const names = (await session.children(paths.finished, ctx.rewatch(() => readFinished(ctx, false)))) ?? [];
  const { added, removed } = diff(store.finishedInstances(), names, full);
  for (const instance of removed) store.setFinished(instance, undefined);
  await pipelined(added, ctx.inFlight, (instance) => readFinishedOne(ctx, instance));
}

async function readFinishedOne(ctx: FamilyContext, instance: string): Promise<void> {
  const path = child(paths.finished, instance);
  if (!ctx.store.acceptInstance(path, instance)) return;
  const data = await ctx.session.data(path, ctx.rewatch(() => readFinishedOne(ctx, instance)));
  if (data === undefined) return ctx.store.setFinished(instance, undefined);
  const decoded = decodeFinished(data);
  ctx.store.setProblem(path, decoded.ok ? null : decoded.problem);
  ctx.store.setFinished(instance, decoded.ok ? decoded.value : undefined);
}

/** The 256 /trace/XXXX shards (zknamespace.py:trace_shards); events are their children's names. */
export async function readTraces(ctx: FamilyContext): Promise<void> {
  await pipelined(traceShards(), ctx.inFlight, (shard) => readTraceShard(ctx, shard));
}

async function readTraceShard(ctx: FamilyContext, shard: string): Promise<void> {
  const names = (await ctx.session.children(child(paths.trace, shard), ctx.rewatch(() => readTraceShard(ctx, shard)))) ?? [];
  ctx.store.setTraceShard(shard, names);
}
