// The coordinator's dashboard warns when last night's merge failed (issue 19), in headless Chromium against the real
// service: no banner while all is well, a banner in Romanian once the scheduled merge failed, in English after the
// language switch, and nothing of it for a visitor who is not signed in.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../../service/config';
import { createApp } from '../../service/http/app';
import { coordinatorPage } from '../../service/http/page';
import { MergeRunner } from '../../service/jobs/merge';
import { importWorkbook } from '../../service/sources/import';
import { Store } from '../../service/store/store';
import { repoRoot, sampleXlsxPath } from '../support/seed';
import { hasChromium, launchChromium, skipReason } from '../support/tools';

const artifacts = path.join(repoRoot, 'tests/artifacts');
let dir: string;
let store: Store;
let server: Server;
let url: string;
let coordinator: string;
let planId: string;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!hasChromium) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'caf-warning-'));
  const config = configWith({ dataDir: path.join(dir, 'data'), logLevel: 'silent', samplePlan: '' });
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
  coordinator = store.createToken({ role: 'coordinator' }).token;
  const imported = await importWorkbook(store, {
    bytes: new Uint8Array(readFileSync(sampleXlsxPath)),
    name: 'Plan Sector 1',
    actor: 'test',
  });
  planId = imported.plan.id;
  context = await launchChromium(path.join(dir, 'profile'), { viewport: { width: 1280, height: 800 } });
  page = context.pages()[0] ?? (await context.newPage());
});

afterAll(async () => {
  await context?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('the nightly merge warning on the dashboard', () => {
  if (!hasChromium) console.log(skipReason('chromium'));

  it('is absent while the merges are fine, and shown once last night’s merge failed', async () => {
    await page.goto(url + '/');
    await page.getByLabel('Token de acces').fill(coordinator);
    await page.getByRole('button', { name: 'Intră' }).click();
    await page.locator('#units tbody tr').first().waitFor();
    const banner = page.locator('#merge-warning');
    expect(await banner.isHidden()).toBe(true);

    // Imported days ago, and last night's scheduled merge failed.
    store.db
      .prepare('UPDATE plans SET created_at = ? WHERE id = ?')
      .run(new Date(Date.now() - 3 * 86_400_000).toISOString(), planId);
    const health = (await (
      await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${coordinator}` } })
    ).json()) as { plans: { nightly: { expectedAt: string } }[] };
    const due = Date.parse(health.plans[0]!.nightly.expectedAt);
    store.db
      .prepare(
        `INSERT INTO merges (plan_id, status, trigger, started_by, started_at, finished_at, current_revision, up_to_submission, error)
         VALUES (?, 'failed', 'schedule', 'system:schedule', ?, ?, 1, 0, 'ENOSPC: no space left on device')`,
      )
      .run(planId, new Date(due + 500).toISOString(), new Date(due + 2500).toISOString());

    await page.reload();
    await banner.waitFor({ state: 'visible' });
    expect(await banner.getAttribute('role')).toBe('alert');
    const ro = await banner.innerText();
    expect(ro).toMatch(/^Atenție/);
    expect(ro).toContain('Îmbinarea de noapte a planului „Plan Sector 1”');
    expect(ro).toContain('a eșuat: ENOSPC');
    // The time it was due, as read in Bucharest.
    const local = new Intl.DateTimeFormat('ro-RO', { timeZone: 'Europe/Bucharest', timeStyle: 'short' }).format(due);
    expect(local).toBe('02:00');
    expect(ro).toContain(`, ${local})`);
    expect(ro).toContain('Îmbină acum');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'merge-warning-ro.png') });

    await page.locator('#lang').click();
    await expect.poll(() => banner.innerText()).toMatch(/^Warning/);
    expect(await banner.innerText()).toContain('The nightly merge of the plan "Plan Sector 1"');
    await page.screenshot({ path: path.join(artifacts, 'merge-warning-en.png') });
  });

  it('tells a visitor who is not signed in nothing', async () => {
    await page.locator('#logout').click();
    await page.locator('#token').waitFor();
    await page.reload();
    await page.locator('#token').waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('#merge-warning').isHidden()).toBe(true);
  });
});
