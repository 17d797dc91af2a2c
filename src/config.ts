/**
 * Configuration: read once from the environment (and `serve` flags, which
 * override it), validated, frozen. Every bad variable is reported at once.
 * The OPTIONS table is the single list: the CLI derives its flags and the
 * README its table from it.
 */
import { dirname, join, resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type LogFormat = 'auto' | 'pretty' | 'json';

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly sqliteFile: string;
  readonly sqliteSynchronous: 'normal' | 'full';
  readonly databaseUrl: string | null;
  readonly poolSize: number;
  readonly rootApiKey: string | null;
  readonly demo: boolean;
  readonly logLevel: LogLevel;
  /** `auto`: readable lines on a terminal, JSON lines otherwise (http/log-format.ts). */
  readonly logFormat: LogFormat;
  /** ECGRID_MASTER_KEY as given, or null to use `masterKeyFile`. */
  readonly masterKey: string | null;
  readonly masterKeyFile: string | null;
  readonly tokenTtlSeconds: number;
  readonly jwtSecret: string | null;
  readonly bodyLimit: number;
  readonly rateLimit: boolean;
  readonly rateLimits: { credentialPerSecond: number; anonymousPerSecond: number; loginPerMinute: number };
  readonly smtpUrl: string | null;
  readonly smtpFrom: string;
  readonly trustProxy: boolean;
}

interface Option {
  env: string;
  flag: string;
  description: string;
  default: string;
}

export const OPTIONS: readonly Option[] = [
  { env: 'PORT', flag: '--port', description: 'TCP port to listen on', default: '8080' },
  { env: 'HOST', flag: '--host', description: 'Address to bind', default: '127.0.0.1' },
  { env: 'ECGRID_DB', flag: '--db', description: 'SQLite database file (created with its directory on first start)', default: './data/ecgrid.db' },
  { env: 'ECGRID_SQLITE_SYNC', flag: '--sqlite-sync', description: '`normal` (survives process crashes) or `full` (fsync per commit: survives power loss)', default: 'normal' },
  { env: 'DATABASE_URL', flag: '--database-url', description: 'postgres://… selects PostgreSQL instead of SQLite', default: '' },
  { env: 'ECGRID_PG_POOL', flag: '--pg-pool', description: 'PostgreSQL connection pool size per instance', default: '10' },
  { env: 'ECGRID_ROOT_API_KEY', flag: '--root-api-key', description: 'On a database with no Root user, create user `root` with this primary API key (≥ 16 visible characters). Without it a key is generated and printed once to stderr', default: '' },
  { env: 'ECGRID_DEMO', flag: '--demo', description: '`1` loads the sample objects of API.md §8 if absent', default: '0' },
  { env: 'LOG_LEVEL', flag: '--log-level', description: 'fatal, error, warn, info, debug, trace or silent', default: 'info' },
  { env: 'LOG_FORMAT', flag: '--log-format', description: '`pretty` (readable lines) or `json` (one object per line); default: pretty on a terminal, json otherwise', default: 'auto' },
  { env: 'ECGRID_MASTER_KEY', flag: '--master-key', description: '32-byte key (64 hex chars or base64) encrypting retrievable primary API keys. Required with PostgreSQL unless ECGRID_MASTER_KEY_FILE is set', default: '' },
  { env: 'ECGRID_MASTER_KEY_FILE', flag: '--master-key-file', description: 'Key file used when ECGRID_MASTER_KEY is unset; created with mode 0600 if missing', default: '<dir of ECGRID_DB>/master.key' },
  { env: 'ECGRID_TOKEN_TTL', flag: '--token-ttl', description: 'Bearer token lifetime: minutes, or a number with s/m/h', default: '60' },
  { env: 'ECGRID_JWT_SECRET', flag: '--jwt-secret', description: 'JWT signing secret (≥ 32 chars); default: generated once and kept in the database', default: '' },
  { env: 'ECGRID_BODY_LIMIT', flag: '--body-limit', description: 'Largest request body in bytes (413 above)', default: '65536' },
  { env: 'ECGRID_RATE_LIMIT', flag: '--rate-limit', description: '`off` disables rate limiting (benchmarks)', default: 'on' },
  { env: 'ECGRID_RATE_CREDENTIAL', flag: '--rate-credential', description: 'Requests per second per API key or session (bursts of twice that)', default: '100' },
  { env: 'ECGRID_RATE_ANONYMOUS', flag: '--rate-anonymous', description: 'Requests per second per client address without a valid credential', default: '20' },
  { env: 'ECGRID_RATE_LOGIN', flag: '--rate-login', description: 'Login attempts per minute per login name and client address', default: '10' },
  { env: 'SMTP_URL', flag: '--smtp-url', description: 'smtp://host:port relay for SMS e-mail; unset = messages go to the outbox table', default: '' },
  { env: 'SMTP_FROM', flag: '--smtp-from', description: 'Sender address of SMS e-mail', default: 'ecgrid-identity@localhost' },
  { env: 'ECGRID_TRUST_PROXY', flag: '--trust-proxy', description: '`1` takes the client address from X-Forwarded-For', default: '0' },
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const LOG_FORMATS: readonly LogFormat[] = ['auto', 'pretty', 'json'];

/** "60" (minutes), "90s", "15m", "2h" → seconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)\s*([smh]?)$/.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]);
  const unit = match[2] || 'm';
  const seconds = value * (unit === 's' ? 1 : unit === 'm' ? 60 : 3600);
  return seconds > 0 ? seconds : null;
}

function parseFlag(text: string): boolean | null {
  const normalized = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalized)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(normalized)) return false;
  return null;
}

/** Builds the Config from environment-style values (flags already merged in by the CLI). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const problems: string[] = [];
  const get = (name: string): string => {
    const option = OPTIONS.find((o) => o.env === name)!;
    const value = env[name];
    return value === undefined || value === '' ? (option.default.startsWith('<') ? '' : option.default) : value;
  };
  const integer = (name: string, min: number, max: number): number => {
    const text = get(name);
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) problems.push(`${name}: must be an integer from ${min} to ${max} (got "${text}")`);
    return value;
  };
  const flag = (name: string): boolean => {
    const value = parseFlag(get(name));
    if (value === null) problems.push(`${name}: must be 1/0, true/false, on/off (got "${get(name)}")`);
    return value ?? false;
  };

  const port = integer('PORT', 0, 65535);
  const sqliteFile = resolve(get('ECGRID_DB'));
  const databaseUrl = get('DATABASE_URL') || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL: must start with postgres:// or postgresql://');
  const sqliteSynchronous = get('ECGRID_SQLITE_SYNC');
  if (sqliteSynchronous !== 'normal' && sqliteSynchronous !== 'full') problems.push('ECGRID_SQLITE_SYNC: must be normal or full');
  const logLevel = get('LOG_LEVEL') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = get('LOG_FORMAT').trim().toLowerCase() as LogFormat;
  if (!LOG_FORMATS.includes(logFormat)) problems.push(`LOG_FORMAT: must be pretty or json (or auto: pretty on a terminal)`);
  const rootApiKey = get('ECGRID_ROOT_API_KEY') || null;
  if (rootApiKey !== null && !/^[\x21-\x7e]{16,256}$/.test(rootApiKey)) {
    problems.push('ECGRID_ROOT_API_KEY: must be 16–256 visible ASCII characters');
  }
  const tokenTtlSeconds = parseDuration(get('ECGRID_TOKEN_TTL'));
  if (tokenTtlSeconds === null) problems.push('ECGRID_TOKEN_TTL: must be minutes, or a number with s, m or h (e.g. 60, 90s, 2h)');
  const jwtSecret = get('ECGRID_JWT_SECRET') || null;
  if (jwtSecret !== null && jwtSecret.length < 32) problems.push('ECGRID_JWT_SECRET: must be at least 32 characters');
  const masterKey = get('ECGRID_MASTER_KEY') || null;
  let masterKeyFile = get('ECGRID_MASTER_KEY_FILE') || null;
  if (!masterKey && !masterKeyFile) {
    if (databaseUrl) problems.push('ECGRID_MASTER_KEY: required with PostgreSQL (every instance must share it), or set ECGRID_MASTER_KEY_FILE');
    else masterKeyFile = join(dirname(sqliteFile), 'master.key');
  }
  const smtpUrl = get('SMTP_URL') || null;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) problems.push('SMTP_URL: must start with smtp:// or smtps://');

  const config: Config = {
    host: get('HOST'),
    port,
    sqliteFile,
    sqliteSynchronous: sqliteSynchronous as 'normal' | 'full',
    databaseUrl,
    poolSize: integer('ECGRID_PG_POOL', 1, 1000),
    rootApiKey,
    demo: flag('ECGRID_DEMO'),
    logLevel,
    logFormat,
    masterKey,
    masterKeyFile: masterKeyFile ? resolve(masterKeyFile) : null,
    tokenTtlSeconds: tokenTtlSeconds ?? 3600,
    jwtSecret,
    bodyLimit: integer('ECGRID_BODY_LIMIT', 1024, 100 * 1024 * 1024),
    rateLimit: flag('ECGRID_RATE_LIMIT'),
    rateLimits: {
      credentialPerSecond: integer('ECGRID_RATE_CREDENTIAL', 1, 1_000_000),
      anonymousPerSecond: integer('ECGRID_RATE_ANONYMOUS', 1, 1_000_000),
      loginPerMinute: integer('ECGRID_RATE_LOGIN', 1, 1_000_000),
    },
    smtpUrl,
    smtpFrom: get('SMTP_FROM'),
    trustProxy: flag('ECGRID_TRUST_PROXY'),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
