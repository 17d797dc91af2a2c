/**
 * Named statements that ask PostgreSQL for their row shape once per connection.
 *
 * pg's Query describes the portal on every execution and rebuilds, from the
 * answer, the type parsers and the empty row each row is copied from
 * (`Result.addFields`: 7 % of the server's CPU on GET /v2/users/{id} by key,
 * the largest single item of its profile). A named statement's shape cannot
 * change on a connection (PostgreSQL refuses to run it with another: "cached
 * plan must not change result type"), so the first successful execution on a
 * connection keeps its shape; later ones send Bind, Execute, Sync without
 * Describe and build each row from the kept template, as pg builds them.
 *
 * This subclasses pg's Query through the driver's documented extension point
 * (a "submittable": any object with `submit(connection)`, as pg-cursor does)
 * and sends what pg's own `prepare` sends, minus Describe once the shape is
 * known. One departure: a value that cannot be sent gets Sync only, never the
 * Close pg sends, which closes the statement on the server while pg goes on
 * believing it parsed (every later use on that connection would fail).
 */
import pg from 'pg';
// pg's own value mapper, the one its Query passes to Bind (exported under pg/lib/*, untyped).
// @ts-expect-error no declaration file for pg's internal modules
import pgUtils from 'pg/lib/utils.js';

const { prepareValue } = pgUtils as { prepareValue: (value: unknown) => unknown };

type Parser = (value: unknown) => unknown;
interface Field { name: string; format: string }

/** What a statement's Describe told us, and the row builder made from it. */
interface Shape {
  fields: Field[];
  parsers: Parser[];
  parseRow: (values: unknown[]) => Record<string, unknown>;
}

/** pg's Result and Query internals the subclass uses (not in @types/pg). */
interface PgResult {
  fields: Field[];
  _parsers?: Parser[];
  parseRow(values: unknown[]): Record<string, unknown>;
}
interface PgConnection {
  parse(options: { text: string; name: string; types?: unknown }): void;
  bind(options: { portal: string; statement: string; values: unknown[]; binary?: boolean; valueMapper: unknown }): void;
  describe(options: { type: 'P'; name: string }): void;
  sync(): void;
  submittedNamedStatements: Record<string, string>;
}
interface PgQueryInternals {
  name: string;
  text: string;
  values: unknown[];
  portal: string;
  binary?: boolean;
  rows?: number;
  types?: unknown;
  _result: PgResult;
  _accumulateRows: boolean;
  hasBeenParsed(connection: PgConnection): boolean;
  _getRows(connection: PgConnection, rows?: number): void;
  handleError(error: unknown, connection: PgConnection): void;
  handleCommandComplete(message: unknown, connection: PgConnection): void;
}

/** pg's Query as the class it is at run time (@types/pg leaves out what a subclass needs). */
const PgQuery = pg.Query as unknown as new (
  text: string,
  values: unknown[] | undefined,
  callback: (error: Error | null, result: pg.QueryResult) => void,
) => PgQueryInternals;

/** Shapes by connection (a reconnect is a new connection object), then by statement name. */
const shapes = new WeakMap<object, Map<string, Shape>>();

function shapeOf(fields: Field[], parsers: Parser[]): Shape {
  // As pg builds it: the columns in order, spread from a prototype-less object, so that a column named
  // `__proto__` is a column like any other.
  const template: Record<string, null> = Object.create(null);
  for (const field of fields) template[field.name] = null;
  const empty = { ...template };
  const binary = fields.map((field) => field.format === 'binary');
  return {
    fields,
    parsers,
    parseRow(values) {
      const row: Record<string, unknown> = { ...empty };
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        row[fields[i]!.name] = value === null ? null : parsers[i]!(binary[i] ? Buffer.from(value as Buffer) : value);
      }
      return row;
    },
  };
}

class DescribedOnce extends PgQuery {
  /** The connection this execution was sent on; set when its shape is not known there yet. */
  #learningOn?: object;

  prepare(connection: PgConnection): void {
    const shape = shapes.get(connection)?.get(this.name);
    if (shape) {
      this._result.fields = shape.fields;
      this._result._parsers = shape.parsers;
      this._result.parseRow = shape.parseRow;
    } else {
      this.#learningOn = connection;
    }
    // Rows are kept for the callback (pg decides this on RowDescription, which a known shape no longer gets).
    this._accumulateRows = true;
    if (!this.hasBeenParsed(connection)) {
      connection.parse({ text: this.text, name: this.name, types: this.types });
      connection.submittedNamedStatements[this.name] = this.text;
    }
    try {
      connection.bind({ portal: this.portal, statement: this.name, values: this.values, binary: this.binary, valueMapper: prepareValue });
    } catch (error) {
      // Nothing of this execution but its Parse (if any) was written: Sync completes that and brings the
      // ReadyForQuery that frees the connection; the statement stays parsed, as pg records it.
      connection.sync();
      this.handleError(error, connection);
      return;
    }
    if (!shape) connection.describe({ type: 'P', name: this.portal || '' });
    this._getRows(connection, this.rows);
  }

  override handleCommandComplete(message: unknown, connection: PgConnection): void {
    if (this.#learningOn) {
      // Execute succeeded, so Describe's answer (RowDescription, or none for a statement without rows) is in.
      let byName = shapes.get(this.#learningOn);
      if (!byName) shapes.set(this.#learningOn, (byName = new Map()));
      byName.set(this.name, shapeOf(this._result.fields, this._result._parsers ?? []));
      this.#learningOn = undefined;
    }
    super.handleCommandComplete(message, connection);
  }
}

/** Runs a named statement on a client (pg's promise form of `client.query({ name, text, values })`). */
export function queryNamed(client: pg.ClientBase, name: string, text: string, values: unknown[] | undefined): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    // The text, not a config object: pg copies a config property by property (2 % of a PUT's CPU).
    const query = new DescribedOnce(text, values, (error, result) => (error ? reject(error) : resolve(result)));
    query.name = name;
    client.query(query as unknown as pg.Submittable);
  });
}
