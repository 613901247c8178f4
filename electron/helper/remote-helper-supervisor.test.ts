import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { processIdentity } from '../process/process-identity.js';
import { leftSessions } from './remote-helper-supervisor.js';

describe('sessions left on build hosts', () => {
  it('are those noted by a console whose process is gone; a live console\'s stay, a damaged note is dropped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-host-sessions-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const note = (session: string, owner: unknown) => writeFileSync(join(dir, `${session}.json`), JSON.stringify({ host: 'rack1-n03', session, owner }));
    note('00000000000000a1', { pid: 2 ** 22 + 7, startTime: '1' });
    note('00000000000000a2', processIdentity());
    writeFileSync(join(dir, '00000000000000a3.json'), '{"host": "rack1-n03", "session": "../../etc"');
    expect(leftSessions(dir)).toEqual([{ host: 'rack1-n03', session: '00000000000000a1', owner: { pid: 2 ** 22 + 7, startTime: '1' }, file: join(dir, '00000000000000a1.json') }]);
    expect(existsSync(join(dir, '00000000000000a3.json'))).toBe(false);
    expect(leftSessions(join(dir, 'none'))).toEqual([]);
  });
});
