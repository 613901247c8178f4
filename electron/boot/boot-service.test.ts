import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BootRequest, type BuildSummary } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { execaRunner } from '../process/runner.js';
import { createBootService } from './boot-service.js';

const build = (status: BuildSummary['status']): BuildSummary =>
  ({ id: '20261202-aaaa0001', name: 'n', status, artifacts: [{ image: 'root', path: '/nonexistent/root.img' }] }) as unknown as BuildSummary;

describe('boot service', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const service = (builds: BuildSummary[]) =>
    createBootService({ bus: new EventBus(), run: execaRunner, stateDir: dir, builds: () => builds, kernelOf: () => Promise.reject(new Error('not reached')) });

  it('refuses a build that is unknown, did not succeed, or lost its image, before anything runs', () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-boots-'));
    expect(() => service([]).start(BootRequest.parse({ buildId: 'nope' }))).toThrow('no build nope');
    expect(() => service([build('failed')]).start(BootRequest.parse({ buildId: '20261202-aaaa0001' }))).toThrow('did not succeed (failed): nothing to boot');
    expect(() => service([build('succeeded')]).start(BootRequest.parse({ buildId: '20261202-aaaa0001' }))).toThrow("image /nonexistent/root.img is gone");
    expect(BootRequest.safeParse({ buildId: 'x', marker: 'login:\nroot' }).success).toBe(false);
    expect(BootRequest.safeParse({ buildId: 'x', extraArgs: 'quiet\ninit=/bin/sh' }).success).toBe(false);
  });

  it('stops a QEMU a dead Slipway left running, by its pidfile, and removes its working directory', async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-boots-'));
    const work = join(dir, 'boots', 'boot-20261202-deadbeef.work');
    mkdirSync(work, { recursive: true });
    const pidfile = join(work, 'qemu.pid');
    // Stands in for QEMU: a process whose command line names the pidfile, as `-pidfile FILE` does.
    const orphan = spawn('sh', ['-c', 'sleep 60', pidfile], { stdio: 'ignore' });
    const ended = new Promise((resolve) => orphan.on('exit', (_code, signal) => resolve(signal)));
    writeFileSync(pidfile, `${orphan.pid}\n`);
    service([]);
    expect(await ended).toBe('SIGKILL');
    expect(existsSync(work)).toBe(false);
  });
});
