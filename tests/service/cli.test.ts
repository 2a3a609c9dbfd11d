// The command line as a coordinator uses it, on the sample workbook of the Sector 1 plan (issue: plan core).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlan } from '../../plan/grid';
import { main } from '../../service/cli';
import { readWorkbookGrid } from '../../service/xlsx/read';
import { XlsxPackage } from '../../service/xlsx/package';
import { repoRoot, sampleXlsxPath } from '../support/seed';
import { hasSoffice, skipReason, sofficeConvert } from '../support/tools';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'caf-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

interface ValidateJson {
  actions: number;
  subcriteria: number;
  criteria: number;
  units: number;
  errors: number;
  findings: { rule: string; severity: string; rowId?: string; cell?: string; message: { ro: string; en: string } }[];
}

async function validateJson(file: string): Promise<{ code: number; json: ValidateJson }> {
  const r = await run(['validate', file, '--json']);
  return { code: r.code, json: JSON.parse(r.out) as ValidateJson };
}

/** What the acceptance of the plan core asks of every form of the Sector 1 workbook. */
function expectSector1(json: ValidateJson): void {
  expect(json.actions).toBe(72);
  expect(json.subcriteria).toBe(28);
  expect(json.criteria).toBe(9);
  expect(json.units).toBe(12);
  const deadlineFindings = json.findings.filter((f) => f.rule.startsWith('deadline'));
  expect(deadlineFindings).toEqual([]);
  const ownerWarnings = json.findings.filter((f) => f.rule.startsWith('owner'));
  const misspelt = ownerWarnings.filter((f) => /CSDPPP|CSDDDP/.test(f.message.en));
  expect(misspelt.length).toBeGreaterThanOrEqual(2);
  for (const f of misspelt) {
    expect(f.severity).toBe('warning');
    expect(f.message.en).toContain('CSDDPP');
    expect(f.message.ro).toContain('CSDDPP');
  }
  expect(misspelt.some((f) => f.message.en.includes('CSDPPP'))).toBe(true);
  expect(misspelt.some((f) => f.message.en.includes('CSDDDP'))).toBe(true);
}

describe('caf-plan validate', () => {
  it('reads the sample: 72 actions in 28 subcriteria, the 9 deadline spellings, misspelt CSDDPP warned', async () => {
    const { code, json } = await validateJson(sampleXlsxPath);
    expectSector1(json);
    expect(code).toBe(json.errors > 0 ? 1 : 0);
  });

  it('prints a human table in Romanian by default and in English with --lang en', async () => {
    const ro = await run(['validate', sampleXlsxPath]);
    expect(ro.out).toContain('72 de acțiuni în 28 de subcriterii');
    expect(ro.out).toMatch(/avertisment/);
    const en = await run(['validate', sampleXlsxPath, '--lang', 'en']);
    expect(en.out).toContain('72 actions in 28 subcriteria');
  });

  it('exits 1 when the plan has errors, and says which cell', async () => {
    // A deadline nobody can parse, written into the sample through the sample generator's own workbook builder.
    const { buildSampleWorkbook } = await import('../../scripts/make-sample');
    const seed = readFileSync(path.join(repoRoot, 'samples/plan-masuri-caf-sector1-2022.txt'), 'utf8');
    const wb = await buildSampleWorkbook(seed.replace('SEM. II. 2022', 'cândva în 2022'));
    const file = path.join(dir, 'bad-deadline.xlsx');
    await wb.xlsx.writeFile(file);
    const r = await run(['validate', file, '--json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as ValidateJson;
    const bad = json.findings.filter((f) => f.severity === 'error' && f.message.ro.includes('cândva în 2022'));
    expect(bad).toHaveLength(1);
    expect(bad[0]!.rowId).toBe('1.1.1');
    expect(bad[0]!.cell).toMatch(/^D\d+$/);
  });

  it('answers a file that is not a workbook with a bilingual error and exit 2, no stack trace', async () => {
    const file = path.join(dir, 'not-a-workbook.xlsx');
    copyFileSync(path.join(repoRoot, 'samples/plan-masuri-caf-sector1-2022.txt'), file);
    const r = await run(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/xlsx-not-zip/);
    expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('works through the installed bin (npx caf-plan)', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'bin/caf-plan.mjs'), 'validate', sampleXlsxPath, '--json'],
      {
        encoding: 'utf8',
        cwd: repoRoot,
      },
    );
    const json = JSON.parse(r.stdout) as ValidateJson;
    expect(json.actions).toBe(72);
    expect(r.status).toBe(json.errors > 0 ? 1 : 0);
  });
});

describe('caf-plan prepare', () => {
  it('--soon-days sets the "due soon" window of the colours it writes; a wrong value is a usage error', async () => {
    const out = path.join(dir, 'prepared-soon.xlsx');
    expect((await run(['prepare', sampleXlsxPath, '--out', out, '--soon-days', '14'])).code).toBe(0);
    const bytes = new Uint8Array(readFileSync(out));
    const pkg = await XlsxPackage.open(bytes);
    const xml = pkg.text(pkg.sheet(readPlan(await readWorkbookGrid(bytes)).sheet).part);
    expect(xml).toContain('TODAY()+14');
    expect(xml).not.toContain('TODAY()+30');
    const bad = await run(['prepare', sampleXlsxPath, '--out', path.join(dir, 'x.xlsx'), '--soon-days', 'două']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--soon-days primește un număr întreg de zile, de la 0 la 365.');
  });

  it('keeps the sample readable with the same findings, adds ID and Stare, and is idempotent', async () => {
    const prepared = path.join(dir, 'prepared.xlsx');
    const r = await run(['prepare', sampleXlsxPath, '--out', prepared, '--plan-id', 'sector1-2022']);
    expect(r.code).toBe(0);
    const { json } = await validateJson(prepared);
    expectSector1(json);
    const before = await validateJson(sampleXlsxPath);
    expect(json.findings.map((f) => `${f.rule}@${f.rowId}`).sort()).toEqual(
      before.json.findings.map((f) => `${f.rule}@${f.rowId}`).sort(),
    );

    const plan = readPlan(await readWorkbookGrid(new Uint8Array(readFileSync(prepared))));
    expect(plan.meta?.planId).toBe('sector1-2022');
    expect(plan.meta?.revision).toBe(1);
    expect(plan.columns.id).toBeDefined();
    expect(plan.columns.status).toBeDefined();
    expect(plan.actions.every((a) => a.idFromColumn)).toBe(true);
    expect(plan.actions.map((a) => a.id).slice(0, 3)).toEqual(['1.1.1', '1.1.2', '1.1.3']);
    expect(new Set(plan.actions.map((a) => a.text.status))).toEqual(new Set(['Neînceput']));

    const twice = path.join(dir, 'prepared-twice.xlsx');
    expect((await run(['prepare', prepared, '--out', twice])).code).toBe(0);
    const again = readPlan(await readWorkbookGrid(new Uint8Array(readFileSync(twice))));
    expect(again.columns).toEqual(plan.columns);
    expect(again.meta?.planId).toBe('sector1-2022');
  });

  it.skipIf(!hasSoffice)(
    'reads the same after LibreOffice saves the sample and the prepared workbook as .xlsx',
    async () => {
      for (const source of [sampleXlsxPath, path.join(dir, 'prepared.xlsx')]) {
        const out = mkdtempSync(path.join(dir, 'lo-'));
        const input = path.join(out, `in-${path.basename(source)}`);
        copyFileSync(source, input);
        const saved = sofficeConvert(input, 'xlsx', mkdtempSync(path.join(dir, 'lo-out-')));
        const { json } = await validateJson(saved);
        expectSector1(json);
      }
    },
  );
  if (!hasSoffice) it.skip(skipReason('soffice'), () => {});

  it('validate on a workbook without a plan table: one line with the code, both languages, exit 2', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Foaie1').addRow(['Buget', 'Sumă']);
    const file = path.join(dir, 'no-table.xlsx');
    await wb.xlsx.writeFile(file);
    for (const args of [
      ['validate', file],
      ['validate', file, '--json'],
    ]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^plan-no-table: .*nu am găsit tabelul planului.* \/ .*no plan table found/);
    }
  });

  it('refuses a workbook without a plan table, in both languages', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Foaie1').addRow(['Buget', 'Sumă']);
    const file = path.join(dir, 'no-header.xlsx');
    await wb.xlsx.writeFile(file);
    const r = await run(['prepare', file, '--out', path.join(dir, 'x.xlsx')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('nu am găsit tabelul planului');
    expect(r.err).toContain('no plan table found');
  });
});
