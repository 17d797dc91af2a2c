/**
 * The admin console (issue 14): a static single-page app built into
 * dist/console by `npm run build` (web/console/, rolldown), served here at
 * /console/ with @fastify/static. It is a client of the public /v2 API only:
 * this module adds no data route, just files, a strict Content-Security-Policy
 * on them, and `GET /` → /console/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { App } from './route-host.js';

export const CONSOLE_PREFIX = '/console/';

/** The routes this module adds (`/`, `/console`, `/console/*`): files and redirects, not API operations. */
export function isConsoleRoute(url: string): boolean {
  return url === '/' || url === '/console' || url.startsWith('/console/');
}

/**
 * No inline script or style, nothing from another origin, API calls to this
 * origin only; the console is never framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * dist/console of this package: found from this module's own place, which is
 * src/http (tests), dist/http (tsc output) or dist (the one-file server bundle).
 */
export function defaultConsoleDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'ecgrid-identity') {
      const built = join(dir, 'dist', 'console');
      return existsSync(join(built, 'index.html')) ? built : null;
    }
    dir = dirname(dir);
  }
  return null;
}

export async function registerConsole(app: App, root: string | null = defaultConsoleDir()): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect(CONSOLE_PREFIX, 302));
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect(CONSOLE_PREFIX, 301));
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', CONSOLE_CSP);
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-frame-options', 'DENY');
      return payload;
    });
    // A missing file is a plain 404 (the app-wide handler would answer 405: the wildcard route exists for GET).
    scope.setNotFoundHandler(async (request, reply) => reply.code(404).type('text/plain; charset=utf-8').send(`Not found: ${request.url.split('?')[0]}`));
    if (root === null) {
      // Built without the console (e.g. tsc alone): say so instead of a bare 404.
      // '/console/' only: '/console' is the redirect above (a prefixed '/' would claim both).
      scope.route({
        method: 'GET',
        url: '/',
        prefixTrailingSlash: 'slash',
        schema: { hide: true },
        handler: async (_request, reply) => reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run `npm run build`.'),
      });
      return;
    }
    await scope.register(fastifyStatic, { root, prefix: '/', index: ['index.html'], wildcard: true, decorateReply: false, cacheControl: false, etag: true });
  }, { prefix: '/console' });
}
