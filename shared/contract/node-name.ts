import { z } from 'zod';

/** An inventory node's name: also a path segment and a CLI operand, so letters, digits, ".", "_" and "-" only. */
export const NodeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'only letters, digits, ".", "_" and "-", up to 63 characters');
