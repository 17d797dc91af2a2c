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

/** The normalized, validated body, or a UsageError naming the first bad option. */
export function readInput<T>(schema: TSchema, raw: Record<string, unknown>, options: OptionNames): T {
  let value: unknown;
  try {
    value = compileNormalizer(schema)(raw);
  } catch (error) {
    if (error instanceof ApiError) throw new UsageError(withOptionName(error.message, options));
    throw error;
  }
  const [first] = Value.Errors(schema, value);
  if (first) {
    const params = first.params as Record<string, unknown>;
    const missing = Array.isArray(params.requiredProperties) ? (params.requiredProperties[0] as string) : undefined;
    const message = describeValidationError(
      {
        instancePath: first.instancePath,
        keyword: first.keyword,
        params: missing ? { ...params, missingProperty: missing } : params,
        message: first.message,
        parentSchema: schemaAt(schema, first.schemaPath),
      },
      'options',
    );
    throw new UsageError(withOptionName(message, options));
  }
  return value as T;
}
