import type { ImageSpec } from '../../shared/contract/index.js';

/** sources.list for the image: the main mirror, then each repo. */
export function sourcesList(spec: ImageSpec, mirror: string): string {
  const lines = [`deb ${mirror} ${spec.suite} main`];
  for (const repo of spec.repos) lines.push(`# ${repo.name}`, `deb ${repo.uri} ${repo.suite} ${repo.section}`);
  return `${lines.join('\n')}\n`;
}

/** apt preferences pinning each repo that has a priority, by its URI's host. */
export function aptPreferences(spec: ImageSpec): string | null {
  const pinned = spec.repos.filter((repo) => repo.priority !== null);
  if (pinned.length === 0) return null;
  return pinned
    .map((repo) => [`# ${repo.name}`, 'Package: *', `Pin: origin "${new URL(repo.uri).hostname}"`, `Pin-Priority: ${repo.priority}`].join('\n'))
    .join('\n\n')
    .concat('\n');
}

/** Services never start inside the chroot while packages install. */
export const policyRcD = '#!/bin/sh\n# Written by Slipway while building: no service starts in the image build.\nexit 101\n';

/** Build-time apt settings; verification stays on (fuel-agent turned it off; Slipway does not). */
export const aptBuildConf = [
  'APT::Install-Recommends "false";',
  'APT::Install-Suggests "false";',
  'Dpkg::Options { "--force-confdef"; "--force-confold"; };',
  'Acquire::Retries "3";',
  '',
].join('\n');
