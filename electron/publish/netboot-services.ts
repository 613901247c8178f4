import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NetbootServeRequest, SlipwayError, type NetbootService } from '../../shared/contract/index.js';
import { isAlive, processIdentity, type ProcessIdentity } from '../process/process-identity.js';
import type { Runner } from '../process/runner.js';
import { dnsmasqArgs, networkOf } from './dnsmasq-args.js';

/**
 * The netboot services as daemons of Slipway's state directory: dnsmasq
 * (TFTP, PXE) and Slipway's HTTP server, each started detached so it
 * outlives the console or CLI that started it, recorded with its pid and
 * start time (a reused pid is not taken for it), logs in the state directory.
 */
export interface ServiceFiles {
  dir: string;
  record: string;
  dnsmasqLog: string;
  httpLog: string;
  accessLog: string;
  bootedLog: string;
  leases: string;
  pid: string;
}

export function serviceFiles(stateDir: string): ServiceFiles {
  const dir = join(stateDir, 'netboot');
  return {
    dir,
    record: join(dir, 'services.json'),
    dnsmasqLog: join(dir, 'dnsmasq.log'),
    httpLog: join(dir, 'http.log'),
    accessLog: join(dir, 'http-access.jsonl'),
    bootedLog: join(dir, 'booted.jsonl'),
    leases: join(dir, 'dnsmasq.leases'),
    pid: join(dir, 'dnsmasq.pid'),
  };
}

interface Record {
  request: NetbootServeRequest;
  address: string;
  startedAt: string;
  tftp: ProcessIdentity;
  http: ProcessIdentity;
}

export interface ServicesDeps {
  stateDir: string;
  tftpRoot: string;
  run: Runner;
  /** The HTTP server's entry (out/main/netboot-http.js) and the node to run it with. */
  httpMain: string;
  node: string;
  dnsmasq?: string;
  /** How long a service may take to say it is ready. */
  readyMs?: number;
}

/** The last lines of a log file, read from its end (a service's log grows for as long as it runs). */
export function tail(path: string, lines = 30, maxBytes = 64 << 10): string[] {
  try {
    const size = statSync(path).size;
    const fd = openSync(path, 'r');
    try {
      const length = Math.min(size, maxBytes);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      return buffer.toString('utf8').split('\n').filter(Boolean).slice(-lines);
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
}

function readRecord(files: ServiceFiles): Record | null {
  try {
    return JSON.parse(readFileSync(files.record, 'utf8')) as Record;
  } catch {
    return null;
  }
}

function writeRecord(files: ServiceFiles, record: Record | null): void {
  const temp = `${files.record}.tmp-${process.pid}`;
  writeFileSync(temp, JSON.stringify(record));
  renameSync(temp, files.record);
}

/** dnsmasq reads the tree as `nobody`: every directory above the root must let others through. */
function othersCanRead(root: string): string | null {
  for (let dir = root; ; dir = dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return dir;
    } catch {
      return dir;
    }
    if (dir === dirname(dir)) return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createNetbootServices(deps: ServicesDeps) {
  const files = serviceFiles(deps.stateDir);
  const readyMs = deps.readyMs ?? 15_000;

  function state(): { record: Record | null; services: NetbootService[] } {
    const record = readRecord(files);
    const one = (name: 'tftp' | 'http', program: string, log: string, identity: ProcessIdentity | undefined, listening: string): NetbootService => {
      const running = identity !== undefined && isAlive(identity);
      const logTail = tail(log);
      return { name, program, pid: identity?.pid ?? null, running, detail: running ? listening : identity ? `stopped: ${logTail.at(-1) ?? 'no message'}` : 'not started', logTail };
    };
    const where = record ? `${record.address}${record.request.netns ? ` in network namespace ${record.request.netns}` : ''}` : '';
    return {
      record,
      services: [
        one('tftp', 'dnsmasq', files.dnsmasqLog, record?.tftp, record ? `TFTP on ${where} (${record.request.interface}), ${record.request.mode}` : ''),
        one('http', 'slipway netboot-http', files.httpLog, record?.http, record ? `HTTP on ${where}:${record.request.httpPort}` : ''),
      ],
    };
  }

  /** TERM, then KILL after 5 s; only the recorded process (same pid and start time). */
  async function end(identity: ProcessIdentity | undefined): Promise<void> {
    if (!identity || !isAlive(identity)) return;
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(identity.pid, name);
      } catch (error) {
        // Gone between the check and the signal is fine; not ours to signal is the operator's to hear.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw new SlipwayError('failed', `cannot stop pid ${identity.pid}: ${(error as Error).message}`);
      }
    };
    signal('SIGTERM');
    for (let waited = 0; waited < 5_000 && isAlive(identity); waited += 100) await sleep(100);
    if (isAlive(identity)) signal('SIGKILL');
  }

  async function stop(): Promise<void> {
    const record = readRecord(files);
    if (!record) return;
    await Promise.all([end(record.tftp), end(record.http)]);
    writeRecord(files, { ...record });
  }

  /** The interface's first IPv4 address and prefix (`ip -4 -o addr show dev IF`, inside the namespace when there is one). */
  async function addressOf(request: NetbootServeRequest): Promise<{ address: string; prefix: number }> {
    const result = await deps.run('ip', [...(request.netns ? ['-n', request.netns] : []), '-4', '-o', 'addr', 'show', 'dev', request.interface], { quiet: true });
    const addresses = [...result.stdout.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\/(\d+)/g)].map((m) => ({ address: m[1]!, prefix: Number(m[2]) }));
    if (result.exitCode !== 0 || addresses.length === 0) {
      throw new SlipwayError('bad_request', result.exitCode !== 0 ? `no interface ${request.interface}${request.netns ? ` in ${request.netns}` : ''}: ${result.stderr.trim()}` : `${request.interface} has no IPv4 address`, 'interface');
    }
    if (!request.address) return addresses[0]!;
    // Both services bind the address: it must be one of the interface's, and its prefix is the subnet proxy-DHCP answers in.
    const chosen = addresses.find((a) => a.address === request.address);
    if (!chosen) throw new SlipwayError('bad_request', `${request.address} is not an address of ${request.interface} (it has ${addresses.map((a) => a.address).join(', ')})`, 'address');
    return chosen;
  }

  /** Starts one daemon detached, its output into its log; its release (a stop) is recorded before anything else starts. */
  function launch(file: string, args: string[], log: string, netns: string | undefined, env: NodeJS.ProcessEnv = {}): ProcessIdentity {
    writeFileSync(log, '');
    const out = openSync(log, 'a');
    try {
      const [command, ...rest] = netns ? ['ip', 'netns', 'exec', netns, file, ...args] : [file, ...args];
      const child = spawn(command!, rest, { detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...env } });
      child.on('error', () => undefined);
      child.unref();
      const identity = child.pid ? processIdentity(child.pid) : null;
      if (!identity) throw new SlipwayError('failed', `${file} did not start${child.pid ? '' : ' (not installed?)'}`);
      return identity;
    } finally {
      closeSync(out);
    }
  }

  async function ready(identity: ProcessIdentity, log: string, sign: RegExp, what: string): Promise<void> {
    const started = Date.now();
    for (;;) {
      const text = tail(log, 50).join('\n');
      if (sign.test(text)) return;
      if (!isAlive(identity)) throw new SlipwayError('failed', `${what} stopped at once: ${tail(log, 3).join(' / ') || 'no message'}`);
      if (Date.now() - started > readyMs) throw new SlipwayError('failed', `${what} did not report ready within ${readyMs / 1000} s: ${tail(log, 3).join(' / ') || 'no message'}`);
      await sleep(100);
    }
  }

  return {
    files,
    state,
    stop,

    /** (Re)starts both services; throws with the service's own words when one cannot start, and leaves none running then. */
    async serve(request: NetbootServeRequest): Promise<{ address: string }> {
      // dnsmasq reads `--tftp-root=DIR,INTERFACE`: a comma in the root would name an interface.
      if (deps.tftpRoot.includes(',')) throw new SlipwayError('bad_request', `the TFTP root ${deps.tftpRoot} holds a ",", which dnsmasq would read as the end of the path`, 'tftpRoot');
      const blocked = othersCanRead(deps.tftpRoot);
      if (blocked) throw new SlipwayError('bad_request', `${blocked} is not readable by other users: dnsmasq serves the TFTP root as nobody (chmod o+rx it, or pick another root)`, 'tftpRoot');
      try {
        accessSync(deps.tftpRoot, fsConstants.W_OK);
      } catch {
        throw new SlipwayError('bad_request', `the TFTP root ${deps.tftpRoot} is not writable by Slipway`, 'tftpRoot');
      }
      await stop();
      mkdirSync(files.dir, { recursive: true, mode: 0o755 });
      const { address, prefix } = await addressOf(request);
      for (const log of [files.accessLog, files.bootedLog]) if (!existsSync(log)) writeFileSync(log, '');
      // Only this start's lines: the access and boot logs are kept across restarts, capped here.
      for (const log of [files.accessLog, files.bootedLog]) if (statSync(log).size > 8 << 20) truncateSync(log, 0);
      const record: Record = { request, address, startedAt: new Date().toISOString(), tftp: { pid: 0, startTime: '' }, http: { pid: 0, startTime: '' } };
      record.http = launch(deps.node, [deps.httpMain, '--root', deps.tftpRoot, '--address', address, '--port', String(request.httpPort), '--access-log', files.accessLog, '--booted-log', files.bootedLog], files.httpLog, request.netns, { ELECTRON_RUN_AS_NODE: '1' });
      writeRecord(files, record);
      try {
        await ready(record.http, files.httpLog, /^listening on /m, 'the HTTP server');
        record.tftp = launch(deps.dnsmasq ?? 'dnsmasq', dnsmasqArgs(request, { tftpRoot: deps.tftpRoot, log: files.dnsmasqLog, leases: files.leases, pid: files.pid }, networkOf(address, prefix)), files.dnsmasqLog, request.netns);
        writeRecord(files, record);
        await ready(record.tftp, files.dnsmasqLog, /TFTP root is /, 'dnsmasq');
      } catch (error) {
        await stop();
        throw error;
      }
      return { address };
    },
  };
}

export type NetbootServices = ReturnType<typeof createNetbootServices>;
