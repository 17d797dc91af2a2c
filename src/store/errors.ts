/** Errors the store raises in domain terms, whatever the dialect. */

/** A unique constraint was violated; `constraint` names it (see migrations). */
export class StoreConflict extends Error {
  constructor(readonly constraint: string) {
    super(`unique constraint ${constraint} violated`);
    this.name = 'StoreConflict';
  }
}

/** The database could not be reached or dropped the connection. */
export class StoreUnavailable extends Error {
  /** No pooled connection freed up in time: trying again would only wait as long again. */
  readonly poolExhausted: boolean;

  constructor(message: string, options?: { cause?: unknown; poolExhausted?: boolean }) {
    super(message, options);
    this.name = 'StoreUnavailable';
    this.poolExhausted = options?.poolExhausted ?? false;
  }
}
