// The built task pane in headless Chromium, with the fake Excel standing in for office.js and the seed plan as the
// workbook: what a coordinator sees and what the workbook receives when they prepare, validate, pick a finding,
// filter by unit and highlight deadlines.
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlan } from '../../plan/grid';
import { summarizePlan } from '../../plan/highlight';
import { ownerCodes } from '../../plan/owners';
import { validatePlan } from '../../plan/validate';
import { repoRoot, seedGrid } from '../support/seed';
import { hasChromium, launchChromium, skipReason } from '../support/tools';
import { buildAddin, serveFakeOffice } from './build';

// The pane's clock is pinned to a day inside the seed plan's period, so every deadline state occurs.
const TODAY = '2023-06-01';
const grid = seedGrid();
const seedPlan = readPlan(grid);
const expectedFindings = validatePlan(seedPlan, { today: TODAY });
const dmruRows = seedPlan.actions.filter((a) => ownerCodes(a.text.owners, seedPlan.units).includes('DMRU'));
const expectedSummary = summarizePlan(seedPlan, TODAY);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.xml': 'application/xml',
};

function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = path.join(root, path.normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, ''));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.skipIf(!hasChromium)('task pane in Chromium with the fake Excel (seed plan)', () => {
  let dist: string;
  let profile: string;
  let server: Server;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const problems: string[] = [];

  async function open(): Promise<void> {
    await page.goto(`${base}/addin/taskpane.html`);
    // The pane reads the workbook on opening: the unit filter fills from the legend.
    await page.locator('#filter-units input[value="DMRU"]').waitFor({ state: 'attached' });
    await page.locator('#pane[aria-busy="false"]').waitFor();
  }

  const fake = <T>(fn: string): Promise<T> => page.evaluate(fn) as Promise<T>;

  beforeAll(async () => {
    dist = mkdtempSync(path.join(os.tmpdir(), 'caf-pane-'));
    profile = mkdtempSync(path.join(os.tmpdir(), 'caf-chromium-'));
    await buildAddin({
      mode: 'development',
      outDir: dist,
      extraEntries: { 'fake-office': './tests/addin/fake-office-page.ts' },
    });
    server = await serve(dist);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    context = await launchChromium(profile, {
      viewport: { width: 380, height: 900 }, // a task pane is narrow
      locale: 'ro-RO',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // Nothing leaves 127.0.0.1; office.js is the fake Excel bundle.
    await serveFakeOffice(context, base, dist);
    await context.addInitScript((g) => {
      (window as unknown as { __CAF_GRID__: unknown }).__CAF_GRID__ = g;
    }, grid);
    await page.clock.setFixedTime(new Date(`${TODAY}T09:00:00`));
    await open();
  });

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    for (const dir of [dist, profile]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens in Romanian with the units of the legend and the summary of the plan', async () => {
    await expect.poll(() => page.locator('h2#validate-title').textContent()).toBe('Validare');
    expect(await page.locator('#filter-units input[type=checkbox]').count()).toBe(seedPlan.units.length);
    await expect
      .poll(() => page.locator('#summary-caption').textContent())
      .toContain('01.06.2023 (72 de acțiuni în plan)');
    const planRow = page.locator('#summary tbody tr.plan-row td');
    expect(await planRow.last().textContent()).toBe(String(expectedSummary.total));
    await expect
      .poll(() => page.locator('#legend li[data-state="overdue"] .n').textContent())
      .toBe(String(expectedSummary.byState.overdue));
  });

  it('prepares the plan: ID and Stare appended at the right, metadata in the very hidden sheet', async () => {
    await page.getByRole('button', { name: 'Pregătește planul' }).click();
    await expect
      .poll(() => page.locator('#notice').textContent())
      .toContain(`Plan pregătit: 72 de acțiuni, ${seedPlan.units.length} compartimente`);
    const sheets = await fake<{ name: string; visibility: string }[]>(
      '__CAF_FAKE__.sheets.map(s => ({ name: s.name, visibility: s.visibility }))',
    );
    expect(sheets).toContainEqual({ name: '_caf_plan', visibility: 'VeryHidden' });
    const header = await fake<unknown[]>(
      `(() => { const s = __CAF_FAKE__.sheet('Plan'); const r = ${seedPlan.headerRow};
        return Array.from({ length: 12 }, (_, c) => s.value(r, c)); })()`,
    );
    expect(header).toContain('ID');
    expect(header).toContain('Stare');
  });

  it('validates: findings grouped by severity with counts, the CSDDPP misspelling suggested', async () => {
    // By keyboard: the button keeps the focus through the work, so Tab goes on to the findings.
    await page.getByRole('button', { name: 'Validează planul' }).focus();
    await page.keyboard.press('Enter');
    const warnings = expectedFindings.filter((f) => f.severity === 'warning');
    const errors = expectedFindings.filter((f) => f.severity === 'error');
    await expect
      .poll(() => page.locator('#notice').textContent())
      .toContain(`72 de acțiuni verificate: ${errors.length} erori, ${warnings.length} avertismente.`);
    const group = page.locator('.findings-group[data-severity="warning"]');
    await expect.poll(() => group.locator('h3 .count').textContent()).toBe(String(warnings.length));
    // Identical findings share one line (the action named in the message left out), their rows listed under it.
    const lines = new Set(
      warnings.map((f) => `${f.rule}|${f.message.ro.replace(/^Acțiunea (de pe rândul \d+|\S+): /, '')}`),
    );
    expect(lines.size).toBeLessThan(warnings.length);
    expect(await group.locator('button.finding').count()).toBe(lines.size);
    await expect.poll(() => group.locator('button.finding').first().textContent()).toContain('Poate CSDDPP?');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('validate');
    expect(await page.locator('.findings-group[data-severity="error"]').count()).toBe(errors.length > 0 ? 1 : 0);
  });

  it('selects the cell of a finding in Excel when the user presses Enter on it', async () => {
    // A row of a grouped finding: its button is labelled with its cell.
    const first = page.locator('.findings-group button.row').first();
    const cell = (await first.getAttribute('aria-label'))!.split(':')[0]!;
    await first.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#notice').textContent()).toContain(`Celula ${cell} este selectată.`);
    const selection = await fake<{ sheet: string; rect: { top: number; left: number } }>('__CAF_FAKE__.selection');
    const expected = expectedFindings.find((f) => f.cell === cell)!;
    expect(selection.sheet).toBe(expected.sheet);
    const { row, col } = { row: Number(/\d+/.exec(cell)![0]) - 1, col: cell.charCodeAt(0) - 65 };
    expect(selection.rect).toMatchObject({ top: row, left: col });
    // Focus stays on the finding, so the user can go on with the next one.
    expect(await page.evaluate(() => document.activeElement?.classList.contains('row'))).toBe(true);
  });

  it('filters by unit: the AutoFilter hides every row that is not DMRU', async () => {
    await page.locator('#filter-units summary').click();
    await page.locator('#filter-units input[value="DMRU"]').check();
    await expect.poll(() => page.locator('#filter-units .chosen').textContent()).toBe('DMRU');
    await page.getByRole('button', { name: 'Aplică filtrul' }).click();
    await expect
      .poll(() => page.locator('#notice').textContent())
      .toContain(`Filtru aplicat: ${dmruRows.length} din 72 de acțiuni afișate.`);
    const state = await fake<{ filter: boolean; hidden: number[] }>(
      `(() => { const s = __CAF_FAKE__.sheet('Plan'); return { filter: s.autoFilter !== null, hidden: [...s.filteredRows] }; })()`,
    );
    expect(state.filter).toBe(true);
    const hidden = new Set(state.hidden);
    const visibleActions = seedPlan.actions.filter((a) => !hidden.has(a.row));
    expect(visibleActions.map((a) => a.id)).toEqual(dmruRows.map((a) => a.id));
  });

  it('highlights deadlines with conditional formats on the table and shows the legend with counts', async () => {
    await page.getByRole('button', { name: 'Evidențiază termenele' }).click();
    await expect
      .poll(() => page.locator('#notice').textContent())
      .toContain('Termenele sunt evidențiate la data de 01.06.2023');
    const formats = await fake<number>(`__CAF_FAKE__.sheet('Plan').conditionalFormats.length`);
    expect(formats).toBeGreaterThanOrEqual(5);
    for (const s of ['done', 'overdue', 'due-soon', 'on-track', 'recurring', 'invalid'] as const) {
      await expect
        .poll(() => page.locator(`#legend li[data-state="${s}"] .n`).textContent())
        .toBe(String(expectedSummary.byState[s]));
    }
    const dmru = page.locator('#summary tbody tr[data-unit="DMRU"] td');
    expect(await dmru.last().textContent()).toBe(String(expectedSummary.byUnit.DMRU!.total));

    mkdirSync(path.join(repoRoot, 'tests/artifacts'), { recursive: true });
    // As tall as the page, so the sticky status bar sits at the top as it does in Excel, not mid-picture.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 380, height });
    await page.screenshot({ path: path.join(repoRoot, 'tests/artifacts/taskpane.png'), fullPage: true });
    await page.setViewportSize({ width: 350, height: 600 });
    await page.screenshot({ path: path.join(repoRoot, 'tests/artifacts/taskpane-coordinator-ro-350.png') });
    await page.setViewportSize({ width: 380, height: 900 });
    // The summary fits the pane's width: no sideways scrolling in a 380 px pane.
    const overflow = await page.evaluate(() => {
      const wrap = document.querySelector('.table-wrap')!;
      return wrap.scrollWidth - wrap.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('switches to English and remembers the language and the last filter choice after reopening', async () => {
    await page.locator('button[data-lang="en"]').click();
    await expect.poll(() => page.locator('h2#validate-title').textContent()).toBe('Validate');
    await expect
      .poll(() => page.locator('.findings-group button.finding').first().textContent())
      .toContain('Did you mean CSDDPP?');
    await open();
    await expect.poll(() => page.locator('h2#validate-title').textContent()).toBe('Validate');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('#filter-units input[value="DMRU"]').isChecked()).toBe(true);
    await page.setViewportSize({ width: 350, height: 600 });
    await page.screenshot({ path: path.join(repoRoot, 'tests/artifacts/taskpane-coordinator-en-350.png') });
    await page.setViewportSize({ width: 380, height: 900 });
  });

  it('a department copy (the prepared plan issued to DMRU): only what the unit may do, in 350 x 600', async () => {
    const prepared = await fake<unknown>('__CAF_FAKE__.toGrid()');
    const dept = await context.newPage();
    await dept.addInitScript((g) => {
      const w = window as unknown as { __CAF_GRID__: unknown; __CAF_COPY_UNIT__: string };
      w.__CAF_GRID__ = g;
      w.__CAF_COPY_UNIT__ = 'DMRU';
    }, prepared);
    await dept.setViewportSize({ width: 350, height: 600 });
    await dept.clock.setFixedTime(new Date(`${TODAY}T09:00:00`));
    dept.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    for (const lang of ['ro', 'en'] as const) {
      await dept.goto(`${base}/addin/taskpane.html`);
      await dept.locator('#pane[data-mode="department"]').waitFor();
      await dept.locator('#pane[aria-busy="false"]').waitFor();
      if (lang === 'en') await dept.locator('button[data-lang="en"]').click();
      else await dept.locator('button[data-lang="ro"]').click();
      // No Prepare, no Highlight, no summary, no unit filter: the unit's own view.
      for (const id of ['prepare', 'highlight', 'refresh-summary'])
        expect(await dept.locator(`#${id}`).isVisible()).toBe(false);
      expect(await dept.locator('#filter-units').isVisible()).toBe(false);
      expect(await dept.locator('#filter-criteria').isVisible()).toBe(true);
      expect(await dept.locator('#service-submit').isVisible()).toBe(true);
      await expect.poll(() => dept.locator('#mode-banner').textContent()).toContain('DMRU');
      // The copy opened on the unit's rows, without touching protection.
      const state = () =>
        dept.evaluate(() => {
          const w = window as unknown as {
            __CAF_FAKE__: { sheet(n: string): { protection: { protected: boolean }; filteredRows: Set<number> } };
          };
          const s = w.__CAF_FAKE__.sheet('Plan');
          return { protected: s.protection.protected, hidden: s.filteredRows.size > 0 };
        });
      // Protection stays as the copy set it (the filter on a protected copy is tested in strict-excel.test.ts).
      await expect.poll(async () => (await state()).protected).toBe(true);
      await dept.locator('#validate').click();
      await dept.locator('#pane[aria-busy="false"]').waitFor();
      await expect.poll(() => dept.locator('#notice').textContent()).toContain('DMRU');
      // The common case (the connection set up once, so folded away) fits the pane: nothing to scroll.
      await dept.evaluate(() =>
        document.querySelector<HTMLDetailsElement>('#service-connection')!.removeAttribute('open'),
      );
      const height = await dept.evaluate(() => document.documentElement.scrollHeight);
      await dept.screenshot({ path: path.join(repoRoot, `tests/artifacts/taskpane-department-${lang}-350.png`) });
      expect(height).toBeLessThanOrEqual(600);
    }
    await dept.close();
  });

  it('logged no console error', () => {
    expect(problems.join('\n')).toBe('');
  });
});

it.runIf(!hasChromium)(`task pane browser test: ${skipReason('chromium')}`, () => {
  console.log(skipReason('chromium'));
});
