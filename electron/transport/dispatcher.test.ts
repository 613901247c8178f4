import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../../shared/contract/index.js';
import { createMockBackend } from '../mock/mock-backend.js';
import type { Handlers } from '../backend/backend.js';
import { dispatch } from './dispatcher.js';

const handlers: Handlers = {
  ...createMockBackend().handlers,
  'readiness.check': async () => {
    throw new SlipwayError('failed', 'probe failed');
  },
};

describe('dispatch', () => {
  it('answers a valid request with its result', async () => {
    expect(await dispatch(handlers, 7, 'readiness.get', {})).toEqual({ type: 'response', id: 7, ok: true, result: null });
  });

  it('answers an unknown command without running anything', async () => {
    const frame = await dispatch(handlers, 1, 'rm -rf', {});
    expect(frame).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
  });

  it('answers a bad payload as bad_request', async () => {
    const frame = await dispatch(handlers, 1, 'readiness.get', 'not an object');
    expect(frame).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('carries a service failure with its code and message', async () => {
    const frame = await dispatch(handlers, 2, 'readiness.check', {});
    expect(frame).toEqual({ type: 'response', id: 2, ok: false, error: { code: 'failed', message: 'probe failed' } });
  });
});
