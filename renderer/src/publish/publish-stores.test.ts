import { beforeEach, describe, expect, it } from 'vitest';
import type { DeployDetail, DeployLogLine, DeployStep, DeploySummary, SlipwayEvent, TftpEntry } from '../../../shared/contract/index.js';
import { BackendError } from '../connection/frame-client.js';
import { fakeBackend } from '../test-support/fake-backend.js';
import { initialDeployData, selectSelectedDeploy, useDeploy } from './deploy-store.js';
import { initialPublishData, treeRows, usePublish } from './publish-store.js';
import { toLogBatch } from '../../../shared/contract/log-batch.js';

const entry = (purpose: string, change: Partial<TftpEntry> = {}): TftpEntry => ({
  arch: 'amd64', subarch: 'generic', release: 'bookworm', purpose, version: `${purpose}-${'a'.repeat(16)}`, bytes: 40_000_000,
  publishedAt: '2025-01-14T09:00:00.000Z', source: 'b1', kernelName: 'vmlinuz-6.1.0-27-amd64', retained: 0, rootBytes: null, kept: [], bootEntry: `pxelinux.cfg/amd64-generic-bookworm-${purpose}`, ...change,
});

const summary = (id: string, change: Partial<DeploySummary> = {}): DeploySummary => ({
  id, image: 'b1:root', imagePath: '/var/lib/slipway/images/x/root.img.gz', specHash: 'f'.repeat(64), extensions: [], target: 'tar:/srv/x.tar',
  status: 'running', startedAt: '2025-01-14T09:00:00.000Z', finishedAt: null, durationMs: null, failedStep: null, error: null, output: null, ...change,
});
const steps = (): DeployStep[] => ['open-image', 'mount-lower', 'target'].map((id) => ({ id, label: id, status: 'pending', startedAt: null, durationMs: null, message: null }));
const detail = (id: string): DeployDetail => ({ summary: summary(id), steps: steps(), logTotal: 0, env: { HOSTNAME: 'n1', ROOT_PASSWORD: '********' } });
const lines = (from: number, count: number): DeployLogLine[] => Array.from({ length: count }, (_, i) => ({ n: from + i, step: 'open-image', stream: 'out', text: `line ${from + i}` }));

let seq = 0;
const event = (e: Omit<SlipwayEvent, 'seq'>) => {
  const full = { ...e, seq: ++seq } as SlipwayEvent;
  usePublish.getState().apply(full);
  useDeploy.getState().apply(full);
};

describe('publish store', () => {
  beforeEach(() => usePublish.setState(initialPublishData()));

  it('loads the tree, records a publish and follows publish.changed from anyone', async () => {
    fakeBackend((command) =>
      command === 'publish.tree' ? { root: '/srv/tftp', graceMinutes: 60, entries: [entry('rescue'), entry('install')] } : { status: 'published', entry: entry('lab', { retained: 1 }), pruned: ['lab-old'] },
    );
    await usePublish.getState().load();
    expect(treeRows(usePublish.getState().entries).map((e) => e.purpose)).toEqual(['install', 'rescue']);
    const outcome = await usePublish.getState().publish({ target: { arch: 'amd64', release: 'bookworm', purpose: 'lab' }, source: { kind: 'build', buildId: 'b1' } });
    expect(outcome.ok).toBe(true);
    expect(usePublish.getState().last).toEqual({ status: 'published', key: 'amd64/generic/bookworm/lab', version: entry('lab').version, pruned: ['lab-old'], note: null });
    event({ topic: 'publish.changed', payload: { root: '/srv/tftp', status: 'published', entry: entry('install', { version: 'install-bbbb', retained: 2 }) } });
    expect(usePublish.getState().entries['amd64/generic/bookworm/install']).toMatchObject({ version: 'install-bbbb', retained: 2 });
    expect(Object.keys(usePublish.getState().entries)).toHaveLength(3);
  });

  it('shows one tree at a time: a build host\'s is read from it, a publish of a host\'s image switches to that tree, other trees\' changes are not shown', async () => {
    const asked: unknown[] = [];
    fakeBackend((command, payload) => {
      if (command === 'publish.tree') {
        asked.push(payload);
        const host = (payload as { host?: string }).host;
        return host === undefined ? { root: '/srv/tftp', graceMinutes: 60, entries: [entry('rescue')] } : { root: '/srv/tftp', host, graceMinutes: 60, entries: [] };
      }
      return { status: 'published', entry: entry('lab'), pruned: [], host: 'rack1-n03', root: '/srv/tftp' };
    });
    await usePublish.getState().load();
    await usePublish.getState().publish({ target: { arch: 'amd64', release: 'bookworm', purpose: 'lab' }, source: { kind: 'build', buildId: 'b-on-host' } });
    expect(asked).toEqual([{}, { host: 'rack1-n03' }]);
    expect(usePublish.getState()).toMatchObject({ host: 'rack1-n03', roots: { '': '/srv/tftp', 'rack1-n03': '/srv/tftp' }, last: { key: 'amd64/generic/bookworm/lab' } });
    expect(treeRows(usePublish.getState().entries).map((e) => e.purpose)).toEqual(['lab']);
    // This machine's tree changed meanwhile: not shown under the host's name.
    event({ topic: 'publish.changed', payload: { root: '/srv/tftp', status: 'published', entry: entry('install') } });
    event({ topic: 'publish.changed', payload: { root: '/srv/tftp', host: 'rack1-n03', status: 'published', entry: entry('gpu') } });
    expect(treeRows(usePublish.getState().entries).map((e) => e.purpose)).toEqual(['gpu', 'lab']);
    await usePublish.getState().load(null);
    expect(usePublish.getState()).toMatchObject({ host: null, last: null });
    expect(treeRows(usePublish.getState().entries).map((e) => e.purpose)).toEqual(['rescue']);
  });

  it('hands back the field a refusal names', async () => {
    fakeBackend(() => {
      throw new BackendError('bad_request', 'no build with id x', 'source.buildId');
    });
    const outcome = await usePublish.getState().publish({ target: { arch: 'amd64', release: 'bookworm', purpose: 'lab' }, source: { kind: 'build', buildId: 'x' } });
    expect(outcome).toEqual({ ok: false, message: 'no build with id x', field: 'source.buildId' });
    expect(usePublish.getState().publishing).toBe(false);
  });
});

/** The job part itself (paging, gaps, other jobs' events, the selection check) is tested once, in jobs/job-slice.test.ts. */
describe('deploy store', () => {
  beforeEach(() => {
    useDeploy.setState(initialDeployData());
    fakeBackend((command) => (command === 'deploy.get' ? detail('d1') : command === 'deploy.logs' ? { lines: [], total: 0 } : null));
  });

  it('follows the selected deploy: started, steps, log batches, finished', async () => {
    await useDeploy.getState().select('d1');
    event({ topic: 'deploy.started', payload: detail('d1') });
    const running: DeployStep = { ...steps()[0]!, status: 'running', startedAt: '2025-01-14T09:00:01.000Z', message: 'unpacking: 30%' };
    event({ topic: 'deploy.step', payload: { id: 'd1', step: running } });
    event({ topic: 'deploy.log', payload: toLogBatch('d1', lines(0, 5)) });
    event({ topic: 'deploy.log', payload: toLogBatch('d1', lines(5, 5)) });
    let state = useDeploy.getState();
    expect(state.selected?.steps?.[0]).toEqual(running);
    expect(state.selected?.env).toEqual({ HOSTNAME: 'n1', ROOT_PASSWORD: '********' });
    expect(state.log.all.map((l) => l.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    event({ topic: 'deploy.finished', payload: summary('d1', { status: 'failed', failedStep: 'open-image' }) });
    state = useDeploy.getState();
    expect(selectSelectedDeploy(state)).toMatchObject({ status: 'failed', failedStep: 'open-image' });
  });

  it('reloads the history, the selected deploy and the rest of its log on resync', async () => {
    let served = 3;
    const finished = summary('d1', { status: 'succeeded', finishedAt: '2025-01-14T09:00:04.000Z', durationMs: 4_000 });
    const requests = fakeBackend((command, payload) => {
      if (command === 'deploy.catalog') return { extensionDirs: [], extensions: [], images: [] };
      if (command === 'deploy.list') return [finished];
      if (command === 'deploy.get') return { ...detail('d1'), summary: served > 3 ? finished : summary('d1'), logTotal: served };
      const { from, count } = payload as { from: number; count: number };
      return { lines: lines(from, Math.max(0, Math.min(count, served - from))), total: served };
    });
    await useDeploy.getState().select('d1');
    served = 8;
    await useDeploy.getState().load();
    const state = useDeploy.getState();
    expect(selectSelectedDeploy(state)).toEqual(finished);
    expect(state.log.length).toBe(8);
    expect(requests.filter((r) => r.command === 'deploy.logs').map((r) => (r.payload as { from: number }).from)).toEqual([0, 3]);
  });

  it('reports an existing target as the overwrite field, for the form to ask', async () => {
    fakeBackend(() => {
      throw new BackendError('bad_request', '/srv/x.tar exists already', 'overwrite');
    });
    const outcome = await useDeploy.getState().start({ image: 'b1', extensions: [], target: { kind: 'tar', path: '/srv/x.tar' } });
    expect(outcome).toEqual({ ok: false, message: '/srv/x.tar exists already', field: 'overwrite' });
    expect(useDeploy.getState().starting).toBe(false);
  });
});
