import { describe, expect, it } from 'vitest';
import { helperOps } from './helper-protocol.js';

describe('privileged helper protocol', () => {
  it('finding 14: an extension environment cannot set the loader or shell variables', () => {
    const args = (env: Record<string, string>) => helperOps['extension.run'].args.safeParse({ buildId: '20261201-abcdef12', executable: '/ext/x', root: '/w/root', env, timeoutMs: 60_000 });
    for (const name of ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'PATH', 'IFS', 'BASH_ENV', 'ENV', 'BASH_FUNC_x%%', 'NODE_OPTIONS']) expect([name, args({ [name]: '/tmp/evil.so' }).success]).toEqual([name, false]);
    expect(args({ HOSTNAME: 'node7', ROOT_PASSWORD: 'x' }).success).toBe(true);
  });

  it('the deploy request refuses them first, by field', async () => {
    const { DeployRequest } = await import('../../shared/contract/deploy.js');
    const parsed = DeployRequest.safeParse({ image: 'x', extensions: [], env: { LD_PRELOAD: '/tmp/evil.so' }, target: { kind: 'tar', path: '/tmp/x.tar' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['env', 'LD_PRELOAD']);
  });
});
