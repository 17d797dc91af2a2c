/**
 * The page the project started from (docs/reference/update-user.txt, a copy of
 * the published Update User page): its request and response examples, read
 * from the page itself, so that a test of "the seed" checks what the page says
 * rather than a copy of it.
 */
import { readFileSync } from 'node:fs';

const LINES = readFileSync(new URL('../../docs/reference/update-user.txt', import.meta.url), 'utf8').split('\n');

/** The JSON of the page's lines `from` (a line `{`) to `to` (its closing `}`), inclusive. */
function json(from: number, to: number): unknown {
  if (from < 0 || to < from) throw new Error('an example of the seed page not found');
  return JSON.parse(LINES.slice(from, to + 1).join('\n'));
}

/** The page's request body. */
export const SEED_REQUEST = json(LINES.indexOf('{'), LINES.indexOf('}')) as { userId: number; email: string; firstName: string; lastName: string };

/**
 * The page's response, `{ success, data }` (the envelope's errorCode and message are not on the page).
 * It nests `data`: from the first `{` after "Response" to the last `}` before the code examples.
 */
export const SEED_RESPONSE = json(LINES.indexOf('{', LINES.indexOf('Response')), LINES.lastIndexOf('}', LINES.indexOf('Code Examples'))) as {
  success: true;
  data: Record<string, unknown>;
};

/** The lines of the page from the one starting with `first` to the one starting with `last`, inclusive (a code example). */
export function seedExample(first: string, last: string): string {
  const start = LINES.findIndex((line) => line.startsWith(first));
  const end = LINES.findIndex((line, i) => i > start && line.startsWith(last));
  if (start < 0 || end < 0) throw new Error(`example ${first}… not found in the seed page`);
  return LINES.slice(start, end + 1).join('\n');
}
