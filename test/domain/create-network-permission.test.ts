/**
 * Creating a network (API.md §6: operators, through the CLI, which acts as a
 * Root with user id 0; Extension POST /v2/networks/create): rank ≤ NetOps may,
 * every other level is refused.
 */
import { describe, expect, it } from 'vitest';
import { AUTH_LEVELS, isAtLeast } from '../../src/domain/levels.js';
import { canCreateNetwork, canTerminateNetwork } from '../../src/domain/permissions.js';
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

describe('canTerminateNetwork (extension DELETE /v2/networks/{id})', () => {
  const SYSTEM = ['Root', 'TechOps', 'NetOps'];
  it.each(AUTH_LEVELS.map((level) => [level]))('%s: its own network, another network', (level) => {
    const placed = SYSTEM.includes(level) ? { networkId: 0, mailboxId: 0 } : { networkId: 7, mailboxId: ['MailboxAdmin', 'MailboxUser', 'TPUser', 'General'].includes(level) ? 70 : 0 };
    const caller = { userId: 5, authLevel: level, ...placed };
    const answer = (networkId: number) => { const d = canTerminateNetwork(caller, networkId); return d.allow ? 'allow' : d.as; };
    // System-scoped: every network; anyone else: its own network is forbidden (not even its NetworkAdmin), another is not found.
    expect(answer(8)).toBe(SYSTEM.includes(level) ? 'allow' : 'not-found');
    if (!SYSTEM.includes(level)) expect(['forbidden', 'not-found']).toContain(answer(7));
    if (level === 'NetworkAdmin' || level === 'NetworkUser' || level === 'MailboxAdmin') expect(answer(7)).toBe('forbidden');
  });
});
