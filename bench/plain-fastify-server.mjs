/**
 * The reference for the HTTP floor (issue 16): plain Fastify 5 with our
 * version route's answer and response schema, its logger on at level warn
 * (a child logger per request, as ours), and nothing else: no hooks, no
 * request id of our own, no answer headers. What Fastify itself costs per
 * answer; `bench/profile-floor.mjs --plain-fastify` measures it.
 */
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const app = Fastify({ logger: { level: 'warn' } });
const envelope = {
  type: 'object',
  properties: {
    success: { type: 'boolean' },
    data: { type: 'object', properties: { version: { type: 'string' } } },
    errorCode: { type: 'string' },
    message: { type: 'string' },
  },
};
app.get('/v2/auth/version', { schema: { response: { 200: envelope } } }, async () => ({ success: true, data: { version: '2.6' }, errorCode: '', message: '' }));
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`listening on http://127.0.0.1:${app.server.address().port}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
