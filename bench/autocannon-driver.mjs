/**
 * Load with autocannon when wrk is missing: `node autocannon-driver.mjs <json>`
 * with { url, scenario, params, connections, seconds }; prints one JSON line
 * { rps, p50, p99, non2xx }. Run as its own process so it can be pinned to
 * the other core, like wrk.
 */
import autocannon from 'autocannon';
import { scenarios } from './scenarios.mjs';

const { url, scenario, params, connections, seconds } = JSON.parse(process.argv[2]);
const next = scenarios[scenario].request(params);
const result = await autocannon({
  url,
  connections,
  duration: seconds,
  requests: [{ setupRequest: (request) => ({ ...request, ...next() }) }],
});
process.stdout.write(`${JSON.stringify({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx })}\n`);
