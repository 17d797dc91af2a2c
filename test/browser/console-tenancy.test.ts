/**
 * The tenancy tree's actions that use the API's Extensions, in Chromium,
 * checked in the API: create a network (the server's field error beside the
 * field first), suspend / reactivate a network and a mailbox, terminate a
 * network (refused while a mailbox is live, then done); buttons by level; axe.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { axeViolations, openConsole, signInWithKey } from '../support/console.js';
import { expectOk } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { limit } from '../support/timeouts.js';

// A page signs in and renders before each check: on a loaded 2-core machine the first one can take tens of seconds.
vi.setConfig({ testTimeout: limit(90_000) });

let server: TestServer;
let browser: Browser;
let networkAdminKey: string;

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  networkAdminKey = expectOk(await server.api.post<string>('/v2/users/key-generate/12345'));
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const statusOf = async (path: string) => expectOk(await server.api.get<{ status: string }>(path)).status;

describe('tenancy tree extensions', () => {
  it('a Root creates a network, suspends and reactivates it and a mailbox, and terminates the network once it is empty', async () => {
    const { page, close } = await openConsole(browser, server.url, { hash: '#/tenancy' });
    await signInWithKey(page, server.rootKey);
    await page.locator('[data-network-id="1001"]').waitFor();

    await page.getByRole('button', { name: 'New network' }).click();
    const form = page.getByRole('form', { name: 'New network' });
    expect(await axeViolations(page)).toEqual([]);
    // A bad unique id: the server's own message beside the field, nothing created.
    await form.getByLabel('Unique id').fill('bad id!');
    await form.getByLabel('Company name').fill('Console Network');
    await form.getByRole('button', { name: 'Create network' }).click();
    const expected = (await server.api.post('/v2/networks/create', { uniqueId: 'bad id!', companyName: 'Console Network', city: '' })).body.message;
    expect(expected).toMatch(/^uniqueId: /);
    await form.locator('.field-error').filter({ hasText: expected }).waitFor();

    await form.getByLabel('Unique id').fill('CONSOLENET1');
    await form.getByLabel('City').fill('Springfield');
    await form.getByRole('button', { name: 'Create network' }).click();
    const created = await form.getByRole('status').textContent();
    const networkId = Number(/Network (\d+) \(CONSOLENET1\) created: Console Network, Active\./.exec(created ?? '')?.[1]);
    expect(expectOk(await server.api.get(`/v2/networks/${networkId}`))).toMatchObject({ uniqueId: 'CONSOLENET1', companyName: 'Console Network', city: 'Springfield', status: 'Active' });

    const node = page.locator(`[data-network-id="${networkId}"]`);
    await node.getByRole('button', { name: 'Suspend network CONSOLENET1' }).click();
    await node.getByRole('status').filter({ hasText: 'Network CONSOLENET1 is now Suspended.' }).waitFor();
    expect(await statusOf(`/v2/networks/${networkId}`)).toBe('Suspended');
    await node.getByRole('button', { name: 'Reactivate network CONSOLENET1' }).click();
    await node.getByRole('status').filter({ hasText: 'Network CONSOLENET1 is now Active.' }).waitFor();
    expect(await statusOf(`/v2/networks/${networkId}`)).toBe('Active');

    // A mailbox in it, suspended and reactivated.
    await node.getByRole('button', { name: 'New mailbox in CONSOLENET1' }).click();
    const mailboxForm = node.getByRole('form', { name: `New mailbox in network ${networkId}` });
    await mailboxForm.getByLabel('Unique id').fill('CONSOLEMB2');
    await mailboxForm.getByLabel('Company name').fill('Console Mailbox');
    await mailboxForm.getByRole('button', { name: 'Create mailbox' }).click();
    const mailboxId = Number(/Mailbox (\d+) \(CONSOLEMB2\) created/.exec((await mailboxForm.getByRole('status').textContent()) ?? '')?.[1]);
    const row = page.locator(`[data-mailbox-id="${mailboxId}"]`);
    await row.getByRole('button', { name: 'Suspend mailbox CONSOLEMB2' }).click();
    await row.getByRole('status').filter({ hasText: 'Mailbox CONSOLEMB2 is now Suspended.' }).waitFor();
    expect(await statusOf(`/v2/mailboxes/${mailboxId}`)).toBe('Suspended');
    await row.getByRole('button', { name: 'Reactivate mailbox CONSOLEMB2' }).click();
    await row.getByRole('status').filter({ hasText: 'Mailbox CONSOLEMB2 is now Active.' }).waitFor();
    expect(await statusOf(`/v2/mailboxes/${mailboxId}`)).toBe('Active');

    // Terminating the network is refused while the mailbox is live: the server's message, nothing changed.
    await node.getByRole('button', { name: 'Terminate network CONSOLENET1' }).click();
    expect(await statusOf(`/v2/networks/${networkId}`)).toBe('Active'); // not before the confirmation
    await node.getByRole('button', { name: 'Yes, terminate CONSOLENET1 for good' }).click();
    await node.getByRole('alert').filter({ hasText: '1 mailbox(es) and 0 user(s) that are not Terminated' }).waitFor();
    expect(await statusOf(`/v2/networks/${networkId}`)).toBe('Active');

    await row.getByRole('button', { name: 'Terminate mailbox CONSOLEMB2' }).click();
    await row.getByRole('button', { name: 'Yes, terminate CONSOLEMB2 for good' }).click();
    await expect.poll(() => statusOf(`/v2/mailboxes/${mailboxId}`)).toBe('Terminated');
    await node.getByRole('button', { name: 'Yes, terminate CONSOLENET1 for good' }).click();
    await expect.poll(() => statusOf(`/v2/networks/${networkId}`)).toBe('Terminated');
    await expect.poll(() => node.locator('h2 .status').textContent()).toBe('Terminated');
    expect(await node.locator('.actions').first().getByRole('button').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await close();
  });

  it('a NetworkAdmin may not create or terminate networks nor suspend its own, but suspends its mailboxes', async () => {
    const { page, close } = await openConsole(browser, server.url, { hash: '#/tenancy' });
    await signInWithKey(page, networkAdminKey);
    const node = page.locator('[data-network-id="1001"]');
    await node.locator('[data-mailbox-id="5001"]').waitFor();
    expect(await page.getByRole('button', { name: 'New network' }).count()).toBe(0);
    const networkButtons = await node.locator(':scope > .actions button').allTextContents();
    expect(networkButtons).toEqual(['Edit network MYNETWORK', 'New mailbox in MYNETWORK']);

    // Its own mailbox (5001: a user of a Suspended mailbox cannot sign in) is not offered; another one is.
    await node.locator('[data-mailbox-id="5002"]').waitFor();
    expect(await node.locator('[data-mailbox-id="5001"]').getByRole('button', { name: /^Suspend/ }).count()).toBe(0);
    const row = node.locator('[data-mailbox-id="5002"]');
    await row.getByRole('button', { name: 'Suspend mailbox ACMEMBOX02' }).click();
    await row.getByRole('status').filter({ hasText: 'Mailbox ACMEMBOX02 is now Suspended.' }).waitFor();
    expect(await statusOf('/v2/mailboxes/5002')).toBe('Suspended');
    const [event] = expectOk(await server.api.post<{ events: Array<{ action: string; actorUserId: number; changes: object }> }>('/v2/audit/list', { targetType: 'mailbox', targetId: 5002 })).events;
    expect(event).toMatchObject({ action: 'mailbox.update', actorUserId: 12345, changes: { status: { old: 'Active', new: 'Suspended' } } });
    await row.getByRole('button', { name: 'Reactivate mailbox ACMEMBOX02' }).click();
    await expect.poll(() => statusOf('/v2/mailboxes/5002')).toBe('Active');
    await close();
  });
});
