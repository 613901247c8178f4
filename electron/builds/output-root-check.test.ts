import { describe, expect, it } from 'vitest';
import { outputRootProblem } from './output-root-check.js';

describe('output roots while a spec is validated', () => {
  const roots = ['/var/lib/slipway/images', '/srv'];
  it('accepts a root and a folder under it, after resolving dots', () => {
    expect(outputRootProblem('/srv', roots)).toBeNull();
    expect(outputRootProblem('/srv/images/lab', roots)).toBeNull();
    expect(outputRootProblem('/var/lib/slipway/images/./x/', roots)).toBeNull();
  });
  it('refuses a folder outside every root, a sibling with a common prefix, and dots that climb out', () => {
    for (const dir of ['/etc', '/srv2/images', '/srv/../etc', '/var/lib/slipway']) {
      expect(outputRootProblem(dir, roots)).toEqual({ field: 'output.dir', message: expect.stringContaining('not under an allowed output root (/var/lib/slipway/images, /srv;') });
    }
  });
});
