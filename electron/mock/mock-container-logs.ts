import type { ContainerRow, containerLogCommands } from '../../shared/contract/index.js';
import { SlipwayError } from '../../shared/contract/index.js';
import type { Handlers } from '../backend/backend.js';
import type { LabContainer, NodeLab } from './mock-container-lab.js';

/**
 * `containers.logs` on the mocked lab: each container's s6-log `current`,
 * written as its service would have. A running service writes a line every
 * `lineMs`; one that ended has its last words. The file is derived lazily
 * from the clock at each read, so a container nobody looks at costs
 * nothing. Like s6-log it rotates `current` at ~100 kB, and, like a real
 * read, only whole lines are returned: the line being written is half in
 * the file until it is done.
 */

export interface MockContainerLogsDeps {
  labs: ReadonlyMap<string, NodeLab>;
  now(): number;
  /** Between two lines of a running service (400 ms unless said: a few a second). */
  lineMs?: number;
}

interface LogFile {
  /** Whole lines only; ASCII, so string offsets are byte offsets. */
  text: string;
  /** The number of the next periodic line. */
  next: number;
  ended: boolean;
}

/** s6-log's default `s99999`: bigger than that, `current` is archived and a new one begun. */
const rotateBytes = 99_999;
/** A first read of a long-lived container starts with this many recent lines: its older ones were rotated away long ago. */
const recentLines = 40;
/** TAI64N counts TAI seconds: 10 s plus the 27 leap seconds since 1972 ahead of UTC, as s6-tai64n writes them. */
const taiMinusUtc = 37;

/** s6-log's `t` stamp for a UTC time in ms. */
export function tai64n(ms: number): string {
  const seconds = Math.floor(ms / 1000) + taiMinusUtc;
  const nanos = (ms - Math.floor(ms / 1000) * 1000) * 1_000_000;
  return `@40000000${seconds.toString(16).padStart(8, '0')}${nanos.toString(16).padStart(8, '0')}`;
}

const chatter = ['GET /healthz 200 0.4ms', 'heartbeat', 'GET /api/items 200 3.1ms', 'flushed 12 records', 'cache hit ratio 0.93'];

function periodic(service: string, n: number): string {
  return `${service}: ${chatter[n % chatter.length]!} seq=${n}`;
}

/** What a service says as it goes: nothing when it was killed outright. */
function lastWords(row: ContainerRow): string[] {
  const rc = /^return code: (\d+)$/.exec(row.summary);
  if (rc) return [`exiting with status ${rc[1]!}`];
  if (row.summary === 'signal: SIGTERM' || row.state === 'terminated') return ['caught SIGTERM, shutting down'];
  return [];
}

export function createMockContainerLogs(deps: MockContainerLogsDeps) {
  const lineMs = deps.lineMs ?? 400;
  const files = new Map<string, LogFile>();

  function find(node: string, instance: string): LabContainer {
    const container = deps.labs.get(node)?.containers.find((c) => c.row.instance === instance || c.row.unique === instance);
    if (!container) throw new SlipwayError('bad_request', `no container ${instance} on ${node}`, 'instance');
    return container;
  }

  function append(file: LogFile, at: number, words: string): void {
    const entry = `${tai64n(at)} ${words}\n`;
    if (file.text.length + entry.length > rotateBytes) file.text = '';
    file.text += entry;
  }

  /** Brings the container's file up to now; null while its service never ran (no `current` yet). */
  function sync(node: string, { row, events }: LabContainer): { file: LogFile; partial: string } | null {
    const startedAt = events.findLast((e) => e.type === 'service_running')?.at;
    if (startedAt === undefined) return null;
    const start = Date.parse(startedAt);
    const running = row.state === 'running';
    const endedAt = running ? null : Date.parse(events.find((e) => e.at > startedAt && e.type !== 'service_running')?.at ?? row.changedAt);
    const until = Math.min(deps.now(), endedAt ?? Number.POSITIVE_INFINITY);
    const service = row.services[0] ?? 'main';
    const key = `${node}\0${row.unique}`;
    let file = files.get(key);
    if (!file) {
      file = { text: '', next: Math.max(1, Math.floor((until - start) / lineMs) - recentLines), ended: false };
      append(file, start, `starting ${service} as ${row.instance}`);
      files.set(key, file);
    }
    for (; start + file.next * lineMs <= until; file.next++) append(file, start + file.next * lineMs, periodic(service, file.next));
    if (endedAt !== null && !file.ended) {
      file.ended = true;
      for (const words of lastWords(row)) append(file, endedAt, words);
    }
    const writing = running ? `${tai64n(start + file.next * lineMs)} ${periodic(service, file.next)}` : '';
    return { file, partial: writing.slice(0, Math.floor(writing.length / 2)) };
  }

  const handlers: Pick<Handlers, keyof typeof containerLogCommands> = {
    'containers.logs': async ({ node, instance, offset }) => {
      const log = sync(node, find(node, instance));
      // As the real read of a missing `current`: nothing yet, the offset kept.
      if (!log) return { text: '', offset, restarted: false };
      const current = log.file.text + log.partial;
      const from = current.length >= offset ? offset : 0;
      const data = current.slice(from);
      const whole = data.lastIndexOf('\n') + 1;
      return { text: data.slice(0, whole), offset: from + whole, restarted: from < offset };
    },
  };

  return { handlers };
}
