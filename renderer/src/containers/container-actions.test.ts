import { beforeEach, describe, expect, it } from 'vitest';
import { BackendError } from '../connection/frame-client.js';
import { fakeBackend } from '../test-support/fake-backend.js';
import { actionsFor, needsConfirmation } from './container-action-rules.js';
import { containerId, initialActionsData, selectBusy, selectRefusal, useContainerActions } from './container-actions-store.js';
import { containerScan } from '../test-support/container-fixtures.js';
import { configureNode, exampleManifest, manifestProblems, problemOf } from './container-manifest.js';
import { initialConfigureData, useConfigure } from './configure-store.js';

const key = { node: 'n1', instance: 'proid.web#0000000002', unique: 'proid.web-0000000002-0000000000002' };

describe('manifest checks and action rules', () => {
  it('names every problem by field, from YAML to the one service', () => {
    expect(manifestProblems(exampleManifest)).toEqual([]);
    expect(manifestProblems('')).toEqual([{ field: '(manifest)', message: 'write a manifest' }]);
    expect(manifestProblems('name: [')[0]).toMatchObject({ field: '(yaml)', message: expect.stringMatching(/^not valid YAML \(line \d+\)/) });
    expect(manifestProblems('- a list')[0]!.field).toBe('(manifest)');
    const bad = exampleManifest.replace('environment: dev', 'environment: staging').replace('memory: 256M', 'memory: lots').replace('cpu: 100%\n', '');
    expect(manifestProblems(bad).map((p) => p.field)).toEqual(['environment', 'cpu', 'memory']);
    const twoServices = `${exampleManifest}  - name: second\n    command: exit 0\n`;
    expect(manifestProblems(twoServices)).toEqual([{ field: 'services', message: 'one service per container (several are not supported yet)' }]);
    expect(manifestProblems(exampleManifest.replace('/srv/images', 'srv/images'))).toEqual([{ field: 'image', message: 'must be an absolute path on the node' }]);
    expect(problemOf('proid', 'proid: must be a user name (the proid)')).toEqual({ field: 'proid', message: 'must be a user name (the proid)' });
    expect(problemOf('proid', 'something else')).toEqual({ field: 'proid', message: 'something else' });
  });

  it('picks the operator’s node while it is a Treadmill node, else the first that answered', () => {
    const scans = [containerScan('n0', [], { error: 'connect ECONNREFUSED' }), containerScan('n1', []), containerScan('n2', [])];
    expect(configureNode(scans, null)).toBe('n1');
    expect(configureNode(scans, 'n2')).toBe('n2');
    expect(configureNode(scans, 'gone')).toBe('n1');
    expect(configureNode([], null)).toBeNull();
  });

  it('offers what the state allows; terminate and remove are confirmed', () => {
    expect(actionsFor({ state: 'configured' })).toEqual(['start']);
    expect(actionsFor({ state: 'running' })).toEqual(['stop', 'terminate']);
    expect(actionsFor({ state: 'finished' })).toEqual(['terminate', 'remove']);
    expect(actionsFor({ state: 'killed' })).toEqual(['terminate', 'remove']);
    for (const state of ['aborted', 'terminated', 'cleanup'] as const) expect(actionsFor({ state })).toEqual(['remove']);
    expect(['start', 'stop', 'terminate', 'remove'].filter((a) => needsConfirmation(a as 'start'))).toEqual(['terminate', 'remove']);
  });
});

describe('configure store', () => {
  beforeEach(() => useConfigure.setState(initialConfigureData()));

  it('checks as it is typed, sends a valid manifest, and names what the backend refused', async () => {
    expect(useConfigure.getState()).toMatchObject({ text: exampleManifest, problems: [], open: false });
    const answers: (() => unknown)[] = [
      () => ({ instance: 'proid.web#0000000042', unique: 'proid.web-0000000042-ABCDEFGHIJKLM' }),
      () => {
        throw new BackendError('failed', 'configure nobody.web#0000000043: proid nobody does not exist on this node');
      },
      () => {
        throw new BackendError('bad_request', 'proid: must be a user name (the proid)', 'proid');
      },
    ];
    const requests = fakeBackend(() => answers.shift()!());
    const { setText, submit } = useConfigure.getState();

    setText('name: web');
    expect(useConfigure.getState().problems.map((p) => p.field)).toEqual(['proid', 'environment', 'cpu', 'memory', 'disk', 'image', 'services']);
    expect(await submit('n1')).toBeNull();
    expect(requests).toEqual([]);

    setText(exampleManifest);
    expect(await submit('n1')).toEqual({ node: 'n1', instance: 'proid.web#0000000042', unique: 'proid.web-0000000042-ABCDEFGHIJKLM' });
    expect(requests).toEqual([{ command: 'containers.configure', payload: { node: 'n1', manifest: exampleManifest } }]);
    expect(useConfigure.getState()).toMatchObject({ submitting: false, error: null, made: { instance: 'proid.web#0000000042' } });

    expect(await submit('n1')).toBeNull();
    expect(useConfigure.getState()).toMatchObject({ error: 'configure nobody.web#0000000043: proid nobody does not exist on this node', made: null });
    // Editing clears the refusal: it was about the text that was sent.
    setText(`${exampleManifest}\n`);
    expect(useConfigure.getState().error).toBeNull();

    await submit('n1');
    expect(useConfigure.getState().problems).toEqual([{ field: 'proid', message: 'must be a user name (the proid)' }]);
    expect(useConfigure.getState().error).toBeNull();
  });
});

describe('container actions store', () => {
  beforeEach(() => useContainerActions.setState(initialActionsData()));

  it('runs one action at a time per container, keeps the node’s refusal, and asks before terminate and remove', async () => {
    const answers: ((value: unknown) => void)[] = [];
    const failures: ((error: Error) => void)[] = [];
    const requests = fakeBackend(() => new Promise((resolve, reject) => {
      answers.push(resolve);
      failures.push(reject);
    }));
    const { run, ask, closeConfirm, dismiss } = useContainerActions.getState();
    const id = containerId(key);
    const started = run(key, 'start');
    expect(selectBusy(id)(useContainerActions.getState())).toBe('start');
    // A second click while the first runs does nothing.
    expect(await run(key, 'stop')).toBe(false);
    expect(requests).toEqual([{ command: 'containers.act', payload: { node: 'n1', instance: key.unique, action: 'start' } }]);
    answers[0]!({ done: 'started' });
    expect(await started).toBe(true);
    expect(selectBusy(id)(useContainerActions.getState())).toBeNull();

    const removed = run(key, 'remove');
    failures[1]!(new BackendError('failed', `remove ${key.instance}: ${key.unique} is still in running/: terminate it first`));
    expect(await removed).toBe(false);
    expect(selectRefusal(id)(useContainerActions.getState())).toEqual({ action: 'remove', message: `remove ${key.instance}: ${key.unique} is still in running/: terminate it first` });
    expect(selectRefusal('n2/other')(useContainerActions.getState())).toBeNull();
    // The next action of the container starts without the old refusal.
    const terminated = run(key, 'terminate');
    expect(selectRefusal(id)(useContainerActions.getState())).toBeNull();
    answers[2]!({ done: 'terminated' });
    await terminated;

    ask(key, 'remove');
    expect(useContainerActions.getState().confirming).toEqual({ key, action: 'remove' });
    closeConfirm();
    expect(useContainerActions.getState().confirming).toBeNull();
    useContainerActions.setState({ refused: { [id]: { action: 'stop', message: 'x' } } });
    dismiss(key);
    expect(useContainerActions.getState().refused).toEqual({});
  });
});
