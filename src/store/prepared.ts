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
 * of the query. Queries whose form varies (which columns an update sets, which
 * filters a list applies) pass a `shape` naming the form; each shape is
 * compiled once, and the builder may close over what the shape says.
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Dialect } from './dialects/dialect.js';

/** Stands for argument `index` while the query is built. */
class Argument {
  constructor(readonly index: number) {}
}

type Compiled = { query: CompiledQuery; slots: readonly unknown[]; hasArguments: boolean };

export class PreparedQuery<A extends readonly unknown[], R> {
  readonly #compiled = new Map<string, Compiled>();

  constructor(private readonly build: (db: Kysely<Database>, dialect: Dialect, ...args: A) => Compilable<R>) {}

  /** The rows the query returns for these arguments. */
  async rows(db: Kysely<Database>, dialect: Dialect, args: A, shape = ''): Promise<R[]> {
    const key = shape === '' ? dialect.name : `${dialect.name}:${shape}`;
    let compiled = this.#compiled.get(key);
    if (!compiled) {
      compiled = this.#compile(db, dialect, args.length);
      this.#compiled.set(key, compiled);
    }
    const { query, slots } = compiled;
    const parameters = compiled.hasArguments ? slots.map((slot) => (slot instanceof Argument ? args[slot.index] : slot)) : slots;
    const result = await db.executeQuery<R>({ ...query, parameters } as CompiledQuery<R>);
    return result.rows;
  }

  /** The first row, or undefined. */
  async first(db: Kysely<Database>, dialect: Dialect, args: A, shape = ''): Promise<R | undefined> {
    return (await this.rows(db, dialect, args, shape))[0];
  }

  #compile(db: Kysely<Database>, dialect: Dialect, arity: number): Compiled {
    const markers = Array.from({ length: arity }, (_, index) => new Argument(index)) as unknown as A;
    const query = this.build(db, dialect, ...markers).compile();
    const slots = query.parameters;
    const used = new Set(slots.filter((slot) => slot instanceof Argument).map((slot) => (slot as Argument).index));
    // An argument that did not become a parameter was used to shape the query: the cached SQL would be wrong.
    if (used.size !== arity) throw new Error(`prepared query: ${arity - used.size} argument(s) not used as values in ${query.sql}`);
    return { query, slots, hasArguments: arity > 0 };
  }
}

/** A query compiled once (see PreparedQuery). */
export function prepare<A extends readonly unknown[], R>(
  build: (db: Kysely<Database>, dialect: Dialect, ...args: A) => Compilable<R>,
): PreparedQuery<A, R> {
  return new PreparedQuery(build);
}
