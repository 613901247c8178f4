import { describe, expect, it } from 'vitest';
import { maskedEnvironment } from '../../shared/contract/index.js';
import { deploymentMeta } from './deployment-meta.js';

describe('deployment metadata', () => {
  it('records the image, spec hash and extensions, and masks secret-looking values', () => {
    const meta = deploymentMeta({
      id: 'dep-1',
      version: '0.1.0',
      startedAt: '2026-11-23T10:00:00.000Z',
      image: { ref: '20261123-ab12cd34', path: '/srv/images/root.img.gz', buildId: '20261123-ab12cd34', specHash: 'f'.repeat(64) },
      request: {
        image: '20261123-ab12cd34',
        extensions: ['/ext/set-hostname.configure', '/ext/add-users.configure'],
        env: { HOSTNAME: 'node7', ROOT_PASSWORD: 'hunter2', API_TOKEN: 't0k', SSH_PRIVATE_KEY: 'k', RACK: '4' },
        secrets: [],
        target: { kind: 'tar', path: '/srv/out/node7.tar' },
        overwrite: false,
      },
    });
    expect(meta).toMatchObject({
      deployment_id: 'dep-1',
      build_id: '20261123-ab12cd34',
      spec_sha256: 'f'.repeat(64),
      extensions: [
        { name: 'set-hostname.configure', path: '/ext/set-hostname.configure' },
        { name: 'add-users.configure', path: '/ext/add-users.configure' },
      ],
      environment: { HOSTNAME: 'node7', ROOT_PASSWORD: '********', API_TOKEN: '********', SSH_PRIVATE_KEY: '********', RACK: '4' },
      target: 'tar:/srv/out/node7.tar',
    });
    expect(JSON.stringify(meta)).not.toMatch(/hunter2|t0k/);
  });

  it('finding 8: ROOT_PW, MYSQL_PWD and declared secrets are masked; other values are kept', () => {
    expect(maskedEnvironment({ ROOT_PW: 'a', MYSQL_PWD: 'b', LICENSE: 'c', HOSTNAME: 'n1' }, ['LICENSE'])).toEqual({ ROOT_PW: '********', MYSQL_PWD: '********', LICENSE: '********', HOSTNAME: 'n1' });
  });
});
