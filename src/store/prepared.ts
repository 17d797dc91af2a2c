/**
 * Queries on the request path, compiled to SQL once instead of on every call.
 *
 * Building and compiling a query with Kysely costs more than running it on
 * SQLite (a profile of GET /v2/users/{id} spent about as much time in Kysely's
 * builder as in SQLite itself). A prepared query is built once with a marker in
 * place of each argument; its SQL is kept, and each later call only puts its
 * argument values where the markers ended up among the parameters. The
 * better-sqlite3 statement cache then finds the same SQL text every time.
 *
 * So a builder may use its arguments only as values, never to decide the form
 * of the query (an argument used as SQL text throws; one left unused is
 * fine). Queries whose form varies (which columns an update sets, which
 * filters a list applies) get one prepared query per shape (PreparedByShape),
 * whose builder closes over what the shape says.
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Dialect } from './dialects/dialect.js';

/** Stands for argument `index` while the query is built. */
class Argument {
  constructor(readonly index: number) {}
  // An argument turned into SQL text (a column name, sql.raw) would be baked into the cached SQL.
  toString(): string {
    throw new Error(`prepared query: argument ${this.index} used as SQL text, not as a value`);
  }
}

/**
 * The SQL text of every prepared query, with a statement name: the PostgreSQL
 * dialect sends these as named statements, which PostgreSQL parses and plans
 * once per connection instead of on every call. Bounded: one entry per query
 * and shape in the code, never per argument value.
 */
const statementNames = new Map<string, string>();

/** The statement name of a prepared query's SQL text; undefined for SQL no prepared query made. */
export function statementName(sqlText: string): string | undefined {
  return statementNames.get(sqlText);
}

type Compiled = { query: CompiledQuery; slots: readonly unknown[]; hasArguments: boolean };

export class PreparedQuery<A extends readonly unknown[], R> {
  /** By dialect name: the same builder compiles to different SQL on each. */
  readonly #compiled = new Map<string, Compiled>();

  constructor(private readonly build: (db: Kysely<Database>, dialect: Dialect, ...args: A) => Compilable<R>) {}

  /** The rows the query returns for these arguments. */
  async rows(db: Kysely<Database>, dialect: Dialect, args: A): Promise<R[]> {
    let compiled = this.#compiled.get(dialect.name);
    if (!compiled) {
      compiled = this.#compile(db, dialect, args.length);
      this.#compiled.set(dialect.name, compiled);
    }
    const { query, slots } = compiled;
    const parameters = compiled.hasArguments ? slots.map((slot) => (slot instanceof Argument ? args[slot.index] : slot)) : slots;
    const atOnce = dialect.runAtOnce?.(db, query.sql, parameters);
    if (atOnce) return atOnce as R[];
    const result = await db.executeQuery<R>({ ...query, parameters } as CompiledQuery<R>);
    return result.rows;
  }

  /** The first row, or undefined. */
  async first(db: Kysely<Database>, dialect: Dialect, args: A): Promise<R | undefined> {
    return (await this.rows(db, dialect, args))[0];
  }

  #compile(db: Kysely<Database>, dialect: Dialect, arity: number): Compiled {
    const markers = Array.from({ length: arity }, (_, index) => new Argument(index)) as unknown as A;
    const query = this.build(db, dialect, ...markers).compile();
    const slots = query.parameters;
    if (!statementNames.has(query.sql)) statementNames.set(query.sql, `ecgrid_${statementNames.size + 1}`);
    return { query, slots, hasArguments: arity > 0 };
  }
}

/** A query compiled once (see PreparedQuery). */
export function prepare<A extends readonly unknown[], R>(
  build: (db: Kysely<Database>, dialect: Dialect, ...args: A) => Compilable<R>,
): PreparedQuery<A, R> {
  return new PreparedQuery(build);
}

/**
 * Prepared queries whose form depends on a shape (the columns an update sets,
 * the filters a list applies): one PreparedQuery per shape key, made on first
 * use from a builder that closes over the shape.
 */
export class PreparedByShape<S, A extends readonly unknown[], R> {
  readonly #byKey = new Map<string, PreparedQuery<A, R>>();

  constructor(private readonly make: (shape: S) => (db: Kysely<Database>, dialect: Dialect, ...args: A) => Compilable<R>) {}

  /** The prepared query of this shape; `key` must name the shape exactly. */
  of(key: string, shape: S): PreparedQuery<A, R> {
    let query = this.#byKey.get(key);
    if (!query) this.#byKey.set(key, (query = new PreparedQuery(this.make(shape))));
    return query;
  }
}
