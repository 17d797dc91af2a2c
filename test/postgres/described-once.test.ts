/**
 * Named statements described once per connection (dialects/postgres-statement.ts):
 * after the first successful execution on a connection, an execution sends no
 * Describe, and its answer (rows, types, nulls, counts, errors) is exactly what
 * pg's own Query gives for the same statement.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryNamed } from '../../src/store/dialects/postgres-statement.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';

let database: TestDatabase;
const clients: pg.Client[] = [];
beforeAll(async () => {
  database = await freshDatabase();
  const setup = await client();
  await setup.query(`create table things (
    id int primary key, big bigint, label text, flag boolean, at timestamptz, doc jsonb, blob bytea)`);
  await setup.query(`insert into things values
    (1, 9007199254740991, 'one', true, '2026-12-01T10:00:00.123Z', '{"a":1}', '\\x0102'),
    (2, null, null, null, null, null, null)`);
});
afterAll(async () => {
  for (const each of clients) await each.end();
  await database?.drop();
});

async function client(): Promise<pg.Client> {
  const made = new pg.Client({ connectionString: database.databaseUrl! });
  await made.connect();
  clients.push(made);
  return made;
}

/** Counts the Describe messages a client sends. */
function countDescribes(target: pg.Client): { count: number } {
  const counter = { count: 0 };
  const connection = (target as unknown as { connection: { describe: (...args: unknown[]) => void } }).connection;
  const describe = connection.describe.bind(connection);
  connection.describe = (...args) => {
    counter.count++;
    describe(...args);
  };
  return counter;
}

const SELECT = 'select id, big, label, flag, at, doc, blob from things where id <= $1 order by id';

describe('named statements described once per connection', () => {
  it('describes on the first execution only, and answers as pg does every time', async () => {
    const ours = await client();
    const reference = await client();
    const describes = countDescribes(ours);
    const expected = await reference.query({ name: 'select_things', text: SELECT, values: [2] });
    for (let round = 0; round < 3; round++) {
      const result = await queryNamed(ours, 'select_things', SELECT, [2]);
      expect(result.rows).toEqual(expected.rows);
      expect(Object.keys(result.rows[0]!)).toEqual(['id', 'big', 'label', 'flag', 'at', 'doc', 'blob']);
      expect(result.rows[0]).toMatchObject({ big: '9007199254740991', flag: true, doc: { a: 1 }, blob: Buffer.from([1, 2]) });
      expect(result.rows[0]!.at).toEqual(new Date('2026-12-01T10:00:00.123Z'));
      expect(result.rows[1]).toEqual({ id: 2, big: null, label: null, flag: null, at: null, doc: null, blob: null });
      expect(result.fields.map((field) => field.name)).toEqual(expected.fields.map((field) => field.name));
      expect([result.command, result.rowCount]).toEqual(['SELECT', 2]);
    }
    expect(describes.count).toBe(1);
    // Another argument, same statement: still no Describe, the right rows.
    expect((await queryNamed(ours, 'select_things', SELECT, [1])).rows.map((row) => row.id)).toEqual([1]);
    expect(describes.count).toBe(1);
  });

  it('keeps the shape per connection: a new connection describes again', async () => {
    const first = await client();
    const second = await client();
    const [firstDescribes, secondDescribes] = [countDescribes(first), countDescribes(second)];
    await queryNamed(first, 'select_things', SELECT, [2]);
    await queryNamed(first, 'select_things', SELECT, [2]);
    const rows = (await queryNamed(second, 'select_things', SELECT, [2])).rows;
    expect(rows).toHaveLength(2);
    expect([firstDescribes.count, secondDescribes.count]).toEqual([1, 1]);
  });

  it('statements without rows report their counts, described once', async () => {
    const ours = await client();
    const describes = countDescribes(ours);
    const update = 'update things set label = $1 where id = $2';
    for (const [label, id, count] of [['uno', 1, 1], ['one', 1, 1], ['none', 99, 0]] as const) {
      const result = await queryNamed(ours, 'update_label', update, [label, id]);
      expect([result.command, result.rowCount, result.rows]).toEqual(['UPDATE', count, []]);
    }
    expect(describes.count).toBe(1);
    expect((await ours.query('select label from things where id = 1')).rows).toEqual([{ label: 'one' }]);
  });

  it('an execution that failed keeps no shape; errors reject with PostgreSQL\'s error, before and after', async () => {
    const ours = await client();
    const describes = countDescribes(ours);
    const insert = 'insert into things (id, label) values ($1, $2) returning id, label';
    await expect(queryNamed(ours, 'insert_thing', insert, [1, 'taken'])).rejects.toMatchObject({ code: '23505' });
    expect((await queryNamed(ours, 'insert_thing', insert, [10, 'ten'])).rows).toEqual([{ id: 10, label: 'ten' }]);
    expect(describes.count).toBe(2); // the failed execution's shape was not kept
    await expect(queryNamed(ours, 'insert_thing', insert, [10, 'again'])).rejects.toMatchObject({ code: '23505' });
    expect((await queryNamed(ours, 'insert_thing', insert, [11, 'eleven'])).rows).toEqual([{ id: 11, label: 'eleven' }]);
    expect(describes.count).toBe(2);
    await ours.query('delete from things where id in (10, 11)');
  });

  it('a value that cannot be sent on a statement\'s first use leaves the statement usable on that connection', async () => {
    // pg's own Query closes the statement here and still records it as parsed: every later use failed.
    const ours = await client();
    const unsendable = { toPostgres: () => { throw new Error('cannot be sent'); } };
    await expect(queryNamed(ours, 'select_things', SELECT, [unsendable])).rejects.toThrow('cannot be sent');
    for (let round = 0; round < 2; round++) {
      expect((await queryNamed(ours, 'select_things', SELECT, [2])).rows.map((row) => row.id)).toEqual([1, 2]);
    }
  });

  it('keeps a column named __proto__ as a column, as pg does', async () => {
    const ours = await client();
    const text = 'select 1 as "__proto__", 2 as id';
    for (let round = 0; round < 2; round++) {
      const [row] = (await queryNamed(ours, 'proto_column', text, [])).rows;
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      expect(Object.keys(row!)).toEqual(['__proto__', 'id']);
      expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe(1);
    }
  });

  it('a value that cannot be sent rejects, sends nothing, and leaves the connection usable', async () => {
    const ours = await client();
    await queryNamed(ours, 'select_things', SELECT, [2]);
    const unsendable = { toPostgres: () => { throw new Error('cannot be sent'); } };
    await expect(queryNamed(ours, 'select_things', SELECT, [unsendable])).rejects.toThrow('cannot be sent');
    expect((await queryNamed(ours, 'select_things', SELECT, [1])).rows.map((row) => row.id)).toEqual([1]);
    expect((await ours.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });
});
