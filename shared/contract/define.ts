import type { z } from 'zod';

/** A request → response pair, declared once and used by both sides. */
export interface CommandSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  response: Res;
}

export function command<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
): CommandSpec<Req, Res> {
  return { request, response };
}
