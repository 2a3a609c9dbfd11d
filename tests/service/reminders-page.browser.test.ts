// The reminders' section of the coordinator's page in headless Chromium: it says reminders are off without SMTP,
// lists the units with their addresses, saves an edit through the API, and shows a refused address.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../../service/config';
import { createApp } from '../../service/http/app';
import { coordinatorPage } from '../../service/http/page';
import { MergeRunner } from '../../service/jobs/merge';
import { ReminderStore } from '../../service/reminders/store';
import { importWorkbook } from '../../service/sources/import';
import { Store } from '../../service/store/store';
import { repoRoot, sampleXlsxPath } from '../support/seed';
import { hasChromium, launchChromium } from '../support/tools';

let dir: string;
let store: Store;
let server: Server;
let url: string;
let context: BrowserContext;
let planId: string;

beforeAll(async () => {
  if (!hasChromium) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'caf-remind-page-'));
  const config = configWith({ dataDir: path.join(dir, 'data'), logLevel: 'silent' });
  store = new Store(config.dataDir);
  const app = createApp({
    store,
    config,
    merges: new MergeRunner(store),
    logger: pino({ level: 'silent' }),
    routers: [{ path: '/', router: coordinatorPage({ store }) }],
  });
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  planId = (
    await importWorkbook(store, {
      bytes: new Uint8Array(readFileSync(sampleXlsxPath)),
      name: 'Plan Sector 1',
      actor: 't',
    })
  ).plan.id;
  const reminders = new ReminderStore(store);
  reminders.setContacts(planId, 'SIC', ['sic@primarie.test', 'vechi@primarie.test'], 'api');
  reminders.markRefused(planId, 'SIC', 'vechi@primarie.test', '550 5.1.1 Mailbox unavailable');
  // Signed in as the page does it: the cookie holds a server-side session of a coordinator token, never the token.
  const session = store.createSession(store.createToken({ role: 'coordinator' }).record.id, 1).secret;
  context = await launchChromium(path.join(dir, 'profile'), { viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: 'caf_session', value: session, url }]);
});

afterAll(async () => {
  await context?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('reminders on the coordinator page', () => {
  it('says reminders are off, shows refused addresses, and saves a unit’s addresses', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url + '/');
    const section = page.locator('#reminders');
    await section.waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#reminders-mail').textContent()).toContain('nu este setat CAF_SMTP_URL');
    expect(await page.locator('#reminders-refused').textContent()).toContain('SIC: vechi@primarie.test — 550');
    expect(await page.locator('#reminders-contacts tr').count()).toBe(1 + 12);
    const dmru = page.locator('#reminders-contacts tr', { hasText: 'DMRU' });
    await dmru.locator('input').fill('dmru@primarie.test, sef.dmru@primarie.test');
    await dmru.locator('select').selectOption('en');
    await dmru.locator('button', { hasText: 'Salvează' }).click();
    await expect.poll(() => page.locator('#reminders-status').textContent()).toContain('DMRU');
    const reminders = new ReminderStore(store);
    expect(reminders.contacts(planId, 'DMRU').map((c) => c.email)).toEqual([
      'dmru@primarie.test',
      'sef.dmru@primarie.test',
    ]);
    expect(reminders.lang(planId, 'DMRU')).toBe('en');
    // A calendar link for the unit: shown once, and it opens the unit's feed without any header.
    await dmru.locator('button', { hasText: 'Link calendar' }).click();
    await expect.poll(() => page.locator('#reminders-status').textContent()).toMatch(/\?key=cal_/);
    const feedUrl = /(http\S+\?key=cal_\S+)/.exec((await page.locator('#reminders-status').textContent())!)![1]!;
    const feed = await fetch(feedUrl);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toMatch(/^BEGIN:VCALENDAR/);
    mkdirSync(path.join(repoRoot, 'tests/artifacts'), { recursive: true });
    await section.screenshot({ path: path.join(repoRoot, 'tests/artifacts/reminders-section.png') });
    // The English switch translates the section too.
    await page.locator('#lang').click();
    await expect.poll(() => page.locator('#reminders-mail').textContent()).toContain('CAF_SMTP_URL is not set');
    expect(errors).toEqual([]);
  });
});
