/** Terminal bytes on the wire are base64: keystrokes and output are opaque, whatever their encoding. */

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

export function base64ToBytes(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const encoder = new TextEncoder();

/**
 * What xterm reports as typed (UTF-8 text, or a binary string for some mouse
 * reports) as base64 pieces of at most `maxBytes` each: a long paste becomes
 * several input frames, in order.
 */
export function inputPieces(data: string, kind: 'text' | 'binary', maxBytes: number): string[] {
  const bytes = kind === 'text' ? encoder.encode(data) : Uint8Array.from(data, (char) => char.charCodeAt(0) & 0xff);
  const pieces: string[] = [];
  for (let at = 0; at < bytes.length; at += maxBytes) pieces.push(bytesToBase64(bytes.subarray(at, at + maxBytes)));
  return pieces;
}
