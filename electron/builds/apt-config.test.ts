import { describe, expect, it } from 'vitest';
import { ImageSpec, type ImageSpecInput } from '../../shared/contract/index.js';
import { aptBuildConf, aptPreferences, policyRcD, sourcesList } from './apt-config.js';

const spec = (repos: ImageSpecInput['repos'] = []): ImageSpec =>
  ImageSpec.parse({ name: 'lab', suite: 'bookworm', repos, images: [{ name: 'root', size: '1G', mountPoint: '/' }], output: { dir: '/srv/images' } });

const mirror = 'http://deb.debian.org/debian';

describe('sourcesList', () => {
  it('has only the main mirror when there are no repos', () => {
    expect(sourcesList(spec(), mirror)).toBe('deb http://deb.debian.org/debian bookworm main\n');
  });

  it('lists the mirror first, then each repo under a comment with its own suite and sections', () => {
    const text = sourcesList(
      spec([
        { name: 'backports', uri: 'http://deb.debian.org/debian', suite: 'bookworm-backports' },
        { name: 'lab-tools', uri: 'https://apt.lab.example/debian', suite: 'stable', section: 'main contrib', priority: 900 },
      ]),
      'http://mirror.lab.example/debian',
    );
    expect(text).toBe(
      [
        'deb http://mirror.lab.example/debian bookworm main',
        '# backports',
        'deb http://deb.debian.org/debian bookworm-backports main',
        '# lab-tools',
        'deb https://apt.lab.example/debian stable main contrib',
        '',
      ].join('\n'),
    );
  });
});

describe('aptPreferences', () => {
  it('is null when no repo has a priority', () => {
    expect(aptPreferences(spec())).toBeNull();
    expect(aptPreferences(spec([{ name: 'backports', uri: 'http://deb.debian.org/debian', suite: 'bookworm-backports' }]))).toBeNull();
  });

  it('pins each prioritised repo by its host, and only those', () => {
    const text = aptPreferences(
      spec([
        { name: 'lab-tools', uri: 'https://apt.lab.example:8443/debian', suite: 'stable', priority: 990 },
        { name: 'unpinned', uri: 'http://other.example/debian', suite: 'stable' },
        { name: 'held-back', uri: 'http://old.example/repo', suite: 'stable', priority: -1 },
      ]),
    );
    expect(text).toBe(
      [
        '# lab-tools',
        'Package: *',
        'Pin: origin "apt.lab.example"',
        'Pin-Priority: 990',
        '',
        '# held-back',
        'Package: *',
        'Pin: origin "old.example"',
        'Pin-Priority: -1',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('other.example');
  });

  it('pins a priority of 0 (it is a priority, not "none")', () => {
    expect(aptPreferences(spec([{ name: 'zero', uri: 'http://zero.example/debian', suite: 'stable', priority: 0 }]))).toContain('Pin-Priority: 0\n');
  });
});

describe('build-time apt settings', () => {
  it('never turn off verification', () => {
    expect(aptBuildConf).not.toMatch(/AllowUnauthenticated/i);
    expect(aptBuildConf).not.toMatch(/AllowInsecureRepositories|AllowDowngradeToInsecureRepositories/i);
    expect(aptBuildConf).not.toMatch(/check-valid-until/i);
    expect(aptBuildConf).not.toMatch(/trusted\s*=\s*yes/i);
    expect(aptBuildConf).not.toMatch(/allow-unauthenticated|--force-yes|Verify-Peer\s+"false"/i);
  });

  it('keep configuration files and skip recommends, one setting per line, ending in a newline', () => {
    expect(aptBuildConf.split('\n')).toEqual([
      'APT::Install-Recommends "false";',
      'APT::Install-Suggests "false";',
      'Dpkg::Options { "--force-confdef"; "--force-confold"; };',
      'Acquire::Retries "3";',
      '',
    ]);
  });

  it('sources.list never marks a repo trusted', () => {
    const text = sourcesList(spec([{ name: 'lab', uri: 'https://apt.lab.example/debian', suite: 'stable' }]), mirror);
    expect(text).not.toMatch(/trusted|\[/);
  });

  it('policy-rc.d refuses every service start (exit 101)', () => {
    expect(policyRcD.startsWith('#!/bin/sh\n')).toBe(true);
    expect(policyRcD.trimEnd().split('\n').at(-1)).toBe('exit 101');
  });
});
