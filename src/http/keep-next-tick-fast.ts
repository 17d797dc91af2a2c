/**
 * Keeps `process.nextTick` on V8's fast path for the life of the server (issue 16).
 *
 * Node (20, 22 and 24 alike) builds each tick as an object literal whose first keys are computed:
 * `{ [async_id_symbol]: …, [trigger_async_id_symbol]: …, callback, args }`. The inline
 * caches of such a literal hold its hidden classes weakly. A full garbage collection at a
 * moment when no tick is queued frees those classes; the next tick makes them again, and
 * the cache, seeing a class that is not the one it holds, turns megamorphic for good. From
 * then on every tick object is built in V8's runtime, a property at a time (~250 ns instead
 * of ~40). Node's HTTP server and streams make several ticks per request, and this server's
 * heap is large enough to see full collections (the memory reducer runs one when the
 * process goes idle after start-up; plain Fastify with one route, in the bench, never has
 * one): measured, the version endpoint's CPU per request went from ~21 to ~16.5 µs.
 *
 * Holding one tick object keeps its hidden classes alive, so the caches stay monomorphic.
 * It is taken from the one place that hands tick objects out, an async hook's `init`, enabled
 * for a single nextTick.
 */
import { createHook } from 'node:async_hooks';

let held: object | null = null;

/** Idempotent; call before the server serves (the earlier, the fewer collections have run). */
export function keepNextTickFast(): void {
  if (held !== null) return;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') held ??= resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(() => {});
  } finally {
    hook.disable();
  }
}

/** The tick object held (tests): null before keepNextTickFast ran. */
export function heldTickObject(): object | null {
  return held;
}
