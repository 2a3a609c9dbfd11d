// The hidden helper columns (`Termen calculat`, `Coduri responsabili`) are derived: a plan with ids and
// `_caf_plan` but without them is copied and merged, and comes out with them; a deadline or owners changed by
// a merge updates them. Expected values: the seed's rows (literal serials and codes written here).
import { beforeAll, describe, expect, it } from 'vitest';
import { mergePlans, rowsFromPlan } from '../../plan/merge';
import type { Plan } from '../../plan/model';
import { departmentCopy } from '../../service/xlsx/copy';
import { writeMergedWorkbook } from '../../service/xlsx/merged';
import { XlsxPackage } from '../../service/xlsx/package';
import { prepareWorkbook } from '../../service/xlsx/prepare';
import { SheetPatch } from '../../service/xlsx/sheet-patch';
import { StylesPatch } from '../../service/xlsx/styles-patch';
import { planOf, teamWorkbook } from './xlsx-write-fixtures';

const META = { planId: 'sector1-2022', revision: 1, schemaVersion: 1 };

/** The prepared plan with its two helper columns emptied by hand (header included), as a coordinator might. */
async function withoutHelpers(bytes: Uint8Array, plan: Plan): Promise<Uint8Array> {
  const pkg = await XlsxPackage.open(bytes);
  const styles = StylesPatch.open(pkg);
  const sheet = SheetPatch.open(pkg, styles, pkg.sheet(plan.sheet));
  for (const col of [plan.columns.dueDate!, plan.columns.ownerCodes!]) {
    for (const r of sheet.rowNumbers()) if (sheet.hasValue(r, col)) sheet.setCell(r, col, { kind: 'clear' });
  }
  sheet.commit();
  styles.commit();
  return pkg.save();
}

let prepared: Uint8Array;
let bare: Uint8Array;
let barePlan: Plan;

beforeAll(async () => {
  const team = await teamWorkbook();
  prepared = await prepareWorkbook(team, await planOf(team), META);
  bare = await withoutHelpers(prepared, await planOf(prepared));
  barePlan = await planOf(bare);
});

describe('helper columns are derived', () => {
  it('a plan whose helper columns were deleted has ids and metadata but no helpers', () => {
    expect(barePlan.columns.id).toBeDefined();
    expect(barePlan.meta?.planId).toBe(META.planId);
    expect(barePlan.columns.ownerCodes).toBeUndefined();
    expect(barePlan.columns.dueDate).toBeUndefined();
  });

  it('copy takes it, and the copy has the helpers back, filtered on the unit', async () => {
    const copy = await departmentCopy(bare, barePlan, 'SIC', META);
    const read = await planOf(copy);
    expect(read.columns.ownerCodes).toBeDefined();
    const byId = new Map(read.actions.map((a) => [a.id, a]));
    expect(String(byId.get(barePlan.actions[0]!.id)!.values.ownerCodes ?? '')).toMatch(/^(;([A-Z]+;)+)?$/);
    const sic = read.actions.filter((a) => String(a.values.ownerCodes).includes(';SIC;'));
    expect(sic.length).toBeGreaterThan(3);
    expect(sic.every((a) => /\bSIC\b/.test(a.text.owners))).toBe(true);
  });

  it('merge takes it, and a deadline and owners changed by the merge update the helpers', async () => {
    const target = barePlan.actions.find((a) => a.text.owners.includes('SIC'))!;
    const rows = rowsFromPlan(barePlan).map((row) =>
      row.id === target.id ? { ...row, values: { ...row.values, deadline: '31.12.2025', owners: 'SIC, DMRU' } } : row,
    );
    const result = mergePlans({
      planId: META.planId,
      current: barePlan,
      currentRevision: 1,
      newRevision: 2,
      mergedAt: '2024-04-11T02:00:00.000Z',
      editable: ['status', 'monitoring', 'deadline', 'owners'],
      submissions: [
        {
          id: 'SIC-1',
          unit: 'SIC',
          receivedAt: '2024-04-10T10:00:00.000Z',
          baseRevision: 1,
          base: barePlan,
          rows,
          scope: 'full',
        },
      ],
    });
    expect(result.report.conflicts).toEqual([]);
    const merged = await writeMergedWorkbook(bare, barePlan, result, { ...META, revision: 2 });
    const read = await planOf(merged);
    const row = read.actions.find((a) => a.id === target.id)!;
    expect(row.text.deadline).toBe('31.12.2025');
    // 2025-12-31 as an Excel date serial (days since 1899-12-30).
    expect(row.values.dueDate).toBe(46022);
    expect(row.values.ownerCodes).toBe(';DMRU;SIC;');
    // Every other action has its helpers back too.
    expect(read.actions.every((a) => a.values.ownerCodes !== undefined && a.values.dueDate !== undefined)).toBe(true);
  });
});
