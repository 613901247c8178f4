import { describe, expect, it } from 'vitest';
import { ResidentShell, residentShellCommand } from './resident-shell.js';
import { localShellChannel } from './test-support/local-shell.js';

const open = async (login = '') => new ResidentShell(localShellChannel(residentShellCommand, login));

describe('ResidentShell (a real sh behind it)', () => {
  it('answers each command with its own exit code, stdout and stderr, byte for byte', async () => {
    const shell = await open();
    expect(await shell.run("printf 'no newline'; printf 'e1\\ne2' >&2; exit 3")).toEqual({ code: 3, signal: null, stdout: 'no newline', stderr: 'e1\ne2' });
    expect(await shell.run("printf '\\n\\n'")).toMatchObject({ code: 0, stdout: '\n\n', stderr: '' });
    expect(await shell.run("printf 'é€😀\\n'")).toMatchObject({ stdout: 'é€😀\n' });
    expect(shell.requests).toBe(3);
    shell.close();
  });

  it("leaves the login shell's own output (a chatty rc file) out of every answer", async () => {
    const shell = await open("echo 'Welcome to the lab'; echo 'module: loaded' >&2; printf 'no newline'");
    expect(await shell.run('echo hello')).toMatchObject({ stdout: 'hello\n', stderr: '' });
    shell.close();
  });

  it('carries any text as the command, and a syntax error, exit or exec ends only that command', async () => {
    const shell = await open();
    const text = "a'b\"c $(touch /nonexistent/x) `x` \\ \nSLIPWAY_EOF\n'";
    // The command's own quoting decides: here a single-quoted argument, made by the caller.
    expect((await shell.run(`printf %s '${text.replaceAll("'", "'\\''")}'`)).stdout).toBe(text);
    expect(await shell.run('if then fi (')).toMatchObject({ code: 2 });
    expect(await shell.run("echo 'unterminated")).toMatchObject({ code: 2 });
    expect(await shell.run('exit 9')).toMatchObject({ code: 9 });
    expect(await shell.run('exec true')).toMatchObject({ code: 0 });
    expect(await shell.run('echo still here')).toMatchObject({ code: 0, stdout: 'still here\n' });
    shell.close();
  });

  it('gives a command end of file for stdin, so it cannot read the next commands', async () => {
    const shell = await open();
    expect(await shell.run('cat; echo read-done')).toMatchObject({ code: 0, stdout: 'read-done\n' });
    expect(await shell.run('echo next')).toMatchObject({ stdout: 'next\n' });
    shell.close();
  });

  it('output that imitates the end marker does not end the answer early', async () => {
    const shell = await open();
    const result = await shell.run("printf '\\n0123456789abcdef0123456789abcdef 0\\n'; echo after");
    expect(result.stdout).toBe('\n0123456789abcdef0123456789abcdef 0\nafter\n');
    shell.close();
  });

  it('streams output as it comes, without the marker, and the chunks add up to the answer', async () => {
    const shell = await open();
    const chunks: string[] = [];
    const result = await shell.run('for i in 1 2 3; do echo line $i; sleep 0.05; done; echo err >&2', { onData: (stream, chunk) => chunks.push(`${stream}:${chunk}`) });
    expect(chunks.filter((c) => c.startsWith('out:')).map((c) => c.slice(4)).join('')).toBe(result.stdout);
    expect(chunks.filter((c) => c.startsWith('err:')).map((c) => c.slice(4)).join('')).toBe('err\n');
    expect(chunks.filter((c) => c.startsWith('out:')).length).toBeGreaterThan(1);
    shell.close();
  });

  it('times a command out, and is closed so nothing of it is taken for the next answer', async () => {
    const shell = await open();
    await expect(shell.run('sleep 5', { timeoutMs: 100 })).rejects.toMatchObject({ kind: 'timeout' });
    expect(shell.isClosed).toBe(true);
    await expect(shell.run('true')).rejects.toMatchObject({ kind: 'unreachable' });
  });

  it('a shell lost mid-command answers with what arrived and no exit code', async () => {
    const channel = localShellChannel(residentShellCommand);
    const shell = new ResidentShell(channel);
    expect(await shell.run('echo ready')).toMatchObject({ stdout: 'ready\n' });
    const running = shell.run('echo partial; sleep 5');
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(-channel.pid, 'SIGKILL');
    expect(await running).toMatchObject({ code: null, stdout: 'partial\n' });
    expect(shell.isClosed).toBe(true);
  });

  it('a login shell that never starts is a clear failure of the first command', async () => {
    await expect(new ResidentShell(localShellChannel(residentShellCommand, 'exit 1')).run('true')).rejects.toMatchObject({ kind: 'unreachable' });
    await expect(new ResidentShell(localShellChannel(residentShellCommand, 'sleep 5')).run('true', { timeoutMs: 100 })).rejects.toMatchObject({ kind: 'timeout' });
  });

  it("a background job's late output is no part of the next answer", async () => {
    const shell = await open();
    expect(await shell.run('(sleep 0.2; echo late; echo late >&2) > /dev/stdout 2>/dev/stderr &')).toMatchObject({ code: 0 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await shell.run('echo next')).toMatchObject({ stdout: 'next\n', stderr: '' });
    shell.close();
  });

  it('refuses a command with a NUL byte, which no shell can carry', async () => {
    const shell = await open();
    await expect(shell.run('echo a\0b')).rejects.toThrow(/NUL/);
    expect(await shell.run('echo ok')).toMatchObject({ stdout: 'ok\n' });
    shell.close();
  });
});
