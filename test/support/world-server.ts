/** The usual frame of a route test file: one demo server holding the permission world. */
import { afterAll, beforeAll } from 'vitest';
import { createWorld, startTestServer, type TestServer } from './server.js';

export type World = Awaited<ReturnType<typeof createWorld>>;

/**
 * Before the file's tests: a server with the reference's sample data (API.md §8)
 * and `createWorld`'s users, handed to `receive`; after them: closed, database dropped.
 */
export function useWorldServer(receive: (server: TestServer, world: World) => void, env: Record<string, string> = { ECGRID_DEMO: '1' }): void {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(env);
    receive(server, await createWorld(server));
  });
  afterAll(() => server?.close());
}
