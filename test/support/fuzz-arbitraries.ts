/**
 * fast-check arbitraries of hostile input for a JSON-over-HTTP API: JSON
 * values of every type with edge numbers and nasty strings, bodies shaped
 * after an operation's schema (case-variant, aliased, duplicated and
 * prototype-polluting keys, integer strings, nulls, wrong types), body texts
 * no JSON parser should choke on (deep nesting, 1 MB, malformed, invalid
 * UTF-8), path ids, credentials and content types.
 *
 * JSON is written by `toJsonText`, so that what JSON.stringify cannot write is
 * sent too: number literals as given (`Raw`: `1e400`, `-0`, 2^53 + 1) and
 * objects with a key twice (`Entries`).
 */
import fc from 'fast-check';

class Raw {
  constructor(readonly text: string) {}
}
/** A JSON object as ordered entries: keys may repeat, `__proto__` is an ordinary key. */
class Entries {
  constructor(readonly entries: ReadonlyArray<readonly [string, Json]>) {}
}
type Json = null | boolean | number | string | Raw | Entries | Json[];

export function toJsonText(value: Json): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Entries) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  return JSON.stringify(value) ?? 'null';
}

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', '__PROTO__', 'toString', 'hasOwnProperty'];
/** What a polluting key carries: anything merged into an object would grow these properties. */
const POLLUTANT = new Entries([['polluted', 'yes'], ['authLevel', 'Root'], ['prototype', new Entries([['polluted', 'yes']])]]);

/**
 * 'Fuzz-Passw0rd!' meets the password policy but is no credential anywhere:
 * a string that is some test's real password would, sent in a URL (which is
 * logged, as every server logs its request lines), count as a leak in the
 * secrets check (the demo password did).
 */
const NASTY_STRINGS = [
  '', ' ', '\t\r\n', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '😀', '👩‍👩‍👧‍👦', '\u202eevil', 'مرحبا', '\u200b', '\ufeffBOM', 'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗',
  "'; drop table users; --", "' or 1=1 --", '%00', '%s%n', '${7*7}', '{{7*7}}', '<script>', '../../etc/passwd', 'null', 'undefined', 'NaN',
  '__proto__', 'constructor', 'NoChange', 'ROOT', 'a@b', ' x@example.com ', 'Fuzz-Passw0rd!', 'a'.repeat(65), 'é'.repeat(300), '😀'.repeat(600),
];
const INTEGER_STRINGS = ['0', '1', '-1', ' 7 ', '+5', '007', '1.0', '1e3', '0x1F', '2147483647', '2147483648', '9999999999999999', '12345678901234567890', '١٢٣', '５', ''];
const NASTY_NUMBERS: Json[] = [
  0, -1, 0.5, -1.5, 2147483647, 2147483648, -2147483649, 4294967296, Number.MAX_SAFE_INTEGER, 1e21, Number.MIN_VALUE,
  new Raw('-0'), new Raw('1.0'), new Raw('1E2'), new Raw('1e400'), new Raw('-1e400'), new Raw('1e-400'), new Raw('9007199254740993'),
  new Raw('1'.repeat(400)), new Raw('0.30000000000000004'),
];

const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('a', 'é', '\u0000', ' ').chain((c) => fc.integer({ min: 100, max: 20_000 }).map((n) => c.repeat(n))) },
);
const integerString: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...INTEGER_STRINGS), fc.integer().map(String));
const nastyNumber: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_NUMBERS) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);
const anyKey = fc.oneof(fc.constantFrom(...POLLUTION_KEYS), fc.string({ maxLength: 8 }));

/** Any JSON value, nested, with hostile leaves and keys. */
export const anyJson: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    nastyNumber,
    nastyString,
    integerString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(anyKey, tie('value')), { maxLength: 4 }).map((entries) => new Entries(entries)),
  ),
})).value;

/** The JSON Schema of a body field, as TypeBox writes it. */
interface FieldSchema {
  type?: string;
  enum?: string[];
  format?: string;
  pattern?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  'x-alias'?: string;
}
/** What exists in the database under test: values worth sending by field name (`userId`, `login`, `token`, …), and every id (for other id fields and paths). */
export interface Known {
  byField: Readonly<Record<string, readonly Json[]>>;
  ids: readonly number[];
}

/** A value a client might plausibly send for the field: a known one, or one of the right type, sometimes in a form the wire accepts (integer strings, enums in any case). */
function plausibleValue(name: string, field: FieldSchema, known: Known): fc.Arbitrary<Json> {
  if (field.enum) return fc.constantFrom(...field.enum).chain((v) => fc.constantFrom<Json>(v, v.toLowerCase(), ` ${v.toUpperCase()} `));
  const values = known.byField[name];
  const made = madeValue(field, known.ids);
  return values ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: made }) : made;
}

function madeValue(field: FieldSchema, ids: readonly number[]): fc.Arbitrary<Json> {
  switch (field.type) {
    case 'integer': {
      const id = fc.oneof(fc.constantFrom(...ids), fc.integer({ min: field.minimum ?? -10, max: Math.min(field.maximum ?? 1000, 1000) }));
      return fc.oneof({ weight: 3, arbitrary: id }, { weight: 1, arbitrary: id.map(String) });
    }
    case 'number':
      return fc.oneof(fc.integer({ min: -13, max: 15 }), fc.constantFrom<Json>(5.5, -12.75, '5.5', '-5'));
    case 'boolean':
      return fc.boolean();
    default:
      return plausibleString(field);
  }
}

/** A string of the field's format or pattern (ours: contract/formats.ts), else a short word. */
function plausibleString(field: FieldSchema): fc.Arbitrary<Json> {
  switch (field.format) {
    case 'ecgrid-email':
      return fc.stringMatching(/^[a-z][a-z0-9.]{0,10}$/).map((s) => `${s}@example.com`);
    case 'ecgrid-password':
      return fc.string({ unit: 'grapheme-ascii', minLength: 4, maxLength: 20 }).map((s) => `Aa1!${s}`);
    case 'ecgrid-url':
      return fc.webUrl();
    case 'ecgrid-timestamp':
      return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  }
  const word = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: Math.min(field.maxLength ?? 20, 20) });
  return field.pattern ? fc.oneof(fc.stringMatching(new RegExp(field.pattern)).filter((s) => s.length <= (field.maxLength ?? 64)), word) : word;
}

/** A field name as a client might write it: as is, its alias, another case; when wild also with a space (an unknown key then). */
function spelling(name: string, field: FieldSchema, wild: boolean): fc.Arbitrary<string> {
  const names = [name, ...(field['x-alias'] ? [field['x-alias']] : [])];
  const accepted = fc.constantFrom(...names).chain((n) => fc.constantFrom(n, n.toLowerCase(), n.toUpperCase(), `${n[0]!.toUpperCase()}${n.slice(1)}`));
  return fc.oneof({ weight: 5, arbitrary: fc.constant(name) }, { weight: 3, arbitrary: accepted }, { weight: wild ? 1 : 0, arbitrary: fc.constant(` ${name}`) });
}

export interface BodySchema {
  properties: Record<string, FieldSchema>;
  required?: string[];
}

/**
 * A body after an operation's schema. Half of them are valid on the wire —
 * required fields present, plausible values under accepted spellings — so
 * that requests get past validation into the handlers; the other half are
 * wild: any field absent, null, an integer string or any JSON, now and then a
 * field twice. Both carry unknown keys and prototype-pollution keys (top
 * level or nested) now and then.
 */
export function schemaBody(schema: BodySchema | undefined, known: Known): fc.Arbitrary<Json> {
  const fieldsOf = (wild: boolean) =>
    Object.entries(schema?.properties ?? {}).map(([name, field]) =>
      fc.option(
        fc.tuple(
          spelling(name, field, wild),
          fc.oneof(
            { weight: 12, arbitrary: plausibleValue(name, field, known) },
            { weight: wild ? 1 : 0, arbitrary: fc.constant<Json>(null) },
            { weight: wild ? 1 : 0, arbitrary: integerString },
            { weight: wild ? 2 : 0, arbitrary: anyJson },
          ),
        ),
        { nil: undefined, freq: schema?.required?.includes(name) ? (wild ? 15 : Number.MAX_SAFE_INTEGER) : 2 },
      ),
    );
  const extras = fc.oneof(
    { weight: 3, arbitrary: fc.constant<Array<[string, Json]>>([]) },
    { weight: 2, arbitrary: fc.constantFrom(...POLLUTION_KEYS).map((key): Array<[string, Json]> => [[key, POLLUTANT]]) },
    { weight: 1, arbitrary: fc.constantFrom(...POLLUTION_KEYS).map((key): Array<[string, Json]> => [['nested', new Entries([[key, POLLUTANT]])]]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(anyKey, anyJson), { maxLength: 3 }) },
  );
  const body = (wild: boolean) =>
    fc.tuple(fc.tuple(...fieldsOf(wild)), extras, fc.nat(3).map((n) => wild && n === 0)).map(([chosen, extra, twice]) => {
      const present = chosen.filter((entry) => entry !== undefined);
      const duplicate = twice && present.length > 0 ? [[present[0]![0].toUpperCase(), present[0]![1]] as const] : [];
      return new Entries([...present, ...extra, ...duplicate]);
    });
  return fc.oneof(body(false), body(true));
}

const nest = (depth: number, open: string, close: string, leaf = '1') => open.repeat(depth) + leaf + close.repeat(depth);

/** Body texts no well-behaved client sends: deep nesting, sizes around the limit and 1 MB, malformed JSON, invalid UTF-8. */
export function hostileBodyText(bodyLimit: number, fieldNames: readonly string[]): fc.Arbitrary<string | Buffer> {
  const name = fc.constantFrom(...fieldNames, 'userId');
  return fc.oneof(
    fc.tuple(fc.constantFrom(100, 5_000, 100_000), fc.constantFrom(['[', ']'], ['{"a":', '}'], ['{"__proto__":', '}']), name).map(
      ([depth, [open, close], field]) => `{"${field}":${nest(depth, open!, close!)}}`,
    ),
    fc.tuple(fc.constantFrom(bodyLimit - 100, bodyLimit + 1, 1 << 20), name).map(([size, field]) => `{"${field}":"${'x'.repeat(size)}"}`),
    fc.constantFrom(1 << 20).map((size) => `[${'1,'.repeat(size / 2)}1]`),
    fc.constantFrom(
      "{'userId':1}", '{"userId":1,}', '{"userId":NaN}', '{"userId":01}', '{"userId":.5}', '/* c */{}', '\ufeff{}', '{"a":1}{"b":2}', '{"a":"\\u12"}',
      '{"a"', '{', '}', '[', '"', 'tru', '{"userId":1', '{"\\u0000":1}', '\u0000', ' ', 'null', '0', '""', 'true', '[]', '{}',
      '{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '[{"__proto__":{"polluted":"yes"}}]',
      '{"__proto__":1,"__proto__":2}', '{"userId":1,"USERID":2}', '{"a":{"b":1,"B":2}}',
    ),
    fc.uint8Array({ maxLength: 100 }).map((bytes) => Buffer.from(bytes)),
    fc.constantFrom(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), Buffer.from('{"login":"\xe9\xc3("}', 'latin1'), Buffer.from('{"userId":1}', 'utf16le')),
  );
}

/** `{id}` path segments: huge, negative, float, unicode, percent-encoded garbage, dot segments, empty. */
export function pathId(ids: readonly number[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ids).map(String) },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })).map(String) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        '', '0', '-1', '-0', '1.5', '1.0', '1e3', '0x10', '+1', '%2B1', '01', '%31', '%20', '1%20', '%00', '%', '%zz', '%C0%AF', '%ED%A0%80',
        '2147483647', '2147483648', '9007199254740993', '1'.repeat(199), '1'.repeat(201), '1'.repeat(5000), '..', '.', '%2e%2e', '%2F', 'NaN',
        'Infinity', 'null', '__proto__', 'constructor', 'prototype', 'me', '1;2', '1,2', '1?x=1', '1?__proto__[polluted]=1', '1#x', '1/', '[1]',
        '%D9%A1%D9%A2', '%F0%9F%98%80', "1'%20or%20'1'='1",
      ),
    },
    { weight: 1, arbitrary: nastyString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))) },
  );
}

/** Credential values no valid client sends: random, UUID-shaped, very long (up to past the 16 KiB header limit), unicode. */
export const garbageSecret: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => s.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '')),
  fc.uuid(),
  fc.constantFrom('', ' ', 'null', '0', '*', "' or 1=1 --", 'Bearer'),
  fc.constantFrom(1000, 8000, 20_000).map((n) => 'k'.repeat(n)),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
);

/** Tokens shaped like JWTs but not ours: alg `none`, forged claims, no or garbage signature. */
export const jwtShaped: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('none', 'HS256', 'RS256', ''), fc.record({ sub: fc.integer(), sid: fc.uuid(), gen: fc.integer(), exp: fc.integer() }), fc.constantFrom('', 'sig', 'A'.repeat(43)))
  .map(([alg, claims, signature]) => `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`);

/** Changes one character of a real credential. */
export function tamper(secret: string): fc.Arbitrary<string> {
  return fc.nat({ max: secret.length - 1 }).map((at) => secret.slice(0, at) + (secret[at] === 'A' ? 'B' : 'A') + secret.slice(at + 1));
}

/** Content types: mostly JSON, else odd spellings, other media types, none, garbage. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      undefined, '', ';', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'Application/Json ; Charset=UTF-8', 'application/json; charset=latin1',
      'application/json; charset=utf-16', 'application/json, text/plain', 'application/jsonx', 'application/vnd.api+json', 'text/json', 'text/plain',
      'application/xml', '*/*', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream',
      `application/json; boundary=${'x'.repeat(2000)}`,
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => s.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '')) },
);
