/**
 * Creating a network (API.md §6: operators, through the CLI, which acts as a
 * Root with user id 0; Extension POST /v2/networks/create): rank ≤ NetOps may,
 * every other level is refused.
 */
import { describe, expect, it } from 'vitest';
import { AUTH_LEVELS, isAtLeast } from '../../src/domain/levels.js';
import { canCreateNetwork } from '../../src/domain/permissions.js';
import { OPERATOR } from '../../src/services/operator.js';

describe('canCreateNetwork', () => {
  it.each(AUTH_LEVELS.map((level) => [level]))('%s', (level) => {
    const decision = canCreateNetwork({ userId: 5, networkId: 0, mailboxId: 0, authLevel: level });
    expect(decision.allow ? 'allow' : decision.as).toBe(['Root', 'TechOps', 'NetOps'].includes(level) ? 'allow' : 'forbidden');
    expect(decision.allow).toBe(isAtLeast(level, 'NetOps'));
  });

  it('the operator principal is a Root no user can be: id 0, no network, authenticated by no key', () => {
    expect(OPERATOR).toMatchObject({ userId: 0, networkId: 0, mailboxId: 0, authLevel: 'Root', status: 'Active', credential: { kind: 'operator' } });
    expect(canCreateNetwork(OPERATOR).allow).toBe(true);
    expect(Object.isFrozen(OPERATOR)).toBe(true);
  });
});
