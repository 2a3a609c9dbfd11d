import { beforeAll, describe, expect, it } from 'vitest';
import { mergePlans, rowsFromPlan, type MergeResult, type SubmissionInput, type SubmittedRow } from '../../plan/merge';
import type { Field, Plan } from '../../plan/model';
import { CONFLICTS_SHEET, CONFLICT_FILL, CONFLICT_GUIDE, writeMergedWorkbook } from '../../service/xlsx/merged';
import { XlsxPackage } from '../../service/xlsx/package';
import { prepareWorkbook } from '../../service/xlsx/prepare';
import { SheetPatch } from '../../service/xlsx/sheet-patch';
import { StylesPatch } from '../../service/xlsx/styles-patch';
import { hasSoffice } from '../support/tools';
import {
  PLAN_SHEET,
  elements,
  libreOfficeSheets,
  loadExcelJs,
  partsOf,
  planOf,
  teamWorkbook,
} from './xlsx-write-fixtures';

const META = { planId: 'sector1-2022', revision: 1, schemaVersion: 1, issuedAt: '2024-03-01T08:00:00.000Z' };
const FORMULA_TEXT = '=HYPERLINK("http://example.invalid","apăsați")';

let base: Plan;
let master: Uint8Array;
let current: Plan;
let result: MergeResult;
let merged: Uint8Array;
let mergedPlan: Plan;

function submission(unit: string, changes: Record<string, Partial<Record<Field, string>>>): SubmissionInput {
  const rows: SubmittedRow[] = rowsFromPlan(base).map((row) => ({
    ...row,
    values: { ...row.values, ...(row.id ? changes[row.id] : {}) },
  }));
  return { id: `${unit}-1`, unit, receivedAt: '2024-03-10T12:00:00.000Z', baseRevision: 1, base, rows, scope: 'full' };
}

beforeAll(async () => {
  const team = await teamWorkbook();
  const prepared = await prepareWorkbook(team, await planOf(team), META);
  base = await planOf(prepared);
  // The coordinator edits one cell of the master after issuing the copies.
  const pkg = await XlsxPackage.open(prepared);
  const styles = StylesPatch.open(pkg);
  const sheet = SheetPatch.open(pkg, styles, pkg.sheet(base.sheet));
  const row321 = base.actions.find((a) => a.id === '3.2.1')!.row;
  sheet.setString(row321, base.columns.monitoring!, 'Notă a coordonatorului');
  sheet.commit();
  styles.commit();
  master = await pkg.save();
  current = await planOf(master);

  result = mergePlans({
    planId: META.planId,
    current,
    currentRevision: 1,
    newRevision: 2,
    mergedAt: '2024-03-11T02:00:00.000Z',
    submissions: [
      submission('SIC', {
        '1.1.3': { status: 'Realizat' },
        '1.4.1': { monitoring: FORMULA_TEXT },
        '1.4.2': { monitoring: '+40 721 000 000', resources: 'Resurse financiare' },
        '1.3.1': { monitoring: 'scris de SIC pe un rând SMI' },
        '2.4.6': { status: 'Gata' },
        '3.3.6': { monitoring: 'Varianta SIC' },
      }),
      submission('DMRU', {
        '3.1.2': { status: 'În curs' },
        '3.2.1': { monitoring: 'Varianta DMRU' },
        '3.3.6': { monitoring: 'Varianta DMRU' },
      }),
    ],
  });
  merged = await writeMergedWorkbook(master, current, result, { ...META, revision: 2 });
  mergedPlan = await planOf(merged);
});

const action = (plan: Plan, id: string): Plan['actions'][number] => plan.actions.find((a) => a.id === id)!;

describe('writeMergedWorkbook', () => {
  it('the merge under test has four applied changes and conflicts of five kinds', () => {
    expect(result.report.counts.applied).toBe(4);
    expect(new Set(result.report.conflicts.map((c) => c.kind))).toEqual(
      new Set(['not-owner', 'locked-column', 'invalid-value', 'coordinator-edit', 'concurrent-edit']),
    );
  });

  it('writes the applied values and the new revision; conflicted cells keep the master value', () => {
    expect(action(mergedPlan, '1.1.3').text.status).toBe('Realizat');
    expect(action(mergedPlan, '3.1.2').text.status).toBe('În curs');
    expect(action(mergedPlan, '1.4.1').text.monitoring).toBe(FORMULA_TEXT);
    expect(action(mergedPlan, '1.4.2').text.monitoring).toBe('+40 721 000 000');
    expect(action(mergedPlan, '3.2.1').text.monitoring).toBe('Notă a coordonatorului');
    expect(action(mergedPlan, '3.3.6').text.monitoring).toBe(action(current, '3.3.6').text.monitoring);
    expect(action(mergedPlan, '2.4.6').text.status).toBe('Neînceput');
    expect(mergedPlan.meta?.revision).toBe(2);
    expect(mergedPlan.meta?.planId).toBe(META.planId);
  });

  it('never turns submitted text into a formula', async () => {
    const before = await partsOf(master);
    const after = await partsOf(merged);
    const formulas = (parts: Map<string, string>): number =>
      [...parts]
        .filter(([n]) => n.startsWith('xl/worksheets/'))
        .reduce((sum, [, xml]) => sum + (xml.match(/<f[\s>/]/g)?.length ?? 0), 0);
    expect(formulas(before)).toBe(1); // the team's SUM on the other sheet
    expect(formulas(after)).toBe(formulas(before));
    const ws = (await loadExcelJs(merged)).getWorksheet(PLAN_SHEET)!;
    expect(ws.getRow(action(base, '1.4.1').row + 1).getCell(base.columns.monitoring! + 1).value).toBe(FORMULA_TEXT);
  });

  it('lists every conflict on the Conflicte sheet, in Romanian, with the competing values by unit', async () => {
    const wb = await loadExcelJs(merged);
    const ws = wb.getWorksheet(CONFLICTS_SHEET)!;
    const rows = (ws.getSheetValues() as unknown[][])
      .filter(Boolean)
      .map((r) => Array.from(r.slice(1), (v) => (v == null ? '' : String(v))));
    expect(rows[0]).toEqual([
      'ID',
      'Coloana',
      'Valoare de bază',
      'Valoare curentă (coordonator)',
      'Valori propuse (unitate: valoare)',
      'Tip',
      'Ce faceți',
      'Detalii',
    ]);
    expect(rows).toHaveLength(result.report.conflicts.length + 1);
    const concurrent = rows.find((r) => r[5] === CONFLICT_GUIDE['concurrent-edit'].label)!;
    expect(concurrent.slice(0, 2)).toEqual(['3.3.6', 'Monitorizare și evaluare']);
    expect(concurrent[4]).toContain('SIC: Varianta SIC');
    expect(concurrent[4]).toContain('DMRU: Varianta DMRU');
    expect(concurrent[6]).toBe(CONFLICT_GUIDE['concurrent-edit'].advice);
    const coordinator = rows.find((r) => r[5] === CONFLICT_GUIDE['coordinator-edit'].label)!;
    expect(coordinator.slice(0, 5)).toEqual([
      '3.2.1',
      'Monitorizare și evaluare',
      '',
      'Notă a coordonatorului',
      'DMRU: Varianta DMRU',
    ]);
    const locked = rows.find((r) => r[5] === CONFLICT_GUIDE['locked-column'].label)!;
    expect(locked.slice(0, 2)).toEqual(['1.4.2', 'Resurse necesare']);
  });

  it('marks each conflicted cell with a fill and a note naming the units and their values', async () => {
    const ws = (await loadExcelJs(merged)).getWorksheet(PLAN_SHEET)!;
    const cell = (id: string, field: Field) => ws.getRow(action(base, id).row + 1).getCell(base.columns[field]! + 1);
    for (const c of result.report.conflicts) {
      const target = cell(c.rowId!, c.column!);
      expect(target.fill, `${c.rowId} ${c.column}`).toMatchObject({
        type: 'pattern',
        pattern: 'solid',
        fgColor: { argb: CONFLICT_FILL },
      });
      const note = String(target.note);
      for (const v of c.values) expect(note).toContain(`${v.unit}: ${v.value}`);
    }
    // The cell keeps the rest of its format (its borders).
    expect(cell('3.3.6', 'monitoring').border).toEqual(cell('3.3.5', 'monitoring').border);
    expect(JSON.stringify(cell('3.3.5', 'monitoring').fill ?? {})).not.toContain(CONFLICT_FILL);
    expect(String(ws.getCell('B9').note)).toBe('Verificat de coordonator');
  });

  it("keeps the master's formats, merges, validations, other sheets and untouched parts", async () => {
    const before = await partsOf(master);
    const after = await partsOf(merged);
    for (const name of [
      'xl/sharedStrings.xml',
      'xl/theme/theme1.xml',
      'xl/worksheets/sheet2.xml',
      'docProps/core.xml',
    ]) {
      expect(after.get(name), name).toBe(before.get(name));
    }
    const sheetBefore = before.get('xl/worksheets/sheet1.xml')!;
    const sheetAfter = after.get('xl/worksheets/sheet1.xml')!;
    for (const local of ['conditionalFormatting', 'dataValidations', 'mergeCells', 'cols', 'sheetViews']) {
      expect(elements(sheetAfter, local), local).toEqual(elements(sheetBefore, local));
    }
  });

  it('replaces the Conflicte sheet of an earlier merge instead of adding a second one', async () => {
    const again = await writeMergedWorkbook(
      merged,
      mergedPlan,
      {
        ...result,
        edits: [],
        report: { ...result.report, newRevision: 3, conflicts: result.report.conflicts.slice(0, 1) },
      },
      { ...META, revision: 3 },
    );
    const wb = await loadExcelJs(again);
    expect(wb.worksheets.filter((w) => w.name === CONFLICTS_SHEET)).toHaveLength(1);
    expect(wb.getWorksheet(CONFLICTS_SHEET)!.actualRowCount).toBe(2);
    expect((await planOf(again)).meta?.revision).toBe(3);
  });

  it.skipIf(!hasSoffice)('opens in LibreOffice with the merged values as text', () => {
    const sheets = libreOfficeSheets(merged, 'merged');
    const plan = sheets.find((s) => s.some((r) => r[0] === 'Acțiuni necesare'))!;
    const row = plan.find((r) => r[base.columns.id!] === '1.4.1')!;
    expect(row[base.columns.monitoring!]).toBe(FORMULA_TEXT);
    expect(plan.find((r) => r[base.columns.id!] === '1.1.3')![base.columns.status!]).toBe('Realizat');
    const conflicts = sheets.find((s) => s[0]?.[0] === 'ID' && s[0]?.[1] === 'Coloana')!;
    expect(conflicts.filter((r) => r.length > 1)).toHaveLength(result.report.conflicts.length + 1);
  });
});
