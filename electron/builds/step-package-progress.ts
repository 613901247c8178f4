import { PackageProgressReader } from '../../shared/builds/package-progress.js';
import type { StepId, StepState } from '../../shared/contract/index.js';
import { updateStep } from '../jobs/step-loop.js';

/**
 * Turns the package lines of a build's debootstrap and install-packages
 * steps into those steps' progress (message and counts), reported like any
 * step change. Used by the real pipeline and the mock alike, so both count
 * the same way.
 */
export class StepPackageProgress {
  private readonly readers: Partial<Record<StepId, PackageProgressReader>> = {
    debootstrap: new PackageProgressReader('debootstrap'),
    'install-packages': new PackageProgressReader('apt'),
  };

  constructor(
    private readonly steps: StepState[],
    private readonly onStep: (step: StepState) => void,
    /** False where the step's progress line is written elsewhere (the mock's scripts): counts only. */
    private readonly messages = true,
  ) {}

  line(step: StepId | null, text: string): void {
    const progress = step ? this.readers[step]?.line(text) : null;
    if (!progress) return;
    const index = this.steps.findIndex((s) => s.id === step);
    // Lines can trail a step that already ended (a helper's buffered output): its final state stands.
    if (this.steps[index]?.status !== 'running') return;
    updateStep({ steps: this.steps, onStep: this.onStep }, index, {
      ...(this.messages ? { message: progress.message } : {}),
      progress: progress.total > 0 ? { done: progress.done, total: progress.total } : null,
    });
  }
}
