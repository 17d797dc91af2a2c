/**
 * How the reference server (ASP.NET Core, System.Text.Json web defaults) reads
 * a request, in one place: property names match case-insensitively, numbers
 * may come as strings, `null` means absent, enum names match case-insensitively,
 * strings are trimmed (secrets excepted), unknown properties are ignored, and a
 * property given twice is an error. Schemas stay strict; routes see only
 * canonical, clean values.
 *
 * One rule of this server's own: no string may hold U+0000. PostgreSQL text
 * cannot (a lookup or write with one fails: a 500, found by `npm run fuzz`),
 * SQLite would store it; refusing it here makes both stores answer alike: a 400
 * naming the field, before the value reaches a query.
 */
import { ApiError } from '../contract/errors.js';

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  writeOnly?: boolean;
  'x-alias'?: string;
};

type Kind = 'integer' | 'number' | 'enum' | 'string' | 'secret' | 'other';

interface Field {
  name: string;
  kind: Kind;
  /** lowercased enum value → canonical value */
  enumValues?: Map<string, string>;
}

export type Normalizer = (input: unknown) => unknown;

const INTEGER_TEXT = /^-?\d{1,16}$/;
const NUMBER_TEXT = /^-?\d{1,16}(\.\d{1,16})?$/;

function kindOf(schema: JsonSchema): Kind {
  if (schema.enum) return 'enum';
  if (schema.type === 'integer') return 'integer';
  if (schema.type === 'number') return 'number';
  if (schema.type === 'string') return schema.writeOnly ? 'secret' : 'string';
  return 'other';
}

function normalizeValue(field: Field, value: unknown): unknown {
  switch (field.kind) {
    case 'integer':
      return typeof value === 'string' && INTEGER_TEXT.test(value.trim()) ? Number(value.trim()) : value;
    case 'number':
      return typeof value === 'string' && NUMBER_TEXT.test(value.trim()) ? Number(value.trim()) : value;
    case 'enum':
      return typeof value === 'string' ? (field.enumValues!.get(value.trim().toLowerCase()) ?? value) : value;
    case 'string':
    case 'secret':
      if (typeof value !== 'string') return value;
      if (value.includes('\u0000')) throw ApiError.invalid(field.name, 'must not contain the character U+0000');
      return field.kind === 'string' ? value.trim() : value;
    default:
      return value;
  }
}

/**
 * Compiles the reader of one flat object schema (every body and path of this
 * API is flat). Returns a function that yields a fresh object holding only the
 * schema's properties under their canonical names.
 */
export function compileNormalizer(schema: JsonSchema): Normalizer {
  const byLowerName = new Map<string, Field>();
  for (const [name, propertySchema] of Object.entries(schema.properties ?? {})) {
    const field: Field = { name, kind: kindOf(propertySchema) };
    if (field.kind === 'enum') {
      field.enumValues = new Map(propertySchema.enum!.map((v) => [String(v).toLowerCase(), String(v)]));
    }
    byLowerName.set(name.toLowerCase(), field);
    const alias = propertySchema['x-alias'];
    if (alias) byLowerName.set(alias.toLowerCase(), field);
  }
  return (input) => {
    if (input === undefined) return {};
    if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
    const output: Record<string, unknown> = {};
    const seen = new Set<string>();
    for (const key of Object.keys(input)) {
      const field = byLowerName.get(key.toLowerCase());
      if (!field) continue;
      if (seen.has(field.name)) throw ApiError.invalid(field.name, 'given more than once');
      seen.add(field.name);
      const value = (input as Record<string, unknown>)[key];
      if (value === null) continue;
      output[field.name] = normalizeValue(field, value);
    }
    return output;
  };
}

/**
 * Parses a JSON body. An empty body is no body. Malformed JSON and a property
 * name repeated within one object (any case; JSON.parse would silently keep
 * the last) are 400 InvalidParameter.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw ApiError.invalid('body', `malformed JSON (${(error as Error).message.replace(/\s+/g, ' ').slice(0, 120)})`);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== null) throw ApiError.invalid(duplicate, 'given more than once');
  return value;
}

/**
 * Scans valid JSON text for an object holding the same key twice (case-insensitively);
 * returns that key or null. Linear, no allocation beyond one Set per object.
 */
export function findDuplicateKey(text: string): string | null {
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x5c /* \ */) i++;
        else if (c === 0x22) break;
      }
      const keys = stack[stack.length - 1];
      if (expectKey && keys) {
        const raw = text.slice(start, i + 1);
        const name = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        const key = name.toLowerCase();
        if (keys.has(key)) return name;
        keys.add(key);
        expectKey = false;
      }
    } else if (ch === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (ch === 0x5b /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (ch === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] != null;
    }
  }
  return null;
}
