import { beforeEach, describe, expect, it } from 'vitest';
import type { ReadinessReport, ToolCheck } from '../../../shared/contract/index.js';
import { summarize, useReadiness } from './readiness-store.js';

const tool = (name: string, found: boolean, required = true): ToolCheck => ({
  name, found, required, path: found ? `/usr/bin/${name}` : null, version: null, debianPackage: name, neededBy: ['builds'], purpose: '',
});

const report = (tools: ToolCheck[]): ReadinessReport => ({
  checkedAt: new Date(0).toISOString(),
  hostname: 'h',
  tools,
  privileges: { uid: 0, user: 'root', elevation: 'root', canBuild: true, detail: '' },
  installHint: null,
  ready: true,
});

describe('readiness store', () => {
  beforeEach(() => useReadiness.setState({ report: null, probe: null, error: null }));

  it('fills a probe tool by tool, then replaces it by the report', () => {
    const { apply } = useReadiness.getState();
    apply({ topic: 'readiness.started', seq: 1, payload: { total: 2 } });
    apply({ topic: 'readiness.tool', seq: 2, payload: tool('gzip', true) });
    apply({ topic: 'readiness.tool', seq: 3, payload: tool('gzip', true) });
    expect(useReadiness.getState().probe).toEqual({ total: 2, tools: [tool('gzip', true)] });
    apply({ topic: 'readiness.report', seq: 4, payload: report([tool('gzip', true), tool('s6', false, false)]) });
    expect(useReadiness.getState().probe).toBeNull();
    expect(useReadiness.getState().report?.tools).toHaveLength(2);
  });

  it('summarizes found and missing tools', () => {
    expect(summarize([tool('a', true), tool('b', false), tool('c', false, false)])).toEqual({ found: 1, missingRequired: 1, missingOptional: 1 });
  });
});

describe('readiness store failure', () => {
  it('ends a probe with the error another client’s check ran into', () => {
    const { apply } = useReadiness.getState();
    apply({ topic: 'readiness.started', seq: 1, payload: { total: 9 } });
    apply({ topic: 'readiness.failed', seq: 2, payload: { message: 'probe timed out' } });
    expect(useReadiness.getState()).toMatchObject({ probe: null, error: 'probe timed out' });
  });
});
