// The built task pane in headless Chromium, served by the real sync service (the usual deployment: pane and API on
// one origin), with the fake Excel standing in for office.js (tests/addin/fake-office-page.ts): a department head
// submits from the DMRU copy, the merge runs, the coordinator syncs the master and resolves the conflict by choosing
// a value. Screenshots go to tests/artifacts/connect-*.png.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellAddress } from '../../plan/address';
import { readPlan } from '../../plan/grid';
import type { Field, Plan, WorkbookGrid } from '../../plan/model';
import { ownerCodes } from '../../plan/owners';
import { repoRoot } from '../support/seed';
import { hasChromium, launchChromium, skipReason } from '../support/tools';
import { buildAddin, serveFakeOffice } from './build';
import { importSamplePlan, startKillableService, type KillableService } from './connect-support';

const artifacts = path.join(repoRoot, 'tests/artifacts');

describe.skipIf(!hasChromium)('the pane talks to the service, in Chromium', () => {
  let dist: string;
  let profile: string;
  let s: KillableService;
  let context: BrowserContext;
  let planId: string;
  let master: WorkbookGrid;
  let plan: Plan;
  let onlyDmru: string[];
  let shared: string;
  let other: string;
  const problems: string[] = [];

  const owners = (p: Plan, id: string): string[] =>
    ownerCodes(p.actions.find((a) => a.id === id)!.text.owners, p.units);
  const cell = (p: Plan, rowId: string, column: Field): { row: number; col: number; address: string } => {
    const a = p.actions.find((x) => x.id === rowId)!;
    const col = p.columns[column]!;
    return { row: a.row, col, address: cellAddress(a.row, col) };
  };

  async function openPane(grid: WorkbookGrid): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.addInitScript((g) => {
      (window as unknown as { __CAF_GRID__: unknown }).__CAF_GRID__ = g;
    }, grid);
    const response = await page.goto(`${s.url}/addin/taskpane.html`);
    expect(response?.status()).toBe(200);
    await page
      .locator('#service-banner')
      .waitFor({ state: 'attached', timeout: 15_000 })
      .catch((error: unknown) => {
        throw new Error(`the pane did not open: ${String(error)}\n${problems.join('\n')}`);
      });
    await page.locator('#service[aria-busy="false"]').waitFor();
    return page;
  }

  async function connect(page: Page, token: string): Promise<void> {
    if (!(await page.locator('#service-connection').evaluate((d) => (d as HTMLDetailsElement).open))) {
      await page.locator('#service-connection summary').click();
    }
    expect(await page.getByLabel('Adresa serviciului').inputValue()).toBe(s.url);
    await page.getByLabel('Token de acces').fill(token);
    await page.getByRole('button', { name: 'Verifică conexiunea' }).click();
    await expect.poll(() => page.locator('#service-notice').textContent()).toContain('Conectat la');
  }

  beforeAll(async () => {
    dist = mkdtempSync(path.join(os.tmpdir(), 'caf-connect-pane-'));
    profile = mkdtempSync(path.join(os.tmpdir(), 'caf-chromium-'));
    mkdirSync(artifacts, { recursive: true });
    await buildAddin({
      mode: 'development',
      outDir: dist,
      extraEntries: { 'fake-office': './tests/addin/fake-office-page.ts' },
    });
    s = await startKillableService({ addinDir: dist, samplePlan: '' });
    planId = await importSamplePlan(s);
    master = await s.gridOf(`/api/plans/${planId}/current.xlsx`);
    plan = readPlan(master);
    onlyDmru = plan.actions.filter((a) => owners(plan, a.id).join() === 'DMRU').map((a) => a.id);
    shared = plan.actions.find((a) => owners(plan, a.id).includes('DMRU') && owners(plan, a.id).length > 1)!.id;
    other = owners(plan, shared).find((u) => u !== 'DMRU')!;

    context = await launchChromium(profile, {
      viewport: { width: 380, height: 1000 },
      locale: 'ro-RO',
    });
    await serveFakeOffice(context, s.url, dist);
  });

  afterAll(async () => {
    await context?.close();
    await s?.close();
    for (const dir of [dist, profile]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('department: the DMRU copy shows its banner, submits its edits and shows the receipt', async () => {
    const copy = await s.gridOf(`/api/plans/${planId}/copies/DMRU.xlsx`, s.unitToken('DMRU'));
    const copyPlan = readPlan(copy);
    const page = await openPane(copy);
    await expect
      .poll(() => page.locator('#service-banner').textContent())
      .toBe(`Copia unității DMRU · planul ${planId}, revizia 1`);
    expect(await page.locator('#service-coordinator').isHidden()).toBe(true);
    await connect(page, s.unitToken('DMRU'));
    await expect.poll(() => page.locator('#service-notice').textContent()).toContain('ca unitatea DMRU');

    const edits: [string, Field, string][] = [
      [onlyDmru[0]!, 'status', 'Realizat'],
      [onlyDmru[1]!, 'monitoring', 'Raport aprobat prin dispoziția nr. 12/2023'],
      [shared, 'status', 'În curs'],
    ];
    for (const [id, column, value] of edits) {
      const at = cell(copyPlan, id, column).address;
      await page.evaluate(
        ([sheet, address, v]) =>
          (
            window as unknown as { __CAF_FAKE__: { userEdit(s: string, a: string, v: unknown[][]): void } }
          ).__CAF_FAKE__.userEdit(sheet!, address!, [[v]]),
        [copyPlan.sheet, at, value],
      );
    }
    await page.getByRole('button', { name: 'Trimite la coordonator' }).click();
    await expect
      .poll(() => page.locator('#service-notice').textContent())
      .toContain(
        'Primit prin add-in-ul Excel. La următoarea îmbinare se vor aplica 3 modificări. Nicio modificare nu este refuzată.',
      );
    expect(await page.locator('#service-retry').isVisible()).toBe(false); // nothing to retry after a success
    const applied = await page.locator('#service-receipt li').allTextContents();
    expect(applied).toHaveLength(3);
    expect(applied.join('\n')).toContain(`${onlyDmru[0]} · Stare: „Neînceput” → „Realizat”`);
    await page.locator('#service').screenshot({ path: path.join(artifacts, 'connect-department.png') });
    await page.close();
  });

  it('coordinator: Sync writes the merge into the master, lists and marks the conflict, and resolves it', async () => {
    // The other owner of the shared row disagrees (JSON rows, as its own pane would send them).
    const res = await s.api('POST', `/api/plans/${planId}/submissions`, {
      token: s.unitToken(other),
      body: { unit: other, baseRevision: 1, rows: [{ id: shared, values: { status: 'Amânat' } }] },
    });
    expect(res.status).toBe(201);
    expect((await s.api('POST', `/api/plans/${planId}/merges`)).status).toBe(201);

    const page = await openPane(master);
    await expect
      .poll(() => page.locator('#service-banner').textContent())
      .toBe(`Planul ${planId} · revizia 1 în acest registru`);
    await connect(page, s.coordinator);
    await expect.poll(() => page.locator('#service-notice').textContent()).toContain('ca coordonator CAF');
    await page.getByRole('button', { name: 'Sincronizează' }).click();
    await expect
      .poll(() => page.locator('#service-notice').textContent())
      .toContain('Sincronizat la revizia 2: 2 celule actualizate, 1 conflict deschis.');
    const valueAt = (row: number, col: number): Promise<unknown> =>
      page.evaluate(
        ([sheet, r, c]) =>
          (
            window as unknown as { __CAF_FAKE__: { sheet(n: string): { value(r: number, c: number): unknown } } }
          ).__CAF_FAKE__
            .sheet(sheet as string)
            .value(r as number, c as number),
        [plan.sheet, row, col] as const,
      );
    const status = cell(plan, onlyDmru[0]!, 'status');
    expect(await valueAt(status.row, status.col)).toBe('Realizat');
    const conflict = page.locator('#service-conflicts .conflict');
    expect(await conflict.count()).toBe(1);
    const box = (await conflict.textContent())!;
    expect(box).toContain(`${shared} · Stare`);
    expect(box).toContain('DMRU: „În curs”');
    expect(box).toContain(`${other}: „Amânat”`);
    const comments = await page.evaluate(
      () => (window as unknown as { __CAF_FAKE__: { notes: { content: string }[] } }).__CAF_FAKE__.notes.length,
    );
    expect(comments).toBe(1);
    await page.locator('#service').screenshot({ path: path.join(artifacts, 'connect-coordinator.png') });

    await page.getByRole('button', { name: `Alege (${other})` }).click();
    await expect
      .poll(() => page.locator('#service-notice').textContent())
      .toMatch(/Conflictul #\d+ este rezolvat; registrul este la revizia 3\./);
    const sharedCell = cell(plan, shared, 'status');
    expect(await valueAt(sharedCell.row, sharedCell.col)).toBe('Amânat');
    await expect.poll(() => page.locator('#service-conflicts').textContent()).toBe('Niciun conflict deschis.');
    expect(
      await page.evaluate(
        () => (window as unknown as { __CAF_FAKE__: { comments: unknown[] } }).__CAF_FAKE__.comments.length,
      ),
    ).toBe(0);
    await expect
      .poll(() => page.locator('#service-banner').textContent())
      .toBe(`Planul ${planId} · revizia 3 în acest registru`);
    await page.locator('#service').screenshot({ path: path.join(artifacts, 'connect-resolved.png') });
    await page.close();
    expect(problems).toEqual([]);
  });
});

it.runIf(!hasChromium)(`pane and service browser test: ${skipReason('chromium')}`, () => {
  console.log(skipReason('chromium'));
});
