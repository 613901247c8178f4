/**
 * What the CLI does when its reader goes away (`slipway build … | head`): by
 * default leave quietly, as cat does. A command with work to undo (a build
 * holding loop devices and mounts) registers its own handler instead, so a
 * closed pipe cancels the build and lets its cleanup run.
 */
let handler: (() => void) | null = null;

export function onOutputClosed(next: () => void): () => void {
  handler = next;
  return () => {
    if (handler === next) handler = null;
  };
}

/** Called by the entry point on EPIPE; true when a command took it over. */
export function outputClosed(): boolean {
  if (!handler) return false;
  const current = handler;
  handler = null;
  current();
  return true;
}
