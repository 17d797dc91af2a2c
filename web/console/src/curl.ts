/**
 * "Show as API call": the curl command equivalent to what a form sends. The
 * credential is elided (`$ECGRID_TOKEN` / `$ECGRID_API_KEY`), and so is any
 * password in the body: the command is meant to be copied and shared.
 */
import { currentCredential } from './api.js';

const SECRET_FIELD = /password/i;

export function curlCommand(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): string {
  const credential = currentCredential();
  const auth = credential?.kind === 'key' ? `-H "X-API-Key: $ECGRID_API_KEY"` : `-H "Authorization: Bearer $ECGRID_TOKEN"`;
  const lines = [`curl -X ${method} "${location.origin}${path}"`, auth];
  for (const [name, value] of Object.entries(headers)) lines.push(`-H '${name}: ${value}'`);
  if (body !== undefined) {
    const shown = JSON.stringify(body, (key, value: unknown) => (SECRET_FIELD.test(key) ? '…' : value));
    lines.push(`-H 'Content-Type: application/json'`, `-d '${shown.replace(/'/g, `'\\''`)}'`);
  }
  return lines.join(' \\\n  ');
}
