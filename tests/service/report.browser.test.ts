// The monitoring report at /report, printed to PDF by headless Chromium; the PDF's pages are rendered to PNG with
// poppler's pdftoppm when it is installed (scripts/ensure-test-tools.sh), else the print layout is captured as
// images by Chromium itself. Expected values are literals from the seed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, skipReason } from '../support/tools';
import { artifacts, startPageService, type PageService } from './page-support';

let svc: PageService;
const hasPdftoppm = spawnSync('sh', ['-c', 'command -v pdftoppm'], { stdio: 'ignore' }).status === 0;

beforeAll(async () => {
  if (hasChromium) svc = await startPageService(new Date('2024-03-01T09:00:00+02:00'));
}, 60_000);
afterAll(async () => svc?.close());

describe.skipIf(!hasChromium)('monitoring report', () => {
  it('asks a visitor who is not the coordinator to sign in', async () => {
    const res = await fetch(svc.url + '/report');
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Raportul este al coordonatorului');
  });

  it('prints the plan, the day, progress per criterion and unit, the overdue list, conflicts and silent units', async () => {
    const { page } = await svc.browser(1280);
    await page.goto(svc.url + '/');
    await page.getByLabel('Token de acces').fill(svc.coordinator);
    await page.getByRole('button', { name: 'Intră' }).click();
    await page.locator('#units tbody tr').first().waitFor();
    await page.getByRole('link', { name: 'Raport de monitorizare (de tipărit)' }).click();
    await page.getByRole('heading', { name: 'Raport de monitorizare a planului de îmbunătățire CAF' }).waitFor();
    const text = await page.locator('body').innerText();
    expect(text).toContain('Plan Sector 1 2022 · revizia 1 · 72 de acțiuni');
    expect(text).toContain('Situația la 2024-03-01');
    expect(text).toContain('9. Rezultate cheie ale performanțelor');
    expect(text).toContain('Acțiuni cu termen depășit (65)');
    expect(text).toContain('Fără responsabil cunoscut');
    expect(text).toContain('Niciun conflict deschis.');
    expect(text).toMatch(/Unități care nu au trimis de la ultima îmbinare \(\d+\)/);
    const pdfPath = path.join(artifacts, 'report.pdf');
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ path: pdfPath, format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = Number(/\/Type\s*\/Pages[^>]*\/Count (\d+)/.exec(readFileSync(pdfPath, 'latin1'))?.[1] ?? 0);
    expect(pages).toBeGreaterThanOrEqual(2);
    // The printed page hides the "print me" hint.
    expect(await page.locator('.print').isVisible()).toBe(false);
    if (hasPdftoppm) {
      spawnSync('pdftoppm', ['-png', '-r', '60', pdfPath, path.join(artifacts, 'report-page')]);
      expect(readdirSync(artifacts).filter((f) => f.startsWith('report-page')).length).toBe(pages);
    } else {
      // Without poppler: the print layout at A4 width, captured by Chromium.
      await page.setViewportSize({ width: 794, height: 1123 });
      await page.screenshot({ path: path.join(artifacts, 'report-print-1.png') });
      await page.screenshot({ path: path.join(artifacts, 'report-print-full.png'), fullPage: true });
      expect(existsSync(path.join(artifacts, 'report-print-1.png'))).toBe(true);
    }
  });
});

it.runIf(!hasChromium)(`report browser test: ${skipReason('chromium')}`, () => {
  console.log(skipReason('chromium'));
});
