import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../process/runner.js';
import { commandError } from './command-error.js';

const result = (patch: Partial<RunResult>): RunResult => ({ exitCode: 1, stdout: '', stderr: '', ...patch });

describe('commandError', () => {
  it.each<[string, Partial<RunResult>, string]>([
    ['the exit code and stderr', { exitCode: 2, stderr: 'mount: /x: wrong fs type\n' }, 'mount failed (exit code 2): mount: /x: wrong fs type'],
    ['stdout when stderr is empty', { exitCode: 100, stdout: 'E: Unable to locate package nope\n' }, 'mount failed (exit code 100): E: Unable to locate package nope'],
    ['stderr over stdout when both have text', { stdout: 'progress', stderr: 'the reason' }, 'mount failed (exit code 1): the reason'],
    ['no colon when the command said nothing', { exitCode: 32 }, 'mount failed (exit code 32)'],
    ['only whitespace counts as nothing', { stderr: '  \n\n' }, 'mount failed (exit code 1)'],
    ['why it did not run, instead of the exit code', { exitCode: null, error: 'spawn mount ENOENT' }, 'mount failed (spawn mount ENOENT)'],
    ['a cancel', { exitCode: null, error: 'cancelled', stderr: 'Terminated' }, 'mount failed (cancelled): Terminated'],
    ['a null exit code with no reason', { exitCode: null }, 'mount failed (exit code null)'],
  ])('carries %s', (_what, patch, message) => {
    const error = commandError('mount', result(patch));
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(message);
  });

  it('keeps only the last five lines of a long output', () => {
    const stderr = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
    expect(commandError('debootstrap', result({ stderr })).message).toBe('debootstrap failed (exit code 1): line 8\nline 9\nline 10\nline 11\nline 12');
  });
});
