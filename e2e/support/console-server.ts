import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const slipway = join(import.meta.dirname, '..', '..', 'bin', 'slipway.mjs');

function withoutForcedColour(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _ignored, ...rest } = env;
  return rest;
}

export interface ConsoleServerOptions {
  mock?: boolean;
  scenario?: string;
  port?: number;
  token?: string;
  /** Extra environment (the real backend's workspace and state directories). */
  env?: Record<string, string>;
}

/**
 * A `slipway start --web` process, as an operator runs it: the test reads the
 * URL it prints. Restartable on the same port, to play a backend that drops.
 */
export class ConsoleServer {
  private child: ChildProcess | null = null;
  url = '';
  port = 0;
  readonly token: string;

  /** The server process, while it runs (its RSS, whether it is still alive). */
  get pid(): number | null {
    return this.child && this.child.exitCode === null && this.child.signalCode === null ? (this.child.pid ?? null) : null;
  }

  constructor(private readonly options: ConsoleServerOptions = {}) {
    this.token = options.token ?? randomBytes(18).toString('base64url');
  }

  async start(overrides: { token?: string } = {}): Promise<string> {
    const args = [slipway, 'start', '--web', '--port', String(this.port || this.options.port || 0)];
    if (this.options.mock) args.push('--mock', '--mock-scenario', this.options.scenario ?? 'default');
    const child = spawn(process.execPath, args, {
      env: { ...withoutForcedColour(process.env), ...this.options.env, SLIPWAY_TOKEN: overrides.token ?? this.token, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child = child;
    const lines = createInterface({ input: child.stdout! });
    this.url = await new Promise<string>((resolve, reject) => {
      // A deadline, not a wait: on a loaded machine (the suite under a CPU hog) a start takes well over 15 s.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('slipway start printed no URL within 45 s'));
      }, 45_000);
      child.once('exit', (code) => reject(new Error(`slipway start exited with ${code}`)));
      lines.on('line', (line) => {
        if (/^http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(line)) {
          clearTimeout(timer);
          resolve(line.trim());
        }
      });
    });
    this.port = Number(new URL(this.url).port);
    return this.url;
  }

  /** Like a crash: no goodbye to the clients. */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.child = null;
  }
}
