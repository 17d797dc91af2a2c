/**
 * POST /v2/users/send-sms over HTTP against a real local SMTP relay: the
 * e-mail reaches the carrier's e-mail-to-SMS gateway address with the right
 * subject and body; rejected calls send nothing and record nothing; without a
 * relay the message waits in the outbox; a relay that fails answers 503 and
 * records nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk, type Reply } from '../support/http.js';
import { createUser, createWorld, startTestServer, type TestServer } from '../support/server.js';
import { startSmtpCapture, unreachableSmtpUrl, type SmtpCapture } from '../support/smtp-capture.js';
import type { CellCarrier } from '../../src/domain/cell-carriers.js';
import type { AuditEvent } from '../../src/domain/types.js';

const FROM = 'alerts@ecgrid.test';

let smtp: SmtpCapture;
let server: TestServer;
let world: Awaited<ReturnType<typeof createWorld>>;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  server = await startTestServer({ ECGRID_DEMO: '1', SMTP_URL: smtp.url, SMTP_FROM: FROM });
  world = await createWorld(server);
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const as = (who: { key: string }) => server.api.as(who.key);
const send = (caller: { key: string }, body: object) => as(caller).post<boolean>('/v2/users/send-sms', body);

async function withPhone<T extends { user: { userId: number } }>(
  who: T,
  cellPhone = '3125550199',
  cellCarrier: CellCarrier = 'TMobile',
  on: TestServer = server,
): Promise<T> {
  await on.store.transaction((tx) => tx.users.update(who.user.userId, { cellPhone, cellCarrier }, new Date().toISOString()));
  return who;
}

async function smsEvents(on: TestServer, userId: number): Promise<AuditEvent[]> {
  const { events } = await on.store.audit.list({ kind: 'system' }, { targetType: 'user', targetId: userId }, { pageNo: 1, recordsPerPage: 50 });
  return events.filter((e) => e.action === 'user.send-sms');
}

/** Runs a call that must be refused and checks that nothing went to the relay, the outbox or the audit log. */
async function expectNothingSent(userId: number, call: () => Promise<Reply>): Promise<Reply> {
  const mailsBefore = smtp.messages.length;
  const outboxBefore = (await server.store.outbox.listOfUser(userId)).length;
  const eventsBefore = (await smsEvents(server, userId)).length;
  const reply = await call();
  expect(reply.body.success).toBe(false);
  expect(smtp.messages.length).toBe(mailsBefore);
  expect((await server.store.outbox.listOfUser(userId)).length).toBe(outboxBefore);
  expect((await smsEvents(server, userId)).length).toBe(eventsBefore);
  return reply;
}

describe('with an SMTP relay', () => {
  it('mails demo user 1042 (Verizon, 3125550142) at 3125550142@vtext.com: subject, body, sender; recorded as sent; audited', async () => {
    const message = 'Your ECGrid mailbox MBX101 has 3 new interchanges.';
    const before = smtp.messages.length;
    expect(expectOk(await server.api.post<boolean>('/v2/users/send-sms', { userId: 1042, message }))).toBe(true);

    expect(smtp.messages).toHaveLength(before + 1);
    const mail = smtp.messages.at(-1)!;
    expect(mail.envelopeTo).toEqual(['3125550142@vtext.com']);
    expect(mail.envelopeFrom).toBe(FROM);
    expect(mail.headers.get('to')).toBe('3125550142@vtext.com');
    expect(mail.headers.get('from')).toBe(FROM);
    expect(mail.subject).toBe('ECGrid');
    expect(mail.text).toBe(message);

    const [row] = await server.store.outbox.listOfUser(1042);
    expect(row).toMatchObject({ userId: 1042, recipient: '3125550142@vtext.com', subject: 'ECGrid', body: message });
    expect(row!.sentAt).not.toBeNull();
    const [event] = await smsEvents(server, 1042);
    expect(event).toMatchObject({ action: 'user.send-sms', changes: { smsMessageId: { old: null, new: row!.messageId } } });
  });

  it('uses only the digits of the phone number and the gateway of the carrier', async () => {
    const target = await withPhone(await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId }), '+1 (312) 555-0123', 'ATT');
    expectOk(await send(world.netAdminA, { userId: target.user.userId, message: 'Hello' }));
    expect(smtp.messages.at(-1)!.envelopeTo).toEqual(['13125550123@txt.att.net']);
  });

  it('carries 160 characters and non-ASCII text intact; the message is trimmed', async () => {
    const target = await withPhone(world.mbUserA2);
    const long = 'x'.repeat(150) + '0123456789';
    expectOk(await send(world.netAdminA, { userId: target.user.userId, message: long }));
    expect(smtp.messages.at(-1)!.text).toBe(long);
    expectOk(await send(world.netAdminA, { userId: target.user.userId, message: '  Grüße — meeting at 10:00 ✓  ' }));
    expect(smtp.messages.at(-1)!.text).toBe('Grüße — meeting at 10:00 ✓');
    expect((await server.store.outbox.listOfUser(target.user.userId)).at(-1)!.body).toBe('Grüße — meeting at 10:00 ✓');
  });

  it.each([
    [{ message: '' }, 'message: must not be empty'],
    [{ message: '   ' }, 'message: must not be empty'],
    [{ message: 'y'.repeat(161) }, 'message: must be at most 160 characters'],
    [{}, 'message: is required'],
    [{ message: 42 }, 'message: must be a string'],
  ])('rejects %j naming the field, and sends nothing', async (fields, message) => {
    const reply = await expectNothingSent(1042, () => server.api.post('/v2/users/send-sms', { userId: 1042, ...fields }));
    expectError(reply, 400, 'InvalidParameter', 'message');
    expect(reply.body.message).toBe(message);
  });

  it('requires userId', async () => {
    const reply = await server.api.post('/v2/users/send-sms', { message: 'Hi' });
    expectError(reply, 400, 'InvalidParameter', 'userId');
    expect(reply.body.message).toBe('userId: is required');
  });

  it('400 InvalidParameter when the user has no cell phone, or no carrier; nothing sent', async () => {
    const noPhone = await withPhone(await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId }), '', 'Verizon');
    const noCarrier = await withPhone(await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId }), '3125550100', 'Undefined');
    for (const who of [noPhone, noCarrier]) {
      const reply = await expectNothingSent(who.user.userId, () => send(world.netAdminA, { userId: who.user.userId, message: 'Hi' }));
      expectError(reply, 400, 'InvalidParameter', 'userId');
      expect(reply.body.message).toBe(`userId: user ${who.user.userId} has no cell phone or no cell carrier (set them with POST /v2/users/update-config)`);
    }
  });

  describe('permissions (to oneself: anyone; to another user: admin, in scope, outranks)', () => {
    it('any active user texts itself', async () => {
      const me = await withPhone(world.mbUserA1, '3125550111', 'Verizon');
      expectOk(await send(me, { userId: me.user.userId, message: 'note to self' }));
      expect(smtp.messages.at(-1)!.envelopeTo).toEqual(['3125550111@vtext.com']);
    });

    it('an admin texts a lower in-scope user', async () => {
      const target = await withPhone(world.mbUserA1b);
      expectOk(await send(world.mbAdminA1, { userId: target.user.userId, message: 'from your admin' }));
      expect(smtp.messages.at(-1)!.text).toBe('from your admin');
    });

    it('403 for an equal or higher in-scope user, or a non-admin caller; nothing sent', async () => {
      const peer = await withPhone(await createUser(server, { authLevel: 'MailboxAdmin', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId }));
      expectError(await expectNothingSent(peer.user.userId, () => send(world.mbAdminA1, { userId: peer.user.userId, message: 'Hi' })), 403, 'AccessDenied');
      const other = await withPhone(world.mbUserA1b);
      expectError(await expectNothingSent(other.user.userId, () => send(world.mbUserA1, { userId: other.user.userId, message: 'Hi' })), 403, 'AccessDenied');
      expectError(await expectNothingSent(other.user.userId, () => send(world.netUserA, { userId: other.user.userId, message: 'Hi' })), 403, 'AccessDenied');
    });

    it('404 out of scope, exactly like a missing user; nothing sent', async () => {
      const hidden = await withPhone(world.mbUserB1);
      const outOfScope = await expectNothingSent(hidden.user.userId, () => send(world.netAdminA, { userId: hidden.user.userId, message: 'Hi' }));
      const missing = await send(world.netAdminA, { userId: 987_654, message: 'Hi' });
      expectError(outOfScope, 404, 'ObjectNotFound');
      expectError(missing, 404, 'ObjectNotFound');
      expect(outOfScope.body.message.replace(String(hidden.user.userId), 'N')).toBe(missing.body.message.replace('987654', 'N'));
    });
  });

  it('400 for a Terminated user; nothing sent', async () => {
    const target = await withPhone(await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId }));
    expectOk(await server.api.delete(`/v2/users/${target.user.userId}`));
    const reply = await expectNothingSent(target.user.userId, () => server.api.post('/v2/users/send-sms', { userId: target.user.userId, message: 'Hi' }));
    expectError(reply, 400, 'InvalidParameter', 'userId');
  });

  it('a relay that refuses the message: 503 InternalError, nothing recorded; the next call goes through', async () => {
    const target = await withPhone(await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId }));
    smtp.refuseRecipients = true;
    try {
      const reply = await expectNothingSent(target.user.userId, () => server.api.post('/v2/users/send-sms', { userId: target.user.userId, message: 'Hi' }));
      expectError(reply, 503, 'InternalError');
      expect(reply.body.message).toBe('The SMS relay did not accept the message; nothing was sent. Try again shortly.');
      expect(reply.text).not.toMatch(/550|mailbox unavailable|127\.0\.0\.1/);
    } finally {
      smtp.refuseRecipients = false;
    }
    expectOk(await server.api.post('/v2/users/send-sms', { userId: target.user.userId, message: 'Hi again' }));
    expect((await server.store.outbox.listOfUser(target.user.userId)).map((m) => m.body)).toEqual(['Hi again']);
  });
});

describe('without an SMTP relay', () => {
  let quiet: TestServer;
  beforeAll(async () => {
    quiet = await startTestServer({ ECGRID_DEMO: '1' });
  });
  afterAll(() => quiet?.close());

  it('keeps the message in the outbox (not sent) and still answers true; audited', async () => {
    const mailsBefore = smtp.messages.length;
    expect(expectOk(await quiet.api.post<boolean>('/v2/users/send-sms', { userId: 1042, message: 'Outbox only' }))).toBe(true);
    const rows = await quiet.store.outbox.listOfUser(1042);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ recipient: '3125550142@vtext.com', subject: 'ECGrid', body: 'Outbox only', sentAt: null });
    expect(smtp.messages.length).toBe(mailsBefore);
    expect((await smsEvents(quiet, 1042))[0]!.changes).toEqual({ smsMessageId: { old: null, new: rows[0]!.messageId } });
  });

  it('applies the same checks: no carrier is a 400 and nothing is stored', async () => {
    const reply = await quiet.api.post('/v2/users/send-sms', { userId: 1043, message: 'Hi' });
    expectError(reply, 400, 'InvalidParameter', 'userId');
    expect(await quiet.store.outbox.listOfUser(1043)).toEqual([]);
  });
});

describe('with a relay that is down', () => {
  let stranded: TestServer;
  beforeAll(async () => {
    stranded = await startTestServer({ ECGRID_DEMO: '1', SMTP_URL: await unreachableSmtpUrl() });
  });
  afterAll(() => stranded?.close());

  it('answers 503 InternalError at once and records nothing', async () => {
    const started = Date.now();
    const reply = await stranded.api.post('/v2/users/send-sms', { userId: 1042, message: 'Nobody home' });
    expectError(reply, 503, 'InternalError');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await stranded.store.outbox.listOfUser(1042)).toEqual([]);
    expect(await smsEvents(stranded, 1042)).toEqual([]);
  });
});
