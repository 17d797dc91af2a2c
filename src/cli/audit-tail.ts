/**
 * `audit tail`: the most recent audit events, oldest first, and with --follow
 * the new ones as they are written (polling by event id) until interrupted.
 */
import type { Command } from 'commander';
import { Type } from 'typebox';
import type { AuditEventInfo } from '../contract/audit.js';
import type { AuditEvent } from '../domain/types.js';
import type { RequestContext } from '../services/context.js';
import type { Services } from '../services/index.js';
import { presentAuditEvent } from '../services/present.js';
import { readInput, type OptionNames } from './read-input.js';
import { LIST_PAGE, note, onDatabase, operatorCommand, out, pick, runAction, type ReadEnv } from './operator-runtime.js';

const TAIL_OPTIONS: OptionNames = { lines: '--lines', interval: '--interval' };
const TailInput = Type.Object({
  lines: Type.Integer({ minimum: 1, maximum: 500 }),
  interval: Type.Integer({ minimum: 100, maximum: 3_600_000 }),
});

function describeActor(actorUserId: number | null): string {
  if (actorUserId === null) return 'server';
  return actorUserId === 0 ? 'operator' : `user ${actorUserId}`;
}

/** One line per event: time, id, actor, action, target, changes. */
function describeEvent(event: AuditEventInfo): string {
  const changes = Object.entries(event.changes)
    .map(([field, change]) => `${field}: ${JSON.stringify(change.old)} → ${JSON.stringify(change.new)}`)
    .join(', ');
  return [event.at, `#${event.eventId}`, describeActor(event.actorUserId), event.action, `${event.targetType} ${event.targetId}`, changes]
    .filter(Boolean)
    .join('  ');
}

/** Every event after `afterEventId`, oldest first. */
async function eventsAfter(services: Services, context: RequestContext, afterEventId: number): Promise<AuditEvent[]> {
  const byId = new Map<number, AuditEvent>();
  for (let pageNo = 1; ; pageNo++) {
    const page = await services.audit.list(context, { afterEventId, pageNo, recordsPerPage: LIST_PAGE });
    for (const event of page.items) byId.set(event.eventId, event);
    if (page.items.length < LIST_PAGE) break;
  }
  return [...byId.values()].sort((a, b) => a.eventId - b.eventId);
}

/** Resolves on SIGINT/SIGTERM; `sleep` waits for the interval or the signal, whichever comes first. */
function stopSignal() {
  let stopped = false;
  let wake = () => {};
  const stop = () => {
    stopped = true;
    wake();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    get stopped() {
      return stopped;
    },
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
}

export function registerAuditCommands(audit: Command, readEnv: ReadEnv): void {
  operatorCommand(audit, 'tail', 'print the most recent audit events, oldest first; with --follow, keep printing new ones')
    .option('-n, --lines <count>', 'how many recent events (1–500)', '20')
    .option('-f, --follow', 'keep printing new events until interrupted (Ctrl-C)')
    .option('--interval <ms>', 'with --follow: how often to look for new events, in milliseconds', '1000')
    .option('--json', 'print one JSON object per event')
    .action(
      runAction(TAIL_OPTIONS, async (flags) => {
        const { lines, interval } = readInput<{ lines: number; interval: number }>(TailInput, pick(flags, { lines: 'lines', interval: 'interval' }), TAIL_OPTIONS);
        const print = (event: AuditEvent) => {
          const info = presentAuditEvent(event);
          out(flags.json ? JSON.stringify(info) : describeEvent(info));
        };
        await onDatabase(readEnv(flags), async (services, context) => {
          const recent = await services.audit.list(context, { recordsPerPage: lines });
          const events = [...recent.items].reverse();
          events.forEach(print);
          if (!flags.follow) return;
          let last = events.at(-1)?.eventId ?? 0;
          const signal = stopSignal();
          note('Following the audit log; Ctrl-C to stop.');
          while (!signal.stopped) {
            await signal.sleep(interval);
            if (signal.stopped) break;
            const fresh = await eventsAfter(services, context, last);
            fresh.forEach(print);
            last = fresh.at(-1)?.eventId ?? last;
          }
        });
      }),
    );
}
