/** Users routes (API.md §3): schema + one service call each. */
import { Type } from 'typebox';
import { Envelope, IdParams } from '../contract/common.js';
import { ByNameBody, CreateUserBody, ListUsersBody, UpdateUserBody, UserIDInfo } from '../contract/users.js';
import { matchesIfMatch, presentUser, userEtag } from '../services/present.js';
import { ok } from '../http/errors.js';
import type { RouteHost } from '../http/route-host.js';

const UserEnvelope = { 200: Envelope(UserIDInfo) };
const UsersEnvelope = { 200: Envelope(Type.Array(UserIDInfo)) };
const TrueEnvelope = { 200: Envelope(Type.Boolean()) };
const KeyEnvelope = { 200: Envelope(Type.String({ description: 'API key' })) };
const tags = ['Users'];

export function registerUserRoutes({ app, services }: RouteHost): void {
  const users = services.users;

  app.put('/v2/users', {
    schema: { operationId: 'updateUser', tags, summary: 'Update User', body: UpdateUserBody, response: UserEnvelope },
    handler: async (request, reply) => {
      const ifMatch = request.headers['if-match'];
      const user = await users.update(request.caller, request.body, ifMatch === undefined ? undefined : (u) => matchesIfMatch(ifMatch, u));
      reply.header('ETag', userEtag(user));
      return ok(presentUser(user));
    },
  });

  app.get('/v2/users/me', {
    schema: { operationId: 'getCurrentUser', tags, summary: 'Get the calling user', response: UserEnvelope },
    handler: async (request) => ok(presentUser(await users.me(request.caller))),
  });

  app.get('/v2/users/:id', {
    schema: { operationId: 'getUser', tags, summary: 'Get User', params: IdParams, response: UserEnvelope },
    handler: async (request, reply) => {
      const user = await users.get(request.caller, request.params.id);
      reply.header('ETag', userEtag(user));
      return ok(presentUser(user));
    },
  });

  app.post('/v2/users', {
    schema: { operationId: 'createUser', tags, summary: 'Create User', body: CreateUserBody, response: UserEnvelope },
    handler: async (request) => ok(presentUser(await users.create(request.caller, request.body))),
  });

  app.delete('/v2/users/:id', {
    schema: { operationId: 'terminateUser', tags, summary: 'Terminate User (permanent)', params: IdParams, response: TrueEnvelope },
    handler: async (request) => {
      await users.terminate(request.caller, request.params.id);
      return ok(true);
    },
  });

  app.post('/v2/users/list', {
    schema: { operationId: 'listUsers', tags, summary: 'List Users', body: ListUsersBody, response: UsersEnvelope },
    handler: async (request, reply) => {
      const { users: page, total } = await users.list(request.caller, request.body);
      reply.header('X-Total-Count', String(total));
      return ok(page.map(presentUser));
    },
  });

  app.post('/v2/users/by-name', {
    schema: { operationId: 'getUsersByName', tags, summary: 'Find users by login', body: ByNameBody, response: UsersEnvelope },
    handler: async (request) => ok((await users.byName(request.caller, request.body.login)).map(presentUser)),
  });

  app.post('/v2/users/key-generate/:id', {
    schema: { operationId: 'generateUserKey', tags, summary: 'Generate a new primary API key', params: IdParams, response: KeyEnvelope },
    handler: async (request) => ok(await users.generateKey(request.caller, request.params.id)),
  });

  app.get('/v2/users/key/:id', {
    schema: { operationId: 'getUserKey', tags, summary: 'Get the primary API key', params: IdParams, response: KeyEnvelope },
    handler: async (request) => ok(await users.readKey(request.caller, request.params.id)),
  });
}
