/**
 * What `serve` says once it listens (on stderr, apart from the log): where,
 * on which database (a PostgreSQL password masked), whether demo data was
 * loaded, and where a person goes next — the console and the API reference.
 */
import type { Config } from '../config.js';
import { describeDatabase, type RunningServer } from '../server.js';
import { resolveLogFormat } from '../http/log-format.js';

export function startBanner(config: Config, server: Pick<RunningServer, 'url' | 'demoLoaded'>): string {
  const demo =
    server.demoLoaded === null
      ? 'not loaded (ECGRID_DEMO=1 or --demo loads the reference\'s sample objects)'
      : server.demoLoaded.length > 0
        ? `loaded now: ${server.demoLoaded.join(', ')}`
        : 'loaded (already present)';
  const rows: Array<[string, string]> = [
    ['store', describeDatabase(config)],
    ['demo data', demo],
    ['console', `${server.url}/console/`],
    ['API reference', `${server.url}/swagger/ (OpenAPI document: ${server.url}/swagger/v2/swagger.json)`],
    ['log', `${config.logLevel}, ${resolveLogFormat(config.logFormat, process.stdout.isTTY === true)} on stdout (LOG_LEVEL, LOG_FORMAT)`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [`ecgrid-identity listening on ${server.url}`, ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`), ''].join('\n');
}
