import type { BuildHostReport, ReadinessReport } from '../../shared/contract/index.js';
import { parseEvent } from '../../shared/contract/validate.js';
import { createRealBackend } from '../app/real-backend.js';
import { paint, progressOn, useColour } from './terminal-output.js';

export function formatReport(report: ReadinessReport | BuildHostReport, colour: boolean): string {
  const nameWidth = Math.max(...report.tools.map((t) => t.name.length));
  const versionWidth = Math.max(...report.tools.map((t) => (t.version ?? 'version unknown').length));
  const title = 'node' in report ? `Build host readiness of ${report.node} (${report.hostname})` : `Host readiness on ${report.hostname}`;
  const lines = [title, ''];
  for (const tool of report.tools) {
    const state = tool.found
      ? paint(colour, 32, 'found  ')
      : paint(colour, tool.required ? 31 : 33, tool.required ? 'MISSING' : 'missing');
    const where = tool.found
      ? `${(tool.version ?? 'version unknown').padEnd(versionWidth)}  ${tool.path}`
      : `(Debian package ${tool.debianPackage})`;
    lines.push(`  ${tool.name.padEnd(nameWidth)}  ${state}  ${where}`);
  }
  lines.push('', `  privileges: ${report.privileges.detail}`);
  if (report.installHint) lines.push(`  to install what is missing: ${report.installHint}`);
  lines.push('', report.ready ? 'ready: yes' : 'ready: no');
  return lines.join('\n');
}

/** `slipway doctor`: exit code 1 when a required tool or the build privileges are missing. */
export async function runDoctor(options: { json: boolean; node: string | null }): Promise<number> {
  if (options.node !== null) return runNodeDoctor(options.node, options.json);
  const backend = createRealBackend();
  const progress = progressOn(process.stderr);
  let seen = 0;
  let total = 0;
  const unsubscribe = backend.bus.subscribe((envelope) => {
    const event = parseEvent(envelope);
    if (event.topic === 'readiness.started') total = event.payload.total;
    if (event.topic === 'readiness.tool') progress.update(`checking host tools… ${++seen}/${total}`);
  });
  const report = await backend.handlers['readiness.check']({});
  unsubscribe();
  progress.done();
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report, useColour(process.stdout))}\n`);
  return report.ready ? 0 : 1;
}

/** `slipway doctor --node NODE`: a build host's readiness over SSH; exit 1 when not ready (a node that cannot be checked fails as every command does). */
async function runNodeDoctor(node: string, json: boolean): Promise<number> {
  const backend = createRealBackend({ interactive: false });
  const progress = progressOn(process.stderr);
  progress.update(`checking build host ${node}…`);
  try {
    const report = await backend.handlers['nodes.buildHostReadiness']({ name: node });
    progress.done();
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report, useColour(process.stdout))}\n`);
    return report.ready ? 0 : 1;
  } finally {
    progress.done();
    await backend.close();
  }
}
