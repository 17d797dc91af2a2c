/**
 * A TCP relay between a store and PostgreSQL that counts round trips: it holds
 * every answer back `delayMs` (far longer than a store takes to send what
 * follows a statement it does not wait for), so that a round trip is a stretch
 * of the store's writes that ends when an answer reaches it.
 */
import { Socket, createConnection, createServer, type Server } from 'node:net';

export interface PgRelay {
  /** Listens on 127.0.0.1; resolves to the port. */
  listen(): Promise<number>;
  /** The database URL `url` points at, through this relay (listening on `port`). */
  urlThrough(url: string, port: number): string;
  /** Round trips from now on. */
  count(): () => number;
  /** How long answers are held from now on (0 while a server starts: its migrations are many statements). */
  hold(delayMs: number): void;
  close(): Promise<void>;
}

export function pgRelay(target: { host: string; port: number }, delayMs = 15): PgRelay {
  let roundTrips = 0;
  let answered = true;
  let delay = delayMs;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (answered) roundTrips++;
      answered = false;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) =>
      setTimeout(() => {
        answered = true;
        client.write(chunk);
      }, delay),
    );
    const close = () => (client.destroy(), upstream.destroy());
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  return {
    listen: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port))),
    urlThrough(url, port) {
      const through = new URL(url);
      through.hostname = '127.0.0.1';
      through.port = String(port);
      return through.toString();
    },
    count: () => {
      const from = roundTrips;
      return () => roundTrips - from;
    },
    hold(delayMs) {
      delay = delayMs;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The host and port of a PostgreSQL URL. */
export function pgTarget(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 5432) };
}
