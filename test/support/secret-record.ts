/**
 * Every secret the suite uses — API keys, passwords, Bearer and refresh
 * tokens, master keys — appended to the run's secrets/ area (one JSON line
 * per distinct value and process) so that the final check can look for them
 * in every log and audit event. Recording does nothing outside a recorded run.
 * Which values are too trivial to look for is decided by the check, not here.
 */
import { appendFileSync } from 'node:fs';
import { runFile } from './test-run.js';

/** JSON field names (compared in lower case) that carry a secret in a request or an answer. */
const SECRET_FIELDS = new Set(['password', 'newpassword', 'currentpassword', 'token', 'refreshtoken', 'key', 'apikey']);

/** Answers whose `data` is itself a secret string: a primary key (read or regenerated) or a generated password. */
const SECRET_DATA_PATH = /^\/v2\/users\/(key|key-generate)\/|^\/v2\/users\/generate-password$/;

/** Environment variables of our programs that hold a secret. */
const SECRET_ENV = ['ECGRID_ROOT_API_KEY', 'ECGRID_API_KEY', 'ECGRID_TOKEN', 'ECGRID_MASTER_KEY', 'ECGRID_JWT_SECRET'];

/** Command-line flags whose value (next argument, or after `=`) is a secret (`--root-api-key`, `--master-key`, `--bearer`, `--new-password`, …); `-` means "read it from stdin". */
const SECRET_FLAG = /^--(?:[a-z-]+-)?(?:key|password|bearer|token|secret)$/;

let file: string | null | undefined;
const recorded = new Set<string>();

/** Records one secret value (strings only; each distinct value once per process). */
export function recordSecret(source: string, value: unknown): void {
  if (typeof value !== 'string' || value === '' || recorded.has(value)) return;
  file ??= runFile('secrets', 'secrets');
  if (!file) return;
  recorded.add(value);
  appendFileSync(file, `${JSON.stringify({ source, value })}\n`);
}

/** Records the values of secret-named fields anywhere in a parsed JSON document; masked keys (`abcd…wxyz`) are displays, not secrets. */
export function recordSecretFields(source: string, json: unknown): void {
  if (Array.isArray(json)) {
    for (const item of json) recordSecretFields(source, item);
    return;
  }
  if (typeof json !== 'object' || json === null) return;
  for (const [name, value] of Object.entries(json)) {
    if (typeof value === 'string') {
      if (SECRET_FIELDS.has(name.toLowerCase()) && !value.includes('…')) recordSecret(`${source} ${name}`, value);
    } else {
      recordSecretFields(source, value);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A request as sent: its API key (REST or MCP header), Bearer token and JSON body fields. */
export function recordRequestSecrets(path: string, headers: Headers, body: unknown): void {
  recordSecret(`X-API-Key ${path}`, headers.get('x-api-key') ?? undefined);
  recordSecret(`X-Connectivity-API-Key ${path}`, headers.get('x-connectivity-api-key') ?? undefined);
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.get('authorization') ?? '');
  if (bearer) recordSecret(`Bearer ${path}`, bearer[1]!.trim());
  if (typeof body === 'string') recordSecretFields(`request ${path}`, parseJson(body));
}

/** An answer's JSON text: secret fields anywhere in it, and `data` itself where the operation answers with a secret. */
export function recordResponseSecrets(path: string, text: string): void {
  const json = parseJson(text);
  recordSecretFields(`answer ${path}`, json);
  const data = (json as { data?: unknown } | undefined)?.data;
  if (SECRET_DATA_PATH.test(path) && typeof data === 'string') recordSecret(`answer ${path}`, data);
}

/** A child process's secrets: the secret variables of its environment, secret flags' values, and stdin when a flag says the secret comes from there. */
export function recordProcessSecrets(env: Record<string, string | undefined>, args: readonly string[], input?: string): void {
  for (const name of SECRET_ENV) recordSecret(`env ${name}`, env[name]);
  const databaseUrl = env.DATABASE_URL;
  if (databaseUrl && URL.canParse(databaseUrl)) recordSecret('env DATABASE_URL password', decodeURIComponent(new URL(databaseUrl).password));
  let secretFromStdin = args.includes('--password-stdin');
  args.forEach((arg, i) => {
    const [flag, inline] = arg.split(/=(.*)/s) as [string, string | undefined];
    if (!SECRET_FLAG.test(flag)) return;
    const value = inline ?? args[i + 1];
    if (value === '-') secretFromStdin = true;
    else recordSecret(`flag ${flag}`, value);
  });
  if (secretFromStdin && input) for (const line of input.split('\n')) recordSecret('stdin', line.trim());
}
