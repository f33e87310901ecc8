import { catalogOf, isTextCode, placeholdersOf, type ServerText, type TextCode, type TextParamValue } from '@correio/texts';
import { z } from 'zod';
import { fieldError, validationError } from '../errors.ts';

/**
 * A schema's own message for a check, as a catalogue code: `.min(1, says('validation.name'))`.
 * `parseInput` words it, filling its placeholders from the issue ({minimum}, {maximum}, …) and
 * from a custom issue's `params`.
 */
/** An optional free text (a name, an organization): trimmed, up to `max`, and null when empty. */
export function optionalText(max: number) {
  return z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((v) => v || null);
}

export function says(code: TextCode): string {
  return code;
}

/**
 * Validates a resolver argument with zod; every issue becomes a field error whose path starts
 * with the argument's name, so a client can put the message next to the right input.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, argName: string): z.output<S> {
  // reportInput: an absent value and a wrong one need different words ("Fill in this field").
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw validationError(result.error.issues.map((issue) => fieldError([argName, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], issueText(issue))));
}

/**
 * What one zod issue says, by code. A message the schema set with `says` is that code; zod's
 * own English messages never reach a user: each kind of issue has a generic code instead.
 */
export function issueText(issue: z.core.$ZodIssue): ServerText {
  const values: Record<string, TextParamValue> = { ...limitsOf(issue), ...(issue.code === 'custom' ? scalars(issue.params) : {}) };
  const code = isTextCode(issue.message) ? issue.message : genericCode(issue);
  const wanted = placeholdersOf(catalogOf('en')[code]);
  const params = Object.fromEntries(wanted.filter((name) => name in values).map((name) => [name, values[name]!]));
  return { code, ...(Object.keys(params).length ? { params } : {}) };
}

function genericCode(issue: z.core.$ZodIssue): TextCode {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return 'validation.required';
      return issue.expected === 'int' ? 'validation.number.whole' : 'validation.type';
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'validation.required' : 'validation.string.tooShort';
      if (issue.origin === 'array' || issue.origin === 'set') return 'validation.list.tooShort';
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return issue.inclusive === false ? 'validation.number.notAbove' : 'validation.number.tooSmall';
      return 'validation.tooSmall';
    case 'too_big':
      if (issue.origin === 'string') return 'validation.string.tooLong';
      if (issue.origin === 'array' || issue.origin === 'set') return 'validation.list.tooLong';
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return issue.inclusive === false ? 'validation.number.notBelow' : 'validation.number.tooBig';
      return 'validation.tooBig';
    case 'invalid_format':
      if (issue.format === 'email') return 'validation.email';
      if (issue.format === 'url') return 'validation.format.url';
      if (ID_FORMATS.has(issue.format)) return 'validation.format.id';
      return 'validation.format';
    case 'invalid_value':
      return 'validation.oneOf';
    case 'unrecognized_keys':
      return 'validation.unknownFields';
    case 'not_multiple_of':
      return 'validation.number.multipleOf';
    default:
      return 'validation.invalid';
  }
}

const ID_FORMATS = new Set(['uuid', 'uuidv4', 'uuidv6', 'uuidv7', 'guid', 'cuid', 'cuid2', 'ulid', 'nanoid', 'xid', 'ksuid']);

/** The values an issue's generic text may name. */
function limitsOf(issue: z.core.$ZodIssue): Record<string, TextParamValue> {
  switch (issue.code) {
    case 'too_small':
      return { minimum: Number(issue.minimum) };
    case 'too_big':
      return { maximum: Number(issue.maximum) };
    case 'invalid_type':
      return { expected: issue.expected };
    case 'invalid_value':
      return { values: issue.values.map(String).join(', ') };
    case 'unrecognized_keys':
      return { keys: issue.keys.join(', ') };
    case 'not_multiple_of':
      return { divisor: Number(issue.divisor) };
    default:
      return {};
  }
}

function scalars(params: Record<string, unknown> | undefined): Record<string, TextParamValue> {
  return Object.fromEntries(Object.entries(params ?? {}).filter((e): e is [string, TextParamValue] => typeof e[1] === 'string' || typeof e[1] === 'number'));
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
