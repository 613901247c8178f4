/**
 * A frame's JSON, when the event pump already wrote it: each event is serialised
 * once, when published (its size is what bounds a frame), and the frame's text
 * is those pieces joined. The WebSocket sends that text; IPC clones the object.
 */
const texts = new WeakMap<object, string>();

export function rememberFrameText(frame: object, text: string): void {
  texts.set(frame, text);
}

/** The frame as a WebSocket sends it. */
export function frameText(frame: object): string {
  return texts.get(frame) ?? JSON.stringify(frame);
}
