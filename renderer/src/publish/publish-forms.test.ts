import { describe, expect, it } from 'vitest';
import { checkDeployForm, deployFieldOf, emptyDeployForm, formFromDeploy, moveItem, withTargetKind, type DeployFormValues } from './deploy-form.js';
import { checkPublishForm, emptyPublishForm, publishFieldOf } from './publish-form.js';

describe('publish form', () => {
  it('builds a request from a build, taking the default subarch', () => {
    const check = checkPublishForm({ ...emptyPublishForm, buildId: 'b1', subarch: ' ' });
    expect(check).toEqual({ ok: true, request: { target: { arch: 'amd64', subarch: 'generic', release: 'bookworm', purpose: 'install' }, source: { kind: 'build', buildId: 'b1' } } });
  });

  it('puts each problem on its field with the contract’s message', () => {
    const check = checkPublishForm({ ...emptyPublishForm, sourceKind: 'files', kernel: 'vmlinuz', initrd: '/srv/initrd', purpose: 'a/b', release: 'x..y', arch: '' });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.errors).toEqual({ arch: 'required', purpose: expect.stringContaining('one plain name'), release: 'must not contain ".."', kernel: 'must be an absolute path' });
  });

  it('calls an empty file field required, not a wrong path (the operator just switched to files)', () => {
    expect(checkPublishForm({ ...emptyPublishForm, sourceKind: 'files' })).toEqual({ ok: false, errors: { kernel: 'required', initrd: 'required' } });
    const deploy = checkDeployForm({ ...emptyDeployForm, image: 'lab/root', path: ' ' });
    expect(deploy.ok ? null : deploy.errors['target.path']).toBe('required');
  });

  it('asks for a build when none is picked, and maps backend fields to form fields', () => {
    expect(checkPublishForm(emptyPublishForm)).toEqual({ ok: false, errors: { buildId: 'pick a finished build' } });
    expect(publishFieldOf('target.purpose')).toBe('purpose');
    expect(publishFieldOf('source.buildId')).toBe('buildId');
    expect(publishFieldOf('root')).toBeNull();
  });
});

describe('deploy form', () => {
  const form = (change: Partial<DeployFormValues>): DeployFormValues => ({ ...emptyDeployForm, image: 'b1:root', ...change });

  it('builds a request, leaving blank environment rows out', () => {
    const check = checkDeployForm(form({ extensions: ['/x/a.configure'], env: [{ id: 1, name: ' HOSTNAME ', value: 'n1', secret: false }, { id: 2, name: '', value: '', secret: false }] }));
    expect(check).toEqual({ ok: true, request: { image: 'b1:root', extensions: ['/x/a.configure'], env: { HOSTNAME: 'n1' }, secrets: [], target: { kind: 'tar', path: '/srv/deploy/lab-node.tar' }, overwrite: false } });
  });

  it('declares a ticked row secret, unless its name already says so', () => {
    const check = checkDeployForm(
      form({ env: [{ id: 1, name: 'DOOR_CODE', value: '1234', secret: true }, { id: 2, name: 'ROOT_PASSWORD', value: 'x', secret: true }, { id: 3, name: 'HOSTNAME', value: 'n1', secret: false }] }),
    );
    expect(check.ok && check.request.secrets).toEqual(['DOOR_CODE']);
  });

  it('places problems on the image, the environment row and the target', () => {
    const check = checkDeployForm(
      form({ image: '', env: [{ id: 4, name: '1BAD', value: 'x', secret: false }, { id: 5, name: 'A', value: '1', secret: false }, { id: 6, name: 'A', value: '2', secret: false }], targetKind: 'ssh-rsync', node: '', path: 'srv/root' }),
    );
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.errors).toMatchObject({ image: 'pick an image', 'env.4': 'must be an environment variable name', 'env.6': 'A is set twice', 'target.node': 'pick a node', 'target.path': 'must be an absolute path of plain names' });
  });

  it('moves extensions within bounds, and maps backend fields', () => {
    expect(moveItem(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(deployFieldOf('extensions.1')).toBe('extensions');
    expect(deployFieldOf('target.node')).toBe('target.node');
    expect(deployFieldOf('overwrite')).toBeNull();
  });

  it('swaps the example path with the target kind, never a typed one', () => {
    expect(withTargetKind(emptyDeployForm, 'ssh-rsync')).toEqual({ targetKind: 'ssh-rsync', path: '/srv/root' });
    expect(withTargetKind({ targetKind: 'tar', path: '/data/mine.tar' }, 'rawdisk')).toEqual({ targetKind: 'rawdisk' });
  });
});

describe('deploy again', () => {
  it('fills the form as the deploy had it, secrets empty to be typed again', () => {
    expect(formFromDeploy({ image: '20261202-ab12cd34', extensions: ['set-hostname', 'add-users'], target: 'ssh-rsync:rack1-n01:/srv/root' }, { HOSTNAME: 'n1', ROOT_PW: '********' })).toEqual({
      image: '20261202-ab12cd34',
      extensions: ['set-hostname', 'add-users'],
      env: [
        { id: 1, name: 'HOSTNAME', value: 'n1', secret: false },
        { id: 2, name: 'ROOT_PW', value: '', secret: true },
      ],
      targetKind: 'ssh-rsync',
      path: '/srv/root',
      node: 'rack1-n01',
    });
    expect(formFromDeploy({ image: 'x', extensions: [], target: 'tar:/srv/a:b.tar' }, {})).toMatchObject({ targetKind: 'tar', path: '/srv/a:b.tar', node: '', env: [{ name: '', value: '' }] });
  });
});
