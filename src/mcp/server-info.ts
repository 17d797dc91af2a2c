/**
 * Who this MCP server says it is: our package's name and version, read once
 * from package.json. Found by walking up from this module, because the same
 * code runs from dist/mcp/ (tsc) and from the single bundled file in dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';

export const SERVER_NAME = 'ecgrid-identity';

function readPackageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === SERVER_NAME && typeof pkg.version === 'string') return pkg.version;
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}

export const SERVER_VERSION = readPackageVersion();

/** Every protocol version `initialize` accepts (the SDK's list), newest first; `2024-11-05` is among them. */
export const PROTOCOL_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;
export const LATEST_VERSION: string = LATEST_PROTOCOL_VERSION;
/** A request without `Mcp-Protocol-Version` is read as this version (MCP.md §2.1). */
export const ASSUMED_VERSION = '2024-11-05';

/** Whether answers of this protocol version carry `outputSchema` / `structuredContent` (2025-06-18 and later). */
export function hasStructuredOutput(version: string): boolean {
  return version >= '2025-06-18';
}
