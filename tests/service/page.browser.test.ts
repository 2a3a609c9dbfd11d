// The coordinator's page in headless Chromium against the real service: createApp with the page router, a SQLite
// file in a temp dir, the Sector 1 sample imported, two department copies that set one cell differently, a merge
// that flags the conflict, and a third unit that submitted after the merge. The coordinator signs in with a token,
// sees every unit's state and the charts, switches to English, and resolves the conflict by choosing a value.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerCodes } from '../../plan/owners';
import type { Field, Plan } from '../../plan/model';
import { configWith } from '../../service/config';
import { createApp } from '../../service/http/app';
import { coordinatorPage } from '../../service/http/page';
import { MergeRunner } from '../../service/jobs/merge';
import { Store } from '../../service/store/store';
import { repoRoot, sampleXlsxPath } from '../support/seed';
import { hasChromium, launchChromium, skipReason } from '../support/tools';
import { editCells, planOf } from './sources-fixtures';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const artifacts = path.join(repoRoot, 'tests/artifacts');

let dir: string;
let store: Store;
let server: Server;
let url: string;
let coordinator: string;
let planId: string;
let shared: string;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

async function call(
  method: string,
  at: string,
  token: string,
  body?: Uint8Array | object,
  headers: Record<string, string> = {},
) {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, ...headers } };
  if (body instanceof Uint8Array) {
    init.body = body as BodyInit;
    (init.headers as Record<string, string>)['content-type'] = XLSX;
  } else if (body) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(url + at, init);
  if (!res.ok) throw new Error(`${method} ${at}: ${res.status} ${await res.text()}`);
  return res;
}

async function submitCopy(unit: string, edits: { rowId: string; column: Field; value: string }[]): Promise<void> {
  const token = store.createToken({ role: 'unit', unit }).token;
  const copy = new Uint8Array(
    await (await call('GET', `/api/plans/${planId}/copies/${unit}.xlsx`, token)).arrayBuffer(),
  );
  await call('POST', `/api/plans/${planId}/submissions`, token, await editCells(copy, edits), {
    'x-file-name': `copie ${unit}.xlsx`,
  });
}

const owned = (plan: Plan, unit: string) =>
  plan.actions.filter((a) => ownerCodes(a.text.owners, plan.units).includes(unit)).map((a) => a.id);

beforeAll(async () => {
  if (!hasChromium) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'caf-page-'));
  const config = configWith({
    dataDir: path.join(dir, 'data'),
    logLevel: 'silent',
    rateLimitPerMinute: 100_000,
    samplePlan: '',
  });
  store = new Store(config.dataDir);
  const merges = new MergeRunner(store);
  const app = createApp({
    store,
    config,
    merges,
    logger: pino({ level: 'silent' }),
    routers: [{ path: '/', router: coordinatorPage({ store }) }],
    // Progress is computed for a day inside the plan's period, so the charts show every kind of state.
    now: () => new Date('2023-05-15T09:00:00+03:00'),
  });
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  coordinator = store.createToken({ role: 'coordinator', label: 'test' }).token;

  const imported = await call(
    'POST',
    '/api/plans?name=Plan%20Sector%201%202022',
    coordinator,
    new Uint8Array(readFileSync(sampleXlsxPath)),
  );
  planId = ((await imported.json()) as { plan: { id: string } }).plan.id;
  const plan = store.revisionPlan(planId, 1)!;
  shared = plan.actions.find((a) => {
    const codes = ownerCodes(a.text.owners, plan.units);
    return codes.includes('DMRU') && codes.includes('SIC');
  })!.id;
  await submitCopy('DMRU', [
    { rowId: shared, column: 'status', value: 'Amânat' },
    { rowId: owned(plan, 'DMRU').find((id) => id !== shared)!, column: 'status', value: 'Realizat' },
  ]);
  await submitCopy('SIC', [
    { rowId: shared, column: 'status', value: 'Realizat' },
    {
      rowId: owned(plan, 'SIC').find((id) => id !== shared)!,
      column: 'monitoring',
      value: 'Comunicat publicat pe site, martie 2024',
    },
  ]);
  const merge = (await (await call('POST', `/api/plans/${planId}/merges`, coordinator)).json()) as {
    newRevision: number;
  };
  expect(merge.newRevision).toBe(2);
  expect(store.listConflicts(planId, 'open').map((c) => c.kind)).toEqual(['concurrent-edit']);
  // SMI sends its copy after the merge: it waits for the next one.
  const afterMerge = await planOf(new Uint8Array(store.blobs.get(store.getRevision(planId, 2)!.blob)));
  await submitCopy('SMI', [{ rowId: owned(afterMerge, 'SMI')[0]!, column: 'status', value: 'În curs' }]);

  const profile = path.join(dir, 'chromium-profile');
  context = await launchChromium(profile, {
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(`${msg.text()} @ ${msg.location().url}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
});

afterAll(async () => {
  await context?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('coordinator page', () => {
  it('asks for a token, refuses a wrong one, and signs in with an httpOnly SameSite cookie', async () => {
    await page.goto(url + '/');
    await page.getByRole('heading', { name: 'Autentificare coordonator' }).waitFor();
    expect(consoleErrors).toEqual([]);
    await page.getByLabel('Token de acces').fill('caf_' + 'x'.repeat(43));
    await page.getByRole('button', { name: 'Intră' }).click();
    await page.getByText('Tokenul nu este valid sau a fost revocat.').waitFor();
    // The refused login is the one error the browser logs on its own (a 401 answer); nothing else may appear.
    expect(consoleErrors).toEqual([expect.stringMatching(/status of 401 .*\/api\/session$/)]);
    consoleErrors.length = 0;

    await page.getByLabel('Token de acces').fill(coordinator);
    await page.getByRole('button', { name: 'Intră' }).click();
    await page.locator('#units tbody tr').first().waitFor();
    const cookie = (await context.cookies(url)).find((c) => c.name === 'caf_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // The page's script cannot read the session.
    expect(await page.evaluate(() => document.cookie)).not.toContain('caf_session');
  });

  it('shows each unit’s state since the last merge, the last merge, the open conflict and the charts', async () => {
    const row = (unit: string) => page.locator(`#units tr[data-unit="${unit}"]`);
    await expect(row('SMI').innerText()).resolves.toMatch(/A trimis – așteaptă îmbinarea[\s\S]*în așteptare/);
    await expect(row('DMRU').innerText()).resolves.toMatch(
      /Nimic nou de la îmbinarea #1[\s\S]*îmbinată[\s\S]*1 aplicată · 1 conflict/,
    );
    await expect(row('SIC').innerText()).resolves.toMatch(
      /Nimic nou de la îmbinarea #1[\s\S]*îmbinată[\s\S]*1 aplicată · 1 conflict/,
    );
    await expect(row('CL').innerText()).resolves.toMatch(/Nu a trimis niciodată\s+—/);
    expect(await page.locator('#units tbody tr').count()).toBe(store.revisionPlan(planId, 2)!.units.length);

    const summary = await page.locator('#summary').innerText();
    expect(summary).toMatch(/Revizia curentă\s+2/);
    expect(summary).toMatch(/Conflicte deschise\s+1/);
    expect(summary).toMatch(/Trimiteri în așteptare\s+1/);

    const conflict = page.locator('article.conflict');
    expect(await conflict.count()).toBe(1);
    await expect(conflict.locator('h3').innerText()).resolves.toBe(
      `Acțiunea ${shared} · Stare · Valori diferite de la mai multe unități`,
    );
    await expect(conflict.getByRole('button', { name: 'Alege „Amânat” (DMRU)' }).isVisible()).resolves.toBe(true);
    await expect(conflict.getByRole('button', { name: 'Alege „Realizat” (SIC)' }).isVisible()).resolves.toBe(true);

    // Charts: 72 actions in the state chart, 9 criteria, one bar per unit; each readable as an image with a description.
    const totals = await page
      .locator('#chart-states svg > g')
      .evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-total'))));
    expect(totals).toHaveLength(6);
    expect(totals.reduce((a, b) => a + b, 0)).toBe(72);
    expect(await page.locator('#chart-criteria svg > g').count()).toBe(9);
    expect(await page.locator('#chart-units svg > g').count()).toBeGreaterThanOrEqual(10);
    await expect(page.locator('#chart-criteria svg').getAttribute('role')).resolves.toBe('img');
    await expect(page.locator('#chart-criteria svg desc').textContent()).resolves.toMatch(/^1\. Leadership: /);

    const merges = await page.locator('#merges tbody tr').allInnerTexts();
    expect(merges).toHaveLength(1);
    expect(merges[0]).toMatch(/#1[\s\S]*manual[\s\S]*încheiată[\s\S]*1 → 2[\s\S]*2\s+2\s+1/);

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'coordinator-page.png'), fullPage: true });
  });

  it('switches to English and back', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Open conflicts' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expect(page.locator('#units tr[data-unit="SMI"]').innerText()).resolves.toMatch(
      /Submitted – waits for the merge[\s\S]*waiting/,
    );
    await expect(page.locator('#chart-criteria figcaption').innerText()).resolves.toBe('By CAF criterion');
    await page.screenshot({ path: path.join(artifacts, 'coordinator-page-en.png'), fullPage: true });
    await page
      .locator('section[aria-labelledby="progress-title"]')
      .screenshot({ path: path.join(artifacts, 'coordinator-charts-en.png') });
    await page.getByRole('button', { name: 'Română' }).click();
    await page.getByRole('heading', { name: 'Conflicte deschise' }).waitFor();
  });

  it('resolves the conflict by choosing a value: a new revision carries it', async () => {
    await page.getByRole('button', { name: 'Alege „Realizat” (SIC)' }).click();
    await page.getByText(/Rezolvat – Acțiunea .* · Stare · .*: noua valoare este „Realizat” \(revizia 3\)/).waitFor();
    await page.getByText('Nu există conflicte deschise.').waitFor();
    expect(store.listConflicts(planId, 'open')).toEqual([]);
    expect(store.getPlan(planId)!.currentRevision).toBe(3);
    expect(store.revisionPlan(planId, 3)!.actions.find((a) => a.id === shared)!.text.status).toBe('Realizat');
    await expect(page.locator('#summary').innerText()).resolves.toMatch(/Revizia curentă\s+3/);
    await page.screenshot({ path: path.join(artifacts, 'coordinator-page-resolved.png'), fullPage: true });
  });

  it('lists the overdue actions first, as of a chosen day, with their units and days late', async () => {
    // 1 March 2024: a month of use. Expected from the seed's text: 1.1.1 "SEM. II. 2022" (CSDPPP, not in the legend)
    // is 426 days late; 65 of the 72 actions are overdue, none is due soon (the rest are recurring).
    await page.locator('#asof').fill('2024-03-01');
    await page.getByRole('button', { name: 'Arată' }).click();
    // 65 of the seed's 72 actions are overdue that day; this test's submissions marked one or two done.
    const note = page.locator('#overdue p.note');
    await note.filter({ hasText: '2024-03-01' }).waitFor();
    const m = /^(\d+) de acțiuni întârziate, 0 acțiuni cu termen apropiat, la 2024-03-01\.$/.exec(
      await note.innerText(),
    );
    expect(m).not.toBeNull();
    const late = Number(m![1]);
    expect(late).toBeGreaterThanOrEqual(63);
    expect(late).toBeLessThanOrEqual(65);
    const first = page.locator('#overdue-table tbody tr').first();
    expect(await page.locator('#overdue-table tbody tr').count()).toBe(late);
    const top = await first.innerText();
    expect(top).toContain('1. Comunicarea valorilor aprobate în Strategia de Management');
    expect(top).toContain('426 de zile întârziere');
    expect(top).toContain('Fără responsabil cunoscut');
    // The section comes before the units and the charts.
    const order = await page.locator('#dashboard > section').evaluateAll((ss) => ss.map((x) => x.id || x.className));
    expect(order.indexOf('overdue-section')).toBeLessThan(2);
    // Actions with no known owner have their own bar; full criterion names, the share done after each bar.
    await expect(page.locator('#chart-units svg > g').last().getAttribute('data-label')).resolves.toBe(
      'Fără responsabil cunoscut',
    );
    const unownedTotal = await page.locator('#chart-units svg > g').last().getAttribute('data-total');
    expect(Number(unownedTotal)).toBe(13);
    await expect(page.locator('#chart-criteria svg > g').nth(8).getAttribute('data-label')).resolves.toBe(
      '9. Rezultate cheie ale performanțelor', // ../shared/CAF2020.md, in full (was cut at 26 characters),
    );

    // Units sorted by overdue count, most first.
    await page.getByRole('button', { name: 'Ordonează după numărul de întârzieri' }).click();
    const lates = await page
      .locator('#units tbody tr td.num')
      .evaluateAll((tds) => tds.map((td) => Number(td.textContent)));
    expect(lates).toEqual([...lates].sort((a, b) => b - a));
    expect(lates[0]).toBeGreaterThan(0);

    // A one-time sign-in link for a unit, shown and focused.
    await page.getByRole('button', { name: 'Link pentru DMRU' }).click();
    await page.locator('#unit-link:focus').waitFor();
    await expect(page.locator('#unit-link').innerText()).resolves.toMatch(
      /Link de autentificare pentru DMRU, valabil o singură dată până la .*: http:\/\/127\.0\.0\.1:\d+\/unit\?code=/,
    );
    await page.screenshot({ path: path.join(artifacts, 'dashboard-1280.png'), fullPage: true });
  });

  it('is usable at 400 px: nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    await page.reload();
    await page.locator('#overdue-table tbody tr').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    await page.screenshot({ path: path.join(artifacts, 'dashboard-400.png') });
    await page.locator('#chart-criteria').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(artifacts, 'dashboard-400-charts.png') });
    await page.screenshot({ path: path.join(artifacts, 'dashboard-400-full.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});

it.runIf(!hasChromium)(`coordinator page browser test: ${skipReason('chromium')}`, () => {
  console.log(skipReason('chromium'));
});
