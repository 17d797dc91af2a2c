/**
 * The authorization matrix over HTTP (issue 8): every authenticated endpoint ×
 * callers of all 9 AuthLevels (15 placements) × every relation of
 * PERMISSIONS.md, each answer (200 / 403 / 404 / 400 naming a destination)
 * compared with the one computed from src/domain/permissions.ts, and every
 * refused request checked to have changed nothing. Then the same cases for a
 * caller of each scope kind with a Bearer token instead of an API key.
 */
import { isConsoleRoute } from '../../src/http/console.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_ROUTES } from '../../src/contract/operation-routes.js';
import { AUTH_LEVELS } from '../../src/domain/levels.js';
import { MATRIX, MISSING, OPEN_TO_EVERY_CALLER, type AuthenticatedOperation } from '../support/authz-cases.js';
import { byApiKey, byBearer, mismatchTable, runMatrix, type MatrixRun, type Outcome } from '../support/authz-runner.js';
import { buildAuthzWorld, describeMember, type AuthzWorld } from '../support/authz-world.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { limit } from '../support/timeouts.js';

let server: TestServer;
let world: AuthzWorld;
let keyRun: MatrixRun | undefined;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildAuthzWorld(server);
}, limit(120_000));
afterAll(() => server?.close());

const cell = (o: Outcome) => `${o.variant}|${o.caller}|${o.column}`;
const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('authorization matrix over HTTP', () => {
  it('maps every endpoint that needs a credential, and only those', async () => {
    const document = (await (await fetch(`${server.url}/swagger/v2/swagger.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const isPublic = (method: string, path: string) => document.paths[path]?.[method.toLowerCase()]?.security?.length === 0;
    const authenticated = server.app.registeredRoutes
      // POST /mcp is one endpoint for ten read tools, each answering as the REST read it adapts:
      // test/mcp/differential.test.ts holds every caller × tool × target to those REST answers.
      .filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/swagger') && !isConsoleRoute(r.url) && r.url !== '/mcp')
      .map((r) => ({ method: r.method, path: toOpenApiPath(r.url) }))
      .filter((r) => !isPublic(r.method, r.path))
      .map((r) => `${r.method} ${r.path}`);
    const mapped = Object.entries(MATRIX)
      .filter(([, variants]) => variants.length > 0)
      .map(([operation]) => OPERATION_ROUTES[operation as AuthenticatedOperation])
      .map((route) => `${route.method} ${route.path}`);
    expect(new Set(authenticated).size).toBe(authenticated.length);
    expect([...authenticated].sort()).toEqual([...mapped].sort());
  });

  it('answers every endpoint × level × relation as the permission module says (X-API-Key)', async () => {
    const started = Date.now();
    keyRun = await runMatrix(world, world.callers, byApiKey);
    const { outcomes, requests } = keyRun;
    const endpoints = new Set(outcomes.map((o) => o.operation)).size;
    const variants = new Set(outcomes.map((o) => o.variant)).size;
    const relations = new Set(outcomes.map((o) => o.column)).size;
    const mismatches = outcomes.filter((o) => o.problems.length > 0).length;
    const letters = (wanted: RegExp) => outcomes.filter((o) => wanted.test(o.observed)).length;
    console.log(
      `authorization matrix: ${endpoints} endpoints (${variants} variants) × ${AUTH_LEVELS.length} levels (${world.callers.length} callers) × ` +
        `${relations} relations = ${requests} requests, ${mismatches} mismatches ` +
        `(${letters(/^[AL]$/)} allowed, ${letters(/^F$/)} 403, ${letters(/^[NH]$/)} 404 or not listed, ${letters(/^I:/)} 400 destination, ` +
        `${letters(/^P$/)} 412 stale If-Match; ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    expect(mismatches, mismatchTable(outcomes)).toBe(0);

    // The table is not trivial: every rule both allows and refuses someone (beyond objects that do not exist).
    for (const variant of new Set(outcomes.map((o) => o.variant))) {
      const row = outcomes.filter((o) => o.variant === variant);
      if (OPEN_TO_EVERY_CALLER.has(row[0]!.operation)) {
        expect(row.every((o) => o.expected === 'A'), variant).toBe(true);
        continue;
      }
      expect(row.some((o) => /^[ALP]$/.test(o.expected)), `${variant} allows someone`).toBe(true);
      expect(row.some((o) => o.column !== MISSING && /^(F|N|H|I:)/.test(o.expected)), `${variant} refuses someone`).toBe(true);
    }
  }, limit(180_000));

  it('answers the same with a Bearer token from POST /v2/auth/login (a caller of each scope kind)', async () => {
    expect(keyRun, 'the X-API-Key run comes first').toBeDefined();
    const sample = world.callers.filter((c) => ['NetOps@00', 'NetworkAdmin@A1', 'MailboxAdmin@A1', 'TPUser@A1'].includes(describeMember(c)));
    expect(sample).toHaveLength(4);
    const bearer = await runMatrix(world, sample, byBearer(server.url));
    const byKey = new Map(keyRun!.outcomes.map((o) => [cell(o), o.observed]));
    for (const outcome of bearer.outcomes) {
      if (byKey.get(cell(outcome)) !== outcome.observed) outcome.problems.push(`with X-API-Key: ${byKey.get(cell(outcome))}`);
    }
    const mismatches = bearer.outcomes.filter((o) => o.problems.length > 0).length;
    console.log(`authorization matrix with Bearer tokens: ${sample.length} callers, ${bearer.requests} requests, ${mismatches} differences from X-API-Key`);
    expect(mismatches, mismatchTable(bearer.outcomes)).toBe(0);
    expect(bearer.requests).toBeGreaterThan(500);
  }, limit(120_000));
});
