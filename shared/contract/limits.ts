import { z } from 'zod';

/**
 * The largest document a request carries (a spec, an application definition,
 * a manifest), in UTF-8 bytes: what the frame limit below is computed from.
 */
export const maxDocumentBytes = 1 << 20;

/**
 * The largest frame a client may send, in bytes. JSON escapes a control
 * character as `\u00XX` (six bytes for one), so a request whose document is
 * at the limit always fits, with room for the rest of the request.
 */
export const maxRequestFrameBytes = maxDocumentBytes * 6 + (1 << 20);

const encoder = new TextEncoder();

/** A document of at most `maxDocumentBytes` in UTF-8 (characters alone would let 4-byte ones through at four times the size). */
export const documentText = z
  .string()
  .max(maxDocumentBytes)
  .refine((text) => encoder.encode(text).length <= maxDocumentBytes, `at most ${maxDocumentBytes / (1 << 20)} MiB of text`);
