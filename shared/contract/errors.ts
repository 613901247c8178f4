import { z } from 'zod';

export const ErrorCode = z.enum([
  'bad_request', // the payload failed validation
  'unknown_command',
  'failed', // the service ran and reported a failure
  'busy', // what it acts on is taken by a running job (the message names it)
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const CommandError = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Dotted path of the offending field, when the error is about one. */
  field: z.string().optional(),
});
export type CommandError = z.infer<typeof CommandError>;

/** Thrown by services and transports; crosses the wire as a CommandError. */
export class SlipwayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'SlipwayError';
  }

  toWire(): CommandError {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}
