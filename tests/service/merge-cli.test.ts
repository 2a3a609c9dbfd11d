// The nightly merge as a coordinator runs it by hand: department copies made by `caf-plan copy`, edited the way a
// department would (here through exceljs, i.e. another program re-saving the file), merged by `caf-plan merge`.
import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlan } from '../../plan/grid';
import type { Field, Plan } from '../../plan/model';
import { MergeReport } from '../../plan/report';
import { main } from '../../service/cli';
import { readWorkbookGrid } from '../../service/xlsx/read';
import { sampleXlsxPath } from '../support/seed';
import { hasSoffice, sofficeSheetsAsTsv } from '../support/tools';

let dir: string;
let master: string; // prepared sample, revision 1
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'caf-merge-'));
  master = path.join(dir, 'master.xlsx');
  expect(await cli(['prepare', sampleXlsxPath, '--out', master, '--plan-id', 'sector1-2022'])).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const logs: string[] = [];
async function cli(args: string[]): Promise<number> {
  return main(args, { out: (l) => logs.push(l), err: (l) => logs.push(l) });
}

async function planOf(file: string): Promise<Plan> {
  return readPlan(await readWorkbookGrid(new Uint8Array(readFileSync(file))));
}

let seq = 0;
/** A department copy of the master, edited by `edit` (cells addressed by action id and field), saved as another program would. */
async function departmentCopy(
  unit: string,
  edit: (set: (id: string, field: Field, value: string | null) => void, ws: ExcelJS.Worksheet, plan: Plan) => void,
  from = master,
): Promise<string> {
  const copy = path.join(dir, `${unit}-${++seq}.xlsx`);
  expect(await cli(['copy', from, '--unit', unit, '--out', copy])).toBe(0);
  const plan = await planOf(copy);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(copy);
  const ws = wb.getWorksheet(plan.sheet)!;
  const set = (id: string, field: Field, value: string | null): void => {
    const action = plan.actions.find((a) => a.id === id);
    if (!action) throw new Error(`no action ${id}`);
    ws.getCell(action.row + 1, plan.columns[field]! + 1).value = value;
  };
  edit(set, ws, plan);
  await wb.xlsx.writeFile(copy);
  // Submissions of one unit are ordered by when they arrived: make that explicit and increasing.
  const t = new Date(Date.UTC(2023, 0, 1, 0, seq));
  utimesSync(copy, t, t);
  return copy;
}

async function merge(
  submissions: string[],
  current?: string,
): Promise<{ report: MergeReport; out: string; plan: Plan }> {
  const out = path.join(dir, `merged-${++seq}.xlsx`);
  const reportFile = path.join(dir, `report-${seq}.json`);
  const args = ['merge', '--base', master, '--out', out, '--report', reportFile];
  if (current) args.push('--current', current);
  expect(await cli([...args, ...submissions])).toBe(0);
  const report = MergeReport.parse(JSON.parse(readFileSync(reportFile, 'utf8')));
  return { report, out, plan: await planOf(out) };
}

const text = (plan: Plan, id: string, field: Field): string => plan.actions.find((a) => a.id === id)!.text[field];

describe('caf-plan merge on department copies of the Sector 1 plan', () => {
  it('applies a unit’s status and monitoring on its own rows and flags everything else', async () => {
    const dmru = await departmentCopy('DMRU', (set) => {
      set('3.1.2', 'status', 'În curs'); // DMRU's own row
      set('3.1.2', 'monitoring', 'Program aprobat, 2 sesiuni ținute');
      set('1.1.1', 'status', 'Realizat'); // CSDPPP's row: not DMRU's
      set('3.2.1', 'action', 'Altă formulare a acțiunii'); // locked column
      set('3.2.2', 'status', 'Gata'); // not a status
      set('3.3.1', 'monitoring', '=HYPERLINK("http://evil.example","clic")'); // a formula typed by a department
    });
    const { report, plan, out } = await merge([dmru]);
    expect(report.newRevision).toBe(2);
    expect(text(plan, '3.1.2', 'status')).toBe('În curs');
    expect(text(plan, '3.1.2', 'monitoring')).toBe('Program aprobat, 2 sesiuni ținute');
    expect(text(plan, '3.3.1', 'monitoring')).toBe('=HYPERLINK("http://evil.example","clic")');
    expect(text(plan, '1.1.1', 'status')).toBe('Neînceput');
    const kinds = report.conflicts.map((c) => `${c.kind}:${c.rowId}:${c.column}`).sort();
    expect(kinds).toEqual(
      ['invalid-value:3.2.2:status', 'locked-column:3.2.1:action', 'not-owner:1.1.1:status'].sort(),
    );
    expect(report.applied.map((a) => `${a.rowId}:${a.column}`).sort()).toEqual(
      ['3.1.2:monitoring', '3.1.2:status', '3.3.1:monitoring'].sort(),
    );
    // No formula that a department typed reaches the merged file.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const cell = wb
      .getWorksheet(plan.sheet)!
      .getCell(plan.actions.find((a) => a.id === '3.3.1')!.row + 1, plan.columns.monitoring! + 1);
    expect(typeof cell.value).toBe('string');
    expect(cell.formula).toBeUndefined();
    // The conflicts sheet lists every conflict.
    const conflicts = wb.getWorksheet('Conflicte');
    expect(conflicts).toBeDefined();
    expect(conflicts!.actualRowCount).toBeGreaterThanOrEqual(1 + report.conflicts.length);
  });

  it('applies nothing from a copy that only re-typed ș/ş, ț/ţ and spacing, or sorted its rows', async () => {
    const cosmetic = await departmentCopy('DMRU', (set, _ws, plan) => {
      for (const a of plan.actions.filter((x) => String(x.values.ownerCodes ?? '').includes(';DMRU;'))) {
        set(a.id, 'monitoring', '  ');
        set(a.id, 'status', ` ${a.text.status.replace(/ț/g, 'ţ').replace(/ș/g, 'ş')}  `);
      }
    });
    const sorted = await departmentCopy('SIC', (_set, ws, plan) => {
      // Each subcriterion's rows sorted in reverse, as Excel sorts a block of whole rows (ids move with them).
      // Excel cannot sort across the merged subcriterion rows, and 4.6.1 with its continuation row stays put.
      const blocks = new Map<string, number[]>();
      for (const a of plan.actions) {
        if (a.continuationRows.length > 0) continue;
        blocks.set(a.subcriterion, [...(blocks.get(a.subcriterion) ?? []), a.row + 1]);
      }
      let moved = 0;
      for (const rows of blocks.values()) {
        const values = rows.map((r) => (ws.getRow(r).values as ExcelJS.CellValue[]).slice());
        rows.forEach((r, i) => {
          ws.getRow(r).values = values[values.length - 1 - i]!;
        });
        if (rows.length > 1) moved += rows.length;
      }
      expect(moved).toBeGreaterThan(50);
    });
    const { report } = await merge([cosmetic, sorted]);
    expect(report.applied).toEqual([]);
    expect(report.conflicts).toEqual([]);
  });

  it('reads an owners cell without a comma (DGAPL SIC, SMI): each of the three units owns the row', async () => {
    const plan = await planOf(master);
    const row = plan.actions.find((a) => a.text.owners === 'DGAPL SIC, SMI')!;
    expect(row).toBeDefined();
    const sic = await departmentCopy('SIC', (set) => set(row.id, 'status', 'Realizat'));
    const { report, plan: merged } = await merge([sic]);
    expect(report.conflicts).toEqual([]);
    expect(text(merged, row.id, 'status')).toBe('Realizat');
  });

  it('flags two units of one row editing the same cell differently, and applies once when they agree', async () => {
    // 3.3.2 belongs to STLSA, DJLCA and DMRU.
    const a = await departmentCopy('DJLCA', (set) => {
      set('3.3.2', 'status', 'În curs');
      set('3.3.5', 'status', 'Realizat');
    });
    const b = await departmentCopy('DMRU', (set) => {
      set('3.3.2', 'status', 'Amânat');
      set('3.3.5', 'status', 'realizat');
    });
    const { report, plan } = await merge([a, b]);
    const concurrent = report.conflicts.filter((c) => c.kind === 'concurrent-edit');
    expect(concurrent).toHaveLength(1);
    expect(concurrent[0]!.rowId).toBe('3.3.2');
    expect(concurrent[0]!.values.map((v) => `${v.unit}=${v.value}`).sort()).toEqual(['DJLCA=În curs', 'DMRU=Amânat']);
    expect(text(plan, '3.3.2', 'status')).toBe('Neînceput');
    expect(text(plan, '3.3.5', 'status')).toBe('Realizat');
    expect(report.applied.filter((x) => x.rowId === '3.3.5')).toHaveLength(1);
  });

  it('keeps the coordinator’s edit and flags it when a copy issued from an older revision changed the same cell', async () => {
    // The master moves to revision 2: the coordinator changed 3.2.1's monitoring and 7.1.1's status.
    const first = await departmentCopy('DMRU', (set) => set('3.2.3', 'status', 'În curs'));
    const rev2 = await merge([first]);
    const current = path.join(dir, 'current-rev2.xlsx');
    {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(rev2.out);
      const ws = wb.getWorksheet(rev2.plan.sheet)!;
      const at = (id: string, f: Field) =>
        ws.getCell(rev2.plan.actions.find((x) => x.id === id)!.row + 1, rev2.plan.columns[f]! + 1);
      at('3.2.1', 'monitoring').value = 'Verificat de coordonator';
      await wb.xlsx.writeFile(current);
    }
    // A DMRU copy from revision 1 (the base) edits both.
    const late = await departmentCopy('DMRU', (set) => {
      set('3.2.1', 'monitoring', 'Studiu finalizat');
      set('7.1.1', 'status', 'Parțial realizat');
    });
    const { report, plan } = await merge([late], current);
    expect(report.currentRevision).toBe(2);
    expect(report.newRevision).toBe(3);
    expect(report.conflicts.map((c) => `${c.kind}:${c.rowId}`)).toEqual(['coordinator-edit:3.2.1']);
    expect(text(plan, '3.2.1', 'monitoring')).toBe('Verificat de coordonator');
    expect(text(plan, '7.1.1', 'status')).toBe('Parțial realizat');
    expect(text(plan, '3.2.3', 'status')).toBe('În curs');
  });

  it('never applies added, deleted or unidentifiable rows; of two copies of a unit the later wins a cell both changed', async () => {
    const older = await departmentCopy('SMI', (set) => set('1.3.1', 'status', 'Amânat'));
    const latest = await departmentCopy('SMI', (set, ws, plan) => {
      set('1.3.1', 'status', 'În curs');
      set('4.5.2', 'id', ''); // an id wiped
      const deleted = plan.actions.find((a) => a.id === '2.3.2')!;
      ws.getRow(deleted.row + 1).values = []; // a row emptied
      // A new action typed into the blank row after the table of criterion 1.
      const blank = plan.actions.find((a) => a.id === '1.4.2')!.row + 2;
      ws.getCell(blank, plan.columns.action! + 1).value = '3. O acțiune nouă a SMI';
      ws.getCell(blank, plan.columns.id! + 1).value = '1.4.3';
      ws.getCell(blank, plan.columns.owners! + 1).value = 'SMI';
    });
    const { report, plan } = await merge([older, latest]);
    const outcome = Object.fromEntries(report.submissions.map((s) => [s.id, s.outcome]));
    expect(outcome[path.basename(older)]).toBe('merged');
    expect(outcome[path.basename(latest)]).toBe('merged');
    expect(text(plan, '1.3.1', 'status')).toBe('În curs');
    expect(report.overridden?.map((o) => [o.rowId, o.column, o.submission, o.by])).toEqual([
      ['1.3.1', 'status', path.basename(older), path.basename(latest)],
    ]);
    const kinds = new Set(report.conflicts.map((c) => c.kind));
    expect(kinds).toEqual(new Set(['unknown-row', 'row-deleted', 'row-added']));
    expect(plan.actions.map((a) => a.id)).toContain('2.3.2');
    expect(plan.actions.map((a) => a.id)).not.toContain('1.4.3');
    expect(plan.actions).toHaveLength(72);
  });

  it.skipIf(!hasSoffice)(
    'writes a merged workbook LibreOffice opens, with the applied values and the Conflicte sheet',
    async () => {
      const dmru = await departmentCopy('DMRU', (set) => {
        set('3.1.3', 'status', 'Realizat');
        set('1.1.2', 'status', 'Realizat');
      });
      const { out } = await merge([dmru]);
      const sheets = sofficeSheetsAsTsv(out, mkdtempSync(path.join(dir, 'lo-')));
      const all = sheets.map((f) => readFileSync(f, 'utf8'));
      const planSheet = all.find((t) => t.includes('Acțiuni necesare'))!;
      const line = planSheet.split('\n').find((l) => l.startsWith('3. Actualizarea fișelor postului'))!;
      expect(line.split('\t')).toContain('Realizat');
      const conflicts = all.find((t) => t.includes('not-owner') || t.includes('Tip'))!;
      expect(conflicts).toContain('1.1.2');
    },
  );
});
