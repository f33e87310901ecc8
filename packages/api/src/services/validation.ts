import type { z } from 'zod';
import { validationError, type FieldError } from '../errors.ts';

/**
 * Validates a resolver argument with zod; every issue becomes a field error whose path starts
 * with the argument's name, so a client can put the message next to the right input.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, argName: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: FieldError[] = result.error.issues.map((issue) => ({
    path: [argName, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: issue.message,
  }));
  throw validationError(fields);
}

// Hostnames (RFC 1123 labels) or IPv4/IPv6 literals; no scheme, no port, no path.
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
const IPV6 = /^\[?[0-9a-f:.]+\]?$/i;

export function isHostname(value: string): boolean {
  return HOSTNAME.test(value) || (value.includes(':') && IPV6.test(value));
}

/** Postgres unique violation, as both drivers report it. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
  const code = e?.code ?? e?.cause?.code;
  const name = e?.constraint ?? e?.cause?.constraint;
  return code === '23505' && (!constraint || name === constraint);
}
