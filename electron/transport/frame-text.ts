/**
 * A frame's JSON, when the event pump already wrote it: each event is serialised
 * and encoded once, when published (its size in bytes is what bounds a frame), and
 * the frame's text is those pieces joined as UTF-8. The WebSocket sends those bytes
 * as a text message; IPC clones the object.
 */
const texts = new WeakMap<object, Buffer>();

export function rememberFrameText(frame: object, text: Buffer): void {
  texts.set(frame, text);
}

/** The frame as a WebSocket sends it (as text: UTF-8 bytes or a string). */
export function frameText(frame: object): Buffer | string {
  return texts.get(frame) ?? JSON.stringify(frame);
}
