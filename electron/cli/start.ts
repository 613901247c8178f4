import { join } from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../backend/app-paths.js';
import type { Backend } from '../backend/backend.js';
import { createRealBackend } from '../app/real-backend.js';
import { createMockBackend } from '../mock/mock-backend.js';
import { startWebConsole } from '../web/web-server.js';
import type { StartArgs } from './args.js';
import { desktopAvailability } from './desktop-availability.js';

const outDir = join(packageRoot(), 'out');
const rendererDir = join(outDir, 'renderer');
const electronMain = join(outDir, 'main', 'index.js');

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);

function desktopFlags(args: StartArgs): string[] {
  return args.mock ? ['--mock', `--mock-scenario=${args.scenario}`] : [];
}

async function runDesktop(binary: string, args: StartArgs): Promise<number> {
  const child = execa(binary, [electronMain, ...desktopFlags(args)], { stdio: 'inherit', reject: false });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  const result = await child;
  return typeof result.exitCode === 'number' ? result.exitCode : 1;
}

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

async function runWeb(backend: Backend, args: StartArgs): Promise<number> {
  if (!loopbackHosts.has(args.host)) {
    console.warn(`warning: --host ${args.host} exposes the console beyond this machine; the token is all that guards it.`);
  }
  backend.start();
  let web;
  try {
    web = await startWebConsole({ backend, rendererDir, host: args.host, port: args.port, token: process.env.SLIPWAY_TOKEN || undefined });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${args.port} is in use (another Slipway?): pass --port N, or --port 0 for a free one` : (error as Error).message;
    console.error(`slipway: cannot serve the web console: ${why}`);
    return 1;
  }
  console.log(`Slipway web console (${backend.kind} backend) on ${args.host}:${web.port}; open this URL:`);
  console.log(web.url);
  await waitForStopSignal();
  await web.close();
  await backend.close();
  return 0;
}

export async function runStart(args: StartArgs): Promise<number> {
  if (!args.web) {
    const desktop = await desktopAvailability();
    if (desktop.ok) return runDesktop(desktop.binary, args);
    console.log(`No desktop window: ${desktop.reason}; serving the web console instead.`);
  }
  const backend = args.mock ? createMockBackend({ scenario: args.scenario }) : createRealBackend();
  return runWeb(backend, args);
}
