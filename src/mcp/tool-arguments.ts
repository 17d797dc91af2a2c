/**
 * Reading `tools/call` arguments (MCP.md §4), in one step for every tool: the
 * documented `{"request": {...}}` wrapper or the flat form, then REST's
 * lenient reading (http/wire.ts: any-case names, integers as strings, null =
 * absent, unknown names ignored, strings trimmed), then strict typing against
 * the tool's parameter specs. The same specs give the advertised inputSchema.
 */
import { ApiError } from '../contract/errors.js';
import { compileNormalizer, type Normalizer } from '../http/wire.js';

const MAX_ID = 2_147_483_647;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

interface BaseSpec {
  description: string;
  required?: boolean;
}
export type ParamSpec =
  | (BaseSpec & { type: 'integer'; minimum: number; maximum?: number })
  | (BaseSpec & { type: 'string'; minLength: number; maxLength: number; pattern?: { regex: RegExp; source: string; words: string } })
  | (BaseSpec & { type: 'boolean' });

export type ParamSpecs = Record<string, ParamSpec>;
export type ToolArguments = Record<string, string | number | boolean | undefined>;

/** An id parameter: 1 … 2,147,483,647. */
export function idParam(description: string, required = true): ParamSpec {
  return { type: 'integer', minimum: 1, maximum: MAX_ID, description, required };
}

/** The JSON Schema of the request object (what `inputSchema.properties.request` holds). */
function requestSchema(specs: ParamSpecs): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const type = spec.required ? spec.type : [spec.type, 'null'];
    const property: Record<string, unknown> = { type, description: spec.description };
    if (spec.type === 'integer') {
      property.minimum = spec.minimum;
      property.maximum = spec.maximum ?? MAX_ID;
    } else if (spec.type === 'string') {
      property.minLength = spec.minLength;
      property.maxLength = spec.maxLength;
      if (spec.pattern) property.pattern = spec.pattern.source;
    }
    properties[name] = property;
  }
  const required = Object.entries(specs).filter(([, spec]) => spec.required).map(([name]) => name);
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

/** The advertised inputSchema: the documented form only (MCP.md §4). */
export function inputSchemaOf(specs: ParamSpecs): { type: 'object'; properties: Record<string, unknown>; required: string[] } {
  return { type: 'object', properties: { request: requestSchema(specs) }, required: ['request'] };
}

export interface ArgumentReader {
  read(args: unknown): ToolArguments;
}

/** Finds the `request` wrapper (any case): its object, or the whole arguments when absent or null. */
function unwrap(args: Record<string, unknown>): unknown {
  const key = Object.keys(args).find((name) => name.toLowerCase() === 'request');
  const wrapped = key === undefined ? null : args[key];
  if (wrapped === null || wrapped === undefined) return args;
  if (typeof wrapped !== 'object' || Array.isArray(wrapped)) throw ApiError.invalid('request', 'must be a JSON object');
  return wrapped;
}

function check(name: string, spec: ParamSpec, value: unknown): string | number | boolean {
  const problem = (text: string) => ApiError.invalid(name, text);
  switch (spec.type) {
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw problem('must be an integer');
      if (value < spec.minimum) throw problem(`must be at least ${spec.minimum}`);
      if (value > (spec.maximum ?? MAX_ID)) throw problem(`must be at most ${spec.maximum ?? MAX_ID}`);
      return value;
    }
    case 'string': {
      if (typeof value !== 'string') throw problem('must be a string');
      // No login, address or name holds one, and PostgreSQL refuses NUL in text: refused before any lookup.
      if (CONTROL_CHARACTER.test(value)) throw problem('must not contain control characters');
      if (value.length < spec.minLength) throw problem(spec.minLength === 1 ? 'must not be empty' : `must be at least ${spec.minLength} characters`);
      if (value.length > spec.maxLength) throw problem(`must be at most ${spec.maxLength} characters`);
      if (spec.pattern && !spec.pattern.regex.test(value)) throw problem(`must be ${spec.pattern.words}`);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw problem('must be true or false');
      return value;
  }
}

export function argumentReader(specs: ParamSpecs): ArgumentReader {
  const normalizerSchema = {
    type: 'object',
    properties: Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.type }])),
  };
  const normalize: Normalizer = compileNormalizer(normalizerSchema);
  return {
    read(args) {
      const source = args === undefined || args === null ? {} : unwrap(args as Record<string, unknown>);
      const request = normalize(source) as Record<string, unknown>;
      const result: ToolArguments = {};
      for (const [name, spec] of Object.entries(specs)) {
        const value = request[name];
        if (value === undefined) {
          if (spec.required) throw ApiError.invalid(name, 'is required');
          continue;
        }
        result[name] = check(name, spec, value);
      }
      return result;
    },
  };
}
