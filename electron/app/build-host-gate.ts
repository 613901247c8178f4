import type { BuildHostReport, ImageSpec } from '../../shared/contract/index.js';
import { toolCatalog } from '../readiness/tool-catalog.js';

/**
 * What a build host must have for one spec: every tool Host readiness marks
 * required for builds (both bootstraps: mmdebstrap's merged-usr hook runs
 * debootstrap's functions), and zstd when an image is packed with it.
 */
export function toolsNeeded(container: ImageSpec['output']['container']): string[] {
  const required = toolCatalog.filter((tool) => tool.required && tool.neededBy.includes('builds')).map((tool) => tool.name);
  return container === 'zstd' ? [...required, 'zstd'] : required;
}

/** Why a host cannot run a build needing `needs`, with what to do (the Debian packages to install), or null. */
export function gateRefusal(report: BuildHostReport, needs: readonly string[]): string | null {
  if (!report.privileges.canBuild) return `no root there: ${report.privileges.detail}`;
  const missing = report.tools.filter((tool) => needs.includes(tool.name) && !tool.found);
  if (missing.length === 0) return null;
  const packages = [...new Set(missing.map((tool) => tool.debianPackage))];
  return `${missing.map((tool) => tool.name).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed there: apt-get install ${packages.join(' ')} on ${report.node}`;
}
