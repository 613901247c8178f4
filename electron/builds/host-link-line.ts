import type { HelperLink } from '../helper/helper-client.js';

/**
 * The log line for a build host's connection dropping or coming back: the two
 * lines bracket the gap, and what follows `back` is the host's own log from
 * the last message this console received, replayed.
 */
export function linkLine(link: HelperLink): string {
  const at = new Date(link.at).toISOString().slice(11, 19);
  if (link.state === 'lost') return `connection to build host ${link.host} lost at ${at} UTC (after message #${link.seq}): the build goes on there; re-attaching`;
  const gap = ((link.gapMs ?? 0) / 1000).toFixed(1);
  const missed = link.missed ? ` (${link.missed} older messages were no longer kept there: not replayed)` : '';
  return `re-attached to build host ${link.host} at ${at} UTC after ${gap} s: its log since message #${link.seq} follows, replayed from its journal${missed}`;
}
