// The department page (/unit) in headless Chromium against the real service: DMRU signs in with its token, sees its
// rows, edits Stare and Monitorizare și evaluare, sends them and reads the receipt; SIC opens a one-time link from
// the coordinator at 400 px and does it all by keyboard; an .xlsx copy is dropped on the page and taken in.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, skipReason } from '../support/tools';
import { editCells } from './sources-fixtures';
import { artifacts, owned, startPageService, type PageService } from './page-support';

let svc: PageService;

beforeAll(async () => {
  // 1 March 2024: a month of use; most of the sample's 2023 deadlines are past.
  if (hasChromium) svc = await startPageService(new Date('2024-03-01T09:00:00+02:00'));
}, 60_000);
afterAll(async () => svc?.close());

const submissions = () => svc.store.listSubmissions(svc.planId, { limit: 100 });

describe.skipIf(!hasChromium)('department page', () => {
  let page: Page;

  it('signs a unit in with its token and lists its rows with deadline state, owners, status and monitoring', async () => {
    ({ page } = await svc.browser(1280));
    await page.goto(svc.url + '/unit');
    await page.getByRole('heading', { name: 'Autentificare unitate' }).waitFor();
    await page.getByLabel('Token de acces').fill(svc.unitToken('DMRU'));
    await page.getByRole('button', { name: 'Intră' }).click();
    await page.getByRole('heading', { name: 'Acțiunile unității' }).waitFor();

    const plan = svc.store.revisionPlan(svc.planId, 1)!;
    const mine = owned(plan, 'DMRU');
    expect(mine.length).toBeGreaterThan(3);
    const ids = await page.locator('#rows article').evaluateAll((as) => as.map((a) => a.getAttribute('data-row')));
    expect(ids).toEqual(mine);
    const first = plan.actions.find((a) => a.id === mine[0])!;
    const card = page.locator(`#rows article[data-row="${mine[0]}"]`);
    await expect(card.locator('.action-text').innerText()).resolves.toBe(first.text.action.trim());
    await expect(card.innerText()).resolves.toContain('DMRU');
    // The card says how many days late an overdue action is.
    const overdue = page.locator('#rows article.state-overdue').first();
    await expect(overdue.locator('.badge').innerText()).resolves.toBe('Termen depășit');
    await expect(overdue.locator('.late').innerText()).resolves.toMatch(/^ \d+ (de )?zile întârziere$/);
    await expect(page.locator('#plan-line').innerText()).resolves.toMatch(
      /^Plan Sector 1 2022 · DMRU \(.+\) · revizia 1$/,
    );
    await page.screenshot({ path: path.join(artifacts, 'unit-page-1280.png'), fullPage: true });
  });

  it('sends the edited Stare and monitoring as rows and shows the receipt, focused, naming the channel', async () => {
    const plan = svc.store.revisionPlan(svc.planId, 1)!;
    const [a, b] = owned(plan, 'DMRU');
    await page.getByRole('combobox', { name: 'Stare' }).first().selectOption('Realizat');
    await page.locator(`#monitoring-${a!.replace(/\./g, '\\.')}`).waitFor();
    await page.locator(`#rows article[data-row="${b}"] textarea`).fill('Procedură aprobată prin dispoziția 12/2023');
    await expect(page.locator('#changed').innerText()).resolves.toBe('2 rânduri modificate de trimis.');
    await page.getByRole('button', { name: 'Trimite la coordonator' }).click();
    await page.locator('#receipt:focus').waitFor();
    const text = await page.locator('#receipt').innerText();
    expect(text).toContain('Primit prin pagina unității.');
    expect(text).toContain('La următoarea îmbinare se vor aplica 2 modificări.');
    expect(text).toContain('Nicio modificare nu este refuzată.');
    expect(text).toContain(`${a} · Stare: „`);
    expect(text).toContain(`${b} · Monitorizare și evaluare: „`);
    const sent = submissions().at(-1)!;
    expect(sent).toMatchObject({ unit: 'DMRU', source: 'page', kind: 'json', baseRevision: 1 });
    await page.screenshot({ path: path.join(artifacts, 'unit-page-receipt-1280.png'), fullPage: true });
  });

  it('uploads a filled-in copy dropped on the page', async () => {
    const plan = svc.store.revisionPlan(svc.planId, 1)!;
    const rowId = owned(plan, 'DMRU')[2]!;
    const copy = await editCells(await svc.copyOf('DMRU'), [{ rowId, column: 'status', value: 'În curs' }]);
    const before = submissions().length;
    // A real drop: a DataTransfer holding the file, dispatched on the drop zone as the browser does.
    const transfer = await page.evaluateHandle((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(
        new File([new Uint8Array(bytes)], 'copie DMRU.xlsx', {
          type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        }),
      );
      return dt;
    }, Array.from(copy));
    await page.dispatchEvent('#drop', 'dragover', { dataTransfer: transfer });
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: transfer });
    await page.locator('#receipt:focus', { hasText: 'Primit prin încărcarea unui fișier.' }).waitFor();
    await expect(page.locator('#receipt').innerText()).resolves.toContain('se va aplica 1 modificare.');
    expect(submissions()).toHaveLength(before + 1);
    expect(submissions().at(-1)).toMatchObject({
      unit: 'DMRU',
      source: 'upload',
      kind: 'xlsx',
      fileName: 'copie DMRU.xlsx',
    });
  });

  it('switches to English', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Your unit’s actions' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expect(page.locator('#receipt').innerText()).resolves.toContain('Received via a file upload.');
    await page.screenshot({ path: path.join(artifacts, 'unit-page-en-1280.png'), fullPage: true });
    await page.getByRole('button', { name: 'Română' }).click();
  });

  it('at 400 px, by keyboard only: a one-time link signs SIC in, a status is changed and sent', async () => {
    const link = (await (
      await svc.call('POST', `/api/plans/${svc.planId}/unit-links`, svc.coordinator, { unit: 'SIC' })
    ).json()) as { path: string };
    expect(link.path).toMatch(/^\/unit\?code=[A-Za-z0-9_-]{20,}$/);
    const { page: small } = await svc.browser(400, 800);
    await small.goto(svc.url + link.path);
    await small.getByRole('heading', { name: 'Acțiunile unității' }).waitFor();
    // The code left the address bar and cannot be used twice.
    expect(new URL(small.url()).search).toBe('');
    const again = await fetch(svc.url + '/api/unit-session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: link.path.split('=')[1] }),
    });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { code: string }).code).toBe('code-invalid');

    // Nothing wider than the screen.
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(400);

    const plan = svc.store.revisionPlan(svc.planId, 1)!;
    const first = owned(plan, 'SIC')[0]!;
    // Tab from the top until the first Stare list has focus, then choose with the arrow keys and send with Enter.
    let focused = '';
    for (let i = 0; i < 20 && focused !== `status-${first}`; i++) {
      await small.keyboard.press('Tab');
      focused = await small.evaluate(() => document.activeElement?.id ?? '');
    }
    expect(focused).toBe(`status-${first}`);
    const before = await small.locator(`#status-${first.replace(/\./g, '\\.')}`).inputValue();
    await small.keyboard.press('ArrowDown');
    const after = await small.locator(`#status-${first.replace(/\./g, '\\.')}`).inputValue();
    expect(after).not.toBe(before);
    // Tab on to the send button and press Enter.
    for (let i = 0; i < 80 && focused !== 'submit'; i++) {
      await small.keyboard.press('Tab');
      focused = await small.evaluate(() => document.activeElement?.id ?? '');
    }
    expect(focused).toBe('submit');
    await small.keyboard.press('Enter');
    await small.locator('#receipt:focus').waitFor();
    await expect(small.locator('#receipt').innerText()).resolves.toContain('se va aplica 1 modificare.');
    expect(submissions().at(-1)).toMatchObject({ unit: 'SIC', source: 'page' });
    await small.screenshot({ path: path.join(artifacts, 'unit-page-400-receipt.png') });
    await small.locator(`#rows article[data-row="${first}"]`).scrollIntoViewIfNeeded();
    await small.screenshot({ path: path.join(artifacts, 'unit-page-400-row.png') });
    await small.screenshot({ path: path.join(artifacts, 'unit-page-400.png'), fullPage: true });
  });

  it('logged no console errors', () => {
    // The refused second use of the link was fetched by the test, not the page.
    expect(svc.consoleErrors).toEqual([]);
  });
});

it.runIf(!hasChromium)(`department page browser test: ${skipReason('chromium')}`, () => {
  console.log(skipReason('chromium'));
});
