/**
 * The load of each scenario, twice: as a wrk Lua script and as an autocannon
 * request generator (used when wrk is not installed). Both send the same
 * requests: the seed's PUT body over 10,000 users, GETs of random users,
 * list pages with filters, logins of seeded users.
 */
const SEED_BODY = '{ "userId": 1042, "email": "john.smith@example.com", "firstName": "John", "lastName": "Smith" }';
const random = (max) => 1 + Math.floor(Math.random() * max);
/**
 * A tag unique to each run of a scenario. Without it, every wrk run replayed the
 * same requests (its Lua random numbers are not seeded, and the counter starts
 * at 0), so the PUTs of a second round found their e-mail already set and
 * wrote nothing: a quarter to a half of the PUTs measured were no-ops.
 */
let runs = 0;
const runTag = () => `${process.pid.toString(36)}r${(runs++).toString(36)}t${Date.now().toString(36)}`;

/**
 * A load whose every request writes: a random user among `users` (`id`), and a
 * counter (`n`) and the run's tag (`tag`) that make each body one the database
 * does not hold yet. `luaBody` is the body as a Lua expression of id, n and tag;
 * `body(id, n, tag)` the same in JavaScript.
 */
function writing(method, path, luaBody, body) {
  return {
    lua: ({ key, users }) => `wrk.method = "${method}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "${key}"
local n = 0
local tag = "${runTag()}"
math.randomseed(${random(2 ** 30)})
request = function()
  n = n + 1
  local id = math.random(1, ${users})
  return wrk.format(nil, "${path}", nil, ${luaBody})
end
`,
    request: ({ key, users }) => {
      let n = 0;
      const tag = runTag();
      return () => {
        n++;
        return { method, path, headers: { 'content-type': 'application/json', 'x-api-key': key }, body: body(random(users), n, tag) };
      };
    },
  };
}

export const scenarios = {
  /** The bare node:http baseline: the seed's body, parsed, answered with a fixed envelope. */
  baseline: {
    lua: () => `wrk.method = "PUT"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = '${SEED_BODY}'\n`,
    request: () => () => ({ method: 'PUT', path: '/v2/users', headers: { 'content-type': 'application/json' }, body: SEED_BODY }),
  },
  /** No database, no credential: what the HTTP layer itself costs (issue 16). */
  version: {
    lua: () => 'wrk.path = "/v2/auth/version"\n',
    request: () => () => ({ method: 'GET', path: '/v2/auth/version' }),
  },
  put: writing(
    'PUT',
    '/v2/users',
    `string.format('{ "userId": %d, "email": "u%d.w%d.%s@example.com", "firstName": "F%d", "lastName": "L%d" }', id, id, n, tag, n, n)`,
    (id, n, tag) => `{ "userId": ${id}, "email": "u${id}.w${n}.${tag}@example.com", "firstName": "F${n}", "lastName": "L${n}" }`,
  ),
  /** POST /v2/users/update-config, every call writing: a mutation of the BEGIN … COMMIT kind (a locking read, an UPDATE, its audit event). */
  config: writing(
    'POST',
    '/v2/users/update-config',
    `string.format('{ "userId": %d, "company": "C%d.%s" }', id, n, tag)`,
    (id, n, tag) => `{ "userId": ${id}, "company": "C${n}.${tag}" }`,
  ),
  get: {
    lua: ({ key, users }) => `wrk.headers["X-API-Key"] = "${key}"
request = function() return wrk.format("GET", "/v2/users/" .. math.random(1, ${users})) end
`,
    request: ({ key, users }) => () => ({ method: 'GET', path: `/v2/users/${random(users)}`, headers: { 'x-api-key': key } }),
  },
  list: {
    lua: ({ key, networks }) => `wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "${key}"
request = function()
  return wrk.format(nil, "/v2/users/list", nil, string.format('{ "networkId": %d, "status": "Active", "pageNo": %d, "recordsPerPage": 25 }', math.random(1, ${networks}), math.random(1, 40)))
end
`,
    request: ({ key, networks }) => () => ({
      method: 'POST', path: '/v2/users/list', headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: `{ "networkId": ${random(networks)}, "status": "Active", "pageNo": ${random(40)}, "recordsPerPage": 25 }`,
    }),
  },
  login: {
    lua: ({ logins, password }) => `LOGINS = { ${logins.map((l) => `"${l}"`).join(', ')} }
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  return wrk.format(nil, "/v2/auth/login", nil, '{ "login": "' .. LOGINS[math.random(1, #LOGINS)] .. '", "password": "${password}" }')
end
`,
    request: ({ logins, password }) => () => ({
      method: 'POST', path: '/v2/auth/login', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: logins[random(logins.length) - 1], password }),
    }),
  },
};
