import { describe, expect, it } from 'vitest';
import { expandPaths, parseAppText } from './app-text.js';

describe('application definitions', () => {
  it('parses a NEPI-style definition with defaults filled in', () => {
    const result = parseAppText(`
name: ping-sweep
depends: [iputils-ping]
sources: [/srv/apps/ping-sweep]
build: make -C \${SOURCES}/src
run: \${BUILD}/sweep 10.0.0.0/24
env: { RATE: "10" }
labels: [rack4]
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition).toMatchObject({ name: 'ping-sweep', depends: ['iputils-ping'], buildDepends: [], sudo: false, timeouts: { build: 1800, stop: 10 } });
  });

  it('names every bad field', () => {
    const result = parseAppText('name: Bad Name\nsources: [relative/path]\nenv: { "1X": a }\nbadHostPatterns: ["(unclosed"]\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field).sort()).toEqual(['badHostPatterns.0', 'env.1X', 'name', 'run', 'sources.0'].sort());
    expect(parseAppText('name: a\nrun: x\nbadHostPatterns: ["(unclosed"]\n')).toMatchObject({ ok: false, problems: [{ field: 'badHostPatterns.0' }] });
    expect(parseAppText('name: a\nrun: x\nunknown: 1\n')).toMatchObject({ ok: false });
    expect(parseAppText('- a\n- b\n')).toMatchObject({ ok: false, problems: [{ field: '(definition)' }] });
    expect(parseAppText('name: [\n')).toMatchObject({ ok: false, problems: [{ field: '(yaml)' }] });
  });

  it('expands ${SOURCES} and ${BUILD} as NEPI does', () => {
    expect(expandPaths('cd ${BUILD} && cp ${SOURCES}/a.c .', '/home/op/app')).toBe('cd /home/op/app/build && cp /home/op/app/a.c .');
  });
});
