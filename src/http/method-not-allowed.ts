/**
 * Fastify answers an unknown method on a known path with 404; API.md wants
 * 405 with an Allow header. This registry remembers, per path pattern, the
 * methods registered, and matches a request path against the patterns.
 */
import FindMyWay from 'find-my-way';

export class AllowedMethods {
  readonly #router = FindMyWay({ caseSensitive: true, ignoreTrailingSlash: false });
  readonly #byPattern = new Map<string, Set<string>>();

  add(method: string | string[], pattern: string): void {
    let methods = this.#byPattern.get(pattern);
    if (!methods) {
      methods = new Set();
      this.#byPattern.set(pattern, methods);
      // find-my-way wants a method; every pattern is filed under GET and carries its real methods.
      this.#router.on('GET', pattern, () => {}, methods);
    }
    for (const m of Array.isArray(method) ? method : [method]) methods.add(m.toUpperCase());
  }

  /** The methods allowed on this path, or null when no route has this path. */
  forPath(path: string): string[] | null {
    const match = this.#router.find('GET', path.split('?')[0] ?? path);
    return match ? [...(match.store as Set<string>)].sort() : null;
  }
}
