import { describe, expect, it } from 'vitest';
import { OutputWindow } from './output-window.js';

describe('OutputWindow', () => {
  it('pauses once at the high mark and resumes once under the low mark', () => {
    const window = new OutputWindow(100, 40);
    expect(window.sent(60)).toBe(false);
    expect(window.sent(40)).toBe(true);
    expect(window.sent(30)).toBe(false); // already paused: said once
    expect(window.isPaused).toBe(true);
    expect(window.acked(50)).toBe(false); // 80 unacked, still above the low mark
    expect(window.acked(40)).toBe(true); // 40: resume
    expect(window.acked(10)).toBe(false);
    expect(window.isPaused).toBe(false);
    expect(window.unacked).toBe(30);
  });

  it('never counts below zero, whatever the client acks', () => {
    const window = new OutputWindow(100, 40);
    window.sent(10);
    window.acked(1_000_000);
    expect(window.unacked).toBe(0);
    expect(window.sent(99)).toBe(false);
    expect(window.sent(1)).toBe(true);
  });

  it('refuses marks the wrong way round', () => {
    expect(() => new OutputWindow(10, 10)).toThrow(RangeError);
  });
});
