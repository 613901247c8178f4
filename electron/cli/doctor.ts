import type { ReadinessReport } from '../../shared/contract/index.js';
import { parseEvent } from '../../shared/contract/validate.js';
import { createRealBackend } from '../app/real-backend.js';
import { paint, progressOn, useColour } from './terminal-output.js';

export function formatReport(report: ReadinessReport, colour: boolean): string {
  const nameWidth = Math.max(...report.tools.map((t) => t.name.length));
  const versionWidth = Math.max(...report.tools.map((t) => (t.version ?? 'version unknown').length));
  const lines = [`Host readiness on ${report.hostname}`, ''];
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
export async function runDoctor(options: { json: boolean }): Promise<number> {
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
