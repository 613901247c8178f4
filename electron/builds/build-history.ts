import { BuildSummary, LogLine, StepState, type BuildDetail } from '../../shared/contract/index.js';
import { JobHistory, type JobShape } from '../jobs/job-history.js';

const buildShape: JobShape<BuildDetail, LogLine> = {
  kind: 'builds',
  id: (detail) => detail.summary.id,
  startedAt: (detail) => detail.summary.startedAt,
  parseDetail: (value) => {
    const raw = value as BuildDetail;
    return { ...raw, summary: BuildSummary.parse(raw.summary), steps: raw.steps.map((s) => StepState.parse(s)) };
  },
  parseLine: (raw) => LogLine.parse(raw),
};

export class BuildHistory extends JobHistory<BuildDetail, LogLine> {
  constructor(stateDir: string) {
    super(stateDir, buildShape);
  }
}
