/**
 * A transaction's statements on one pooled PostgreSQL connection, sent without
 * waiting where nothing needs the answer yet (issue 16: a mutation in fewer
 * round trips).
 *
 * pg's pipeline mode (the pool's `pipeline: true`) writes a query as soon as it
 * is asked, behind any still unanswered; PostgreSQL runs them in order. This
 * client uses that in two places, and nowhere else: outside a transaction each
 * statement is asked only after the one before was answered, as before.
 *
 * - BEGIN is answered at once, unsent-for: it goes out, and the transaction's
 *   first statement right behind it, in one round trip. Its real answer is
 *   awaited with that statement's.
 * - A statement whose SQL ends with UNTIL_COMMIT (one nobody reads the
 *   answer of: the audit INSERT; the UPDATE of a row the transaction read
 *   FOR UPDATE, `updateHeld` of users, networks and mailboxes) is answered at
 *   once too, with no rows, and its real answer awaited with the next
 *   statement that is awaited, at the latest with COMMIT: the write, its
 *   event and COMMIT share a round trip.
 *
 * What goes early is held in the socket (corked) until the statement awaited
 * after it is written, so that they leave in one write: BEGIN with the first
 * statement, the UPDATE and the event with COMMIT. Writing each alone (a
 * syscall, and a wake-up of the backend for each) was 23 % of the server's
 * CPU under update-config load.
 *
 * A change of one row (read FOR UPDATE, decide, write, audit) is then two
 * round trips where it was five; one that awaits a write, three. Nothing is
 * weakened: every statement still runs, in the order asked, inside the
 * transaction; an error of one sent early fails the statement awaited with it
 * (and so the transaction, whose COMMIT PostgreSQL then answers with
 * ROLLBACK), with its own error.
 */
import type pg from 'pg';
import type { PostgresPoolClient } from 'kysely';
import { UNTIL_COMMIT } from './dialect.js';

type Send = (text: string, values: unknown[] | undefined) => Promise<pg.QueryResult>;

/** What Kysely's connection reads of an answer (command, rowCount, rows), for statements answered before PostgreSQL has. */
const answeredEarly = (command: string, rowCount: number | null) => Promise.resolve({ command, rowCount, rows: [], fields: [], oid: 0 } as pg.QueryResult);

/** The socket pg writes a client's messages to (pg's own Query corks it the same way; not in @types/pg). */
const socketOf = (client: pg.PoolClient) => (client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;

/** `send` runs a statement on the client (named or not); the rest of the client is pg's. */
export function pipelinedClient(client: pg.PoolClient, send: Send): PostgresPoolClient {
  let inTransaction = false;
  /** Sent, answered early, not yet awaited: in the order sent. */
  let outstanding: Promise<pg.QueryResult>[] = [];
  /** Whether the socket holds statements sent early (corked by sendEarly, uncorked once an awaited one is written). */
  let corked = false;
  /** Whether a statement sent early in this transaction has failed (known by the time COMMIT is asked if pg failed it itself). */
  let failedEarly = false;

  function flush(): void {
    if (!corked) return;
    corked = false;
    socketOf(client).uncork();
  }

  /** `own`'s answer once every outstanding statement's is in; the first error, in the order sent, if any. */
  async function withOutstanding(own: Promise<pg.QueryResult>): Promise<pg.QueryResult> {
    const earlier = outstanding;
    outstanding = [];
    let failure: { error: unknown } | undefined;
    for (const answer of [...earlier, own]) {
      try {
        const result = await answer;
        if (answer === own && failure === undefined) return result;
      } catch (error) {
        failure ??= { error };
      }
    }
    throw failure!.error;
  }

  /** Sends now; awaited later (withOutstanding). Marked handled: its error is thrown where it is awaited. */
  function sendEarly(text: string, values: unknown[] | undefined): void {
    if (!corked) {
      corked = true;
      socketOf(client).cork();
    }
    const answer = send(text, values);
    answer.catch(() => (failedEarly = true));
    outstanding.push(answer);
  }

  const query = (text: unknown, values?: unknown[]): Promise<pg.QueryResult> => {
    if (typeof text !== 'string') return client.query(text as never);
    if (text === 'begin') {
      inTransaction = true;
      failedEarly = false;
      sendEarly(text, values);
      return answeredEarly('BEGIN', null);
    }
    if (inTransaction && text.endsWith(UNTIL_COMMIT)) {
      sendEarly(text, values);
      return answeredEarly(text.slice(0, text.indexOf(' ')).toUpperCase(), 1);
    }
    if (text === 'commit' || text === 'rollback') inTransaction = false;
    // A statement sent early that pg failed before PostgreSQL saw it (a value it could not send) does not abort the
    // server's transaction: COMMIT would keep the rest without it. Undone instead, and its error thrown (withOutstanding).
    const own = send(text === 'commit' && failedEarly ? 'rollback' : text, values);
    flush();
    if (outstanding.length === 0) return own;
    if (text === 'rollback') {
      // Whatever the statements sent early did, the transaction is being undone; their errors were the work's to see.
      outstanding = [];
      return own;
    }
    return withOutstanding(own);
  };

  return {
    query: query as unknown as PostgresPoolClient['query'],
    release(destroy?: boolean) {
      // Kysely ends every transaction before it releases; this only makes sure a reused client starts clean.
      inTransaction = false;
      failedEarly = false;
      outstanding = [];
      flush();
      client.release(destroy);
    },
  };
}
