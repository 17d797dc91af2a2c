/**
 * Reads a command's options as the API reads a body: the same wire rules
 * (http/wire.ts: trimming, integers from text, enum names in any case) and the
 * same TypeBox schema and messages (http/errors.ts), so a value the API would
 * refuse is refused here with the same words, naming the option instead of
 * the field.
 */
import type { TSchema } from 'typebox';
import { Format } from 'typebox/format';
import { Value } from 'typebox/value';
import { Compile } from 'typebox/compile';
import { FORMATS } from '../contract/formats.js';
import { ApiError } from '../contract/errors.js';
import { describeValidationError } from '../http/errors.js';
import { compileNormalizer } from '../http/wire.js';

for (const [name, format] of Object.entries(FORMATS)) Format.Set(name, format.validate);

/** A problem with the command line itself: reported with the usage exit status (2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Body field → the option that sets it, e.g. `networkId` → `--network`. */
export type OptionNames = Record<string, string>;

/** Rewrites a leading `field:` of a message as the option that carries the field. */
export function withOptionName(message: string, options: OptionNames): string {
  const match = /^([A-Za-z0-9]+):/.exec(message);
  const option = match ? options[match[1]!] : undefined;
  return option ? `${option}${message.slice(match![1]!.length)}` : message;
}

/** The schema node an error's schemaPath points at (for pattern descriptions). */
function schemaAt(schema: TSchema, path: string): { description?: string; enum?: unknown[] } | undefined {
  let node: unknown = schema;
  for (const part of path.replace(/^#\/?/, '').split('/').filter(Boolean)) node = (node as Record<string, unknown> | undefined)?.[part];
  return node as { description?: string } | undefined;
}

/**
 * Reads `raw` as the API reads a body (wire rules, then the schema): the value,
 * or the API's message for the first problem, naming the field (`email: must be a valid email address`).
 */
export function checkInput<T>(schema: TSchema, raw: Record<string, unknown>): CheckedInput<T> {
  return inputChecker<T>(schema)(raw);
}

export type CheckedInput<T> = { value: T; problem?: undefined } | { problem: string };

/** checkInput with the reader and the validator compiled once, for many inputs (a file of users). */
export function inputChecker<T>(schema: TSchema): (raw: Record<string, unknown>) => CheckedInput<T> {
  const normalize = compileNormalizer(schema);
  const validator = Compile(schema);
  return (raw) => {
    let value: unknown;
    try {
      value = normalize(raw);
    } catch (error) {
      if (error instanceof ApiError) return { problem: error.message };
      throw error;
    }
    if (validator.Check(value)) return { value: value as T };
    return { problem: firstProblem(schema, value) };
  };
}

function firstProblem(schema: TSchema, value: unknown): string {
  const [first] = Value.Errors(schema, value);
  if (!first) return 'is invalid';
  const params = first.params as Record<string, unknown>;
  const missing = Array.isArray(params.requiredProperties) ? (params.requiredProperties[0] as string) : undefined;
  const problem = describeValidationError(
    {
      instancePath: first.instancePath,
      keyword: first.keyword,
      params: missing ? { ...params, missingProperty: missing } : params,
      message: first.message,
      parentSchema: schemaAt(schema, first.schemaPath),
    },
    'options',
  );
  return problem;
}

/** The normalized, validated body, or a UsageError naming the first bad option. */
export function readInput<T>(schema: TSchema, raw: Record<string, unknown>, options: OptionNames): T {
  const checked = checkInput<T>(schema, raw);
  if (checked.problem !== undefined) throw new UsageError(withOptionName(checked.problem, options));
  return checked.value;
}
