import { describe, expect, it } from 'vitest';
import { deployWhereText, type BuildSummary } from '../../shared/contract/index.js';
import { deployableImages } from './deploy-service.js';

const artifact = (image: string, path: string) => ({
  image, path, container: 'gzip' as const, rawSize: 1, rawMd5: 'a'.repeat(32), rawSha256: 'b'.repeat(64), containerSize: 1, containerMd5: 'c'.repeat(32), containerSha256: 'd'.repeat(64),
});
const build = (id: string, patch: Partial<BuildSummary>): BuildSummary => ({
  id, name: 'lab', specHash: 'h', status: 'succeeded', cacheHit: false, startedAt: '2026-12-04T10:00:00.000Z', finishedAt: '2026-12-04T10:05:00.000Z',
  durationMs: 1, failedStep: null, error: null, artifacts: [], metadataPath: null, ...patch,
});

describe('the images a deploy can start from', () => {
  it('lists a build host\'s images, named with their host (their files are the host\'s, not looked for here); a local image only while its file is here', () => {
    const images = deployableImages([
      build('20261204-00000001', { host: 'rack3-n07', artifacts: [artifact('root', '/srv/images/lab.root.img.gz'), artifact('var', '/srv/images/lab.var.img.gz')] }),
      build('20261204-00000002', { artifacts: [artifact('root', '/nonexistent/lab.root.img.gz')] }),
      build('20261204-00000003', { status: 'failed', host: 'rack3-n07', artifacts: [artifact('root', '/srv/x')] }),
    ]);
    expect(images.map(({ ref, name, host }) => ({ ref, name, host }))).toEqual([
      { ref: '20261204-00000001', name: 'lab / root (on rack3-n07)', host: 'rack3-n07' },
      { ref: '20261204-00000001:var', name: 'lab / var (on rack3-n07)', host: 'rack3-n07' },
    ]);
  });

  it('says where a deploy wrote: its target, and the build host it ran on', () => {
    expect(deployWhereText({ target: 'tar:/srv/deploy/n7.tar' })).toBe('tar:/srv/deploy/n7.tar');
    expect(deployWhereText({ target: 'tar:/srv/deploy/n7.tar', host: 'rack3-n07' })).toBe('tar:/srv/deploy/n7.tar on rack3-n07');
  });
});
