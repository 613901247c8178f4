import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, hostEntryName, keyTypeOf, knownHostsLine, parseKnownHosts, patternsMatch, verifyHostKey } from './known-hosts.js';

/** Real keys and real hashed entries, made by ssh-keygen: OpenSSH is the oracle. */
describe('known_hosts against ssh-keygen', () => {
  let dir: string;
  let keyA: string;
  let keyB: string;
  let fingerprintA: string;

  const makeKey = (name: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
    return readFileSync(join(dir, `${name}.pub`), 'utf8').split(' ')[1]!;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-kh-'));
    keyA = makeKey('a');
    keyB = makeKey('b');
    fingerprintA = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'a.pub')], { encoding: 'utf8' }).split(' ')[1]!;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('computes the fingerprint ssh-keygen prints, and the key type', () => {
    expect(fingerprint(keyA)).toBe(fingerprintA);
    expect(keyTypeOf(keyA)).toBe('ssh-ed25519');
  });

  it('trusts a matching plain entry, reports a changed key and an unknown host', () => {
    const lines = parseKnownHosts(`# comment\nnode1,10.0.0.1 ssh-ed25519 ${keyA}\n[node2]:2222 ssh-ed25519 ${keyA}\n`);
    expect(verifyHostKey(lines, 'node1', 22, 'ssh-ed25519', keyA)).toEqual({ status: 'trusted', line: 2 });
    expect(verifyHostKey(lines, '10.0.0.1', 22, 'ssh-ed25519', keyB)).toEqual({ status: 'changed', line: 2 });
    expect(verifyHostKey(lines, 'node2', 2222, 'ssh-ed25519', keyA)).toEqual({ status: 'trusted', line: 3 });
    expect(verifyHostKey(lines, 'node2', 22, 'ssh-ed25519', keyA)).toEqual({ status: 'unknown' });
    expect(verifyHostKey(lines, 'node1', 22, 'ssh-rsa', 'AAAA')).toEqual({ status: 'unknown' });
  });

  it('matches hashed entries that ssh-keygen -H wrote', () => {
    const file = join(dir, 'known_hosts');
    writeFileSync(file, `${knownHostsLine('node3', 22, keyA)}${knownHostsLine('127.0.0.5', 2200, keyB)}`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file]);
    const lines = parseKnownHosts(readFileSync(file, 'utf8'));
    expect(lines.every((l) => l.patterns.startsWith('|1|'))).toBe(true);
    expect(verifyHostKey(lines, 'node3', 22, 'ssh-ed25519', keyA).status).toBe('trusted');
    expect(verifyHostKey(lines, 'node3', 22, 'ssh-ed25519', keyB).status).toBe('changed');
    expect(verifyHostKey(lines, '127.0.0.5', 2200, 'ssh-ed25519', keyB).status).toBe('trusted');
    expect(verifyHostKey(lines, 'node4', 22, 'ssh-ed25519', keyA).status).toBe('unknown');
  });

  it('honours @revoked and ignores @cert-authority lines for plain keys', () => {
    const lines = parseKnownHosts(`@revoked * ssh-ed25519 ${keyA}\n@cert-authority *.lab ssh-ed25519 ${keyB}\nnode1 ssh-ed25519 ${keyA}\n`);
    expect(verifyHostKey(lines, 'node1', 22, 'ssh-ed25519', keyA).status).toBe('revoked');
    expect(verifyHostKey(lines, 'x.lab', 22, 'ssh-ed25519', keyB).status).toBe('unknown');
  });
});

describe('host patterns', () => {
  it.each([
    ['node*', 'node12', true],
    ['node?', 'node12', false],
    ['*.lab,!bad.lab', 'bad.lab', false],
    ['*.lab,!bad.lab', 'good.lab', true],
    ['NODE1', 'node1', true],
    ['node1', 'node10', false],
  ])('%s matches %s: %s', (patterns, name, expected) => {
    expect(patternsMatch(patterns, name)).toBe(expected);
  });

  it('names hosts on other ports in brackets', () => {
    expect(hostEntryName('a', 22)).toBe('a');
    expect(hostEntryName('a', 2222)).toBe('[a]:2222');
  });
});
