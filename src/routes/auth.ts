/** Auth routes (API.md §4). */
import { Envelope } from '../contract/common.js';
import { VersionInfo } from '../contract/auth.js';
import { ok } from '../http/errors.js';
import type { RouteHost } from '../http/route-host.js';

export const API_VERSION = '2.6';
const tags = ['Auth'];

/** Routes that need no credential. */
export function registerPublicAuthRoutes({ app }: RouteHost): void {
  app.get('/v2/auth/version', {
    schema: { operationId: 'getVersion', tags, summary: 'API version', security: [], response: { 200: Envelope(VersionInfo) } },
    handler: async () => ok({ version: API_VERSION }),
  });
}
