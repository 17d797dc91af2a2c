/**
 * A value of a column with few possible values (a level, a status, a target
 * type), written into the statement as a literal instead of sent as a
 * parameter. The server's PostgreSQL sessions plan every statement once for
 * any values (`plan_cache_mode = force_generic_plan`, dialects/postgres.ts),
 * and such a plan takes `auth_level = $1` for a sixth of the users whatever
 * the value: Root's list of its Roots walked the whole table (2 users in
 * 1,000,000: 1.3 ms planned for the value, 520–990 ms for any). As a literal,
 * each value gets the plan for its own share of the rows, from the
 * statistics. Only for values the API has already checked against their
 * enum: Kysely writes the literal quoted, and nothing else may become SQL text.
 */
import { sql, type RawBuilder } from 'kysely';
import type { AuthLevel } from '../../domain/levels.js';
import type { Status } from '../../domain/statuses.js';
import type { AuditEvent } from '../../domain/types.js';

export function enumLiteral<T extends AuthLevel | Status | AuditEvent['targetType']>(value: T): RawBuilder<T> {
  return sql.lit(value) as RawBuilder<T>;
}
