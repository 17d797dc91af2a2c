/**
 * A server built without its console (tsc alone, or a bundle whose console
 * build failed) still starts: /console/ says how to build it, /console and /
 * still redirect. Registering both once crashed the start ("Method 'GET'
 * already declared for route '/console'").
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerConsole } from '../../src/http/console.js';
import type { App } from '../../src/http/route-host.js';

describe('console routes without a built console', () => {
  it('register, answer 503 with the build hint at /console/, and keep the redirects', async () => {
    const app = Fastify();
    await registerConsole(app as unknown as App, null);
    await app.ready();
    const page = await app.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    const bare = await app.inject({ method: 'GET', url: '/console' });
    expect([bare.statusCode, bare.headers.location]).toEqual([301, '/console/']);
    const root = await app.inject({ method: 'GET', url: '/' });
    expect([root.statusCode, root.headers.location]).toEqual([302, '/console/']);
    await app.close();
  });
});
