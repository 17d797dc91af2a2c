/** What a failed call of the client throws. */
export class EcgridError extends Error {
  readonly retryAfterSeconds: number | undefined;

  constructor(
    /** HTTP status; 0 when no answer came (connection refused, reset, DNS). */
    readonly status: number,
    /** The envelope's errorCode (`InvalidParameter`, `ObjectNotFound`, …), or `NetworkError`. */
    readonly errorCode: string,
    message: string,
    /** The server's X-Request-Id, to find the request in its logs. */
    readonly requestId: string | null,
    extra?: { retryAfterSeconds?: number; cause?: unknown },
  ) {
    super(message, extra?.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'EcgridError';
    this.retryAfterSeconds = extra?.retryAfterSeconds;
  }
}
