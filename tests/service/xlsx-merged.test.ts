import { beforeAll, describe, expect, it } from 'vitest';
import { mergePlans, rowsFromPlan, type MergeResult, type SubmissionInput, type SubmittedRow } from '../../plan/merge';
import type { Field, Plan } from '../../plan/model';
import { CONFLICTS_SHEET, CONFLICT_FILL, CONFLICT_GUIDE, writeMergedWorkbook } from '../../service/xlsx/merged';
import { XlsxPackage } from '../../service/xlsx/package';
import { prepareWorkbook } from '../../service/xlsx/prepare';
import { SheetPatch } from '../../service/xlsx/sheet-patch';
import { StylesPatch } from '../../service/xlsx/styles-patch';
import { decodeText } from '../../service/xlsx/xml';
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

function submission(
  unit: string,
  changes: Record<string, Partial<Record<Field, string>>>,
  from: Plan = base,
  baseRevision = 1,
): SubmissionInput {
  const rows: SubmittedRow[] = rowsFromPlan(from).map((row) => ({
    ...row,
    values: { ...row.values, ...(row.id ? changes[row.id] : {}) },
  }));
  return {
    id: `${unit}-${baseRevision}`,
    unit,
    receivedAt: '2024-03-10T12:00:00.000Z',
    baseRevision,
    base: from,
    rows,
    scope: 'full',
  };
}

/** Merges submissions made from `current` itself (revision `revision`) and writes the merged workbook. */
async function mergeOnto(
  bytes: Uint8Array,
  revision: number,
  submissions: ((from: Plan) => SubmissionInput)[],
  editable?: Field[],
): Promise<{ bytes: Uint8Array; plan: Plan; result: MergeResult }> {
  const from = await planOf(bytes);
  const res = mergePlans({
    planId: META.planId,
    current: from,
    currentRevision: revision,
    newRevision: revision + 1,
    mergedAt: '2024-04-11T02:00:00.000Z',
    ...(editable ? { editable } : {}),
    submissions: submissions.map((make) => make(from)),
  });
  const out = await writeMergedWorkbook(bytes, from, res, { ...META, revision: revision + 1 });
  return { bytes: out, plan: await planOf(out), result: res };
}

/** The notes of the plan sheet (ref -> text) and how many note shapes its VML drawing has. */
async function notesOf(bytes: Uint8Array): Promise<{ notes: Map<string, string>; shapes: number }> {
  const parts = await partsOf(bytes);
  const comments = parts.get('xl/comments1.xml') ?? '';
  const notes = new Map(
    elements(comments, 'comment').map((c) => [
      /ref="([A-Z]+\d+)"/.exec(c)![1]!,
      [...c.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((m) => decodeText(m[1]!)).join(''),
    ]),
  );
  const vml = [...parts]
    .filter(([n]) => n.endsWith('.vml'))
    .map(([, x]) => x)
    .join('');
  return { notes, shapes: vml.match(/ObjectType="Note"/g)?.length ?? 0 };
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

  it("replaces an earlier merge's marks instead of piling them up; the team's note and fills stay", async () => {
    const b9 = base.actions.find((a) => a.row === 8)!;
    // Second merge: a proposal on B9, which carries the team's note, and 3.3.6 in conflict again.
    const second = await mergeOnto(merged, 2, [
      (from) =>
        submission(
          'SIC',
          { [b9.id]: { result: 'Propunere de rezultat' }, '3.3.6': { monitoring: 'SIC din nou' } },
          from,
          2,
        ),
      (from) => submission('DMRU', { '3.3.6': { monitoring: 'DMRU din nou' } }, from, 2),
    ]);
    const marked = new Set(second.result.report.conflicts.map((c) => `${c.rowId}|${c.column}`));
    expect(marked).toEqual(new Set([`${b9.id}|result`, '3.3.6|monitoring']));
    const ws = (await loadExcelJs(second.bytes)).getWorksheet(PLAN_SHEET)!;
    const cell = (id: string, field: Field) => ws.getRow(action(base, id).row + 1).getCell(base.columns[field]! + 1);
    for (const c of result.report.conflicts) {
      const fill = JSON.stringify(cell(c.rowId!, c.column!).fill ?? {});
      expect([c.rowId, c.column, fill.includes(CONFLICT_FILL)]).toEqual([
        c.rowId,
        c.column,
        marked.has(`${c.rowId}|${c.column}`),
      ]);
    }
    // The unmarked cells got their own format back (3.1.2's status looks like 3.1.1's again).
    expect(cell('2.4.6', 'status').style).toEqual(cell('2.4.5', 'status').style);
    const { notes, shapes } = await notesOf(second.bytes);
    expect(notes.size).toBe(2);
    expect(shapes).toBe(2);
    expect(notes.get('B9')).toMatch(/^Verificat de coordonator\n\nConflict: /);
    const n336 = [...notes.entries()].find(([ref]) => ref !== 'B9')![1];
    expect(n336.match(/^Conflict: /gm)).toHaveLength(1);
    expect(n336).toContain('SIC: SIC din nou');
    expect(n336).not.toContain('Varianta SIC');

    // A third merge without conflicts leaves no mark at all.
    const third = await mergeOnto(second.bytes, 3, []);
    const after = await notesOf(third.bytes);
    expect([...after.notes]).toEqual([['B9', 'Verificat de coordonator']]);
    expect(after.shapes).toBe(1);
    const sheetXml = (await partsOf(third.bytes)).get('xl/worksheets/sheet1.xml')!;
    const styles = StylesPatch.open(await XlsxPackage.open(third.bytes));
    const filled = styles.xfsFilledWith(CONFLICT_FILL);
    const used = [...sheetXml.matchAll(/<c [^>]*\bs="(\d+)"/g)].map((m) => Number(m[1]));
    expect(used.filter((s) => filled.has(s))).toEqual([]);
    if (hasSoffice) {
      const sheets = libreOfficeSheets(third.bytes, 'third');
      expect(sheets.some((rows) => rows.some((r) => r[0] === 'Acțiuni necesare'))).toBe(true);
    }
  });

  it('writes an edit of an action with continuation rows once: the continuation cells of that column are emptied', async () => {
    // 4.6.1 of the seed: its action text goes on over a continuation row (`b) amenajarea ...`).
    const id = '4.6.1';
    const a = action(base, id);
    expect(a.continuationRows.length).toBeGreaterThan(0);
    expect(a.text.action).toContain('\nb) amenajarea');
    const rewritten = '1. Amenajarea ergonomică a locurilor de muncă și a unui spațiu de repaus la sediul PS 1';
    // The coordinator lets units edit the action text in this round.
    const editable: Field[] = ['status', 'monitoring', 'action'];
    const out = await mergeOnto(
      merged,
      2,
      [(from) => submission('DMRU', { [id]: { action: rewritten } }, from, 2)],
      editable,
    );
    expect(out.result.report.counts.applied).toBe(1);
    const after = action(out.plan, id);
    expect(after.text.action).toBe(rewritten);
    expect(after.continuationRows).toEqual([]);
    // The rest of the row and the plan around it read as before.
    expect(after.text.monitoring).toBe(a.text.monitoring);
    expect(out.plan.actions.map((x) => x.id)).toEqual(current.actions.map((x) => x.id));
    // Merging the same again changes nothing (the text does not grow).
    const again = await mergeOnto(
      out.bytes,
      3,
      [(from) => submission('DMRU', { [id]: { action: rewritten } }, from, 3)],
      editable,
    );
    expect(again.result.report.counts.applied).toBe(0);
    expect(action(again.plan, id).text.action).toBe(rewritten);
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
