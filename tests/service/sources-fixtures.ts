// Real .xlsx bytes for the source tests: the Sector 1 sample prepared by service/xlsx/prepare.ts, a store holding it
// as revision 1, department copies made by service/xlsx/copy.ts with cells edited the way a department head would
// (exceljs), and workbooks whose `_caf_plan` sheet was replaced or removed.
import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPlan } from '../../plan/grid';
import { META_SHEET, SCHEMA_VERSION, type Field, type Plan, type PlanMeta } from '../../plan/model';
import { ownerCodes } from '../../plan/owners';
import { Store } from '../../service/store/store';
import { departmentCopy } from '../../service/xlsx/copy';
import { prepareWorkbook } from '../../service/xlsx/prepare';
import { readWorkbookGrid } from '../../service/xlsx/read';
import { sampleXlsxPath } from '../support/seed';

export const PLAN_ID = 'sector1-2022';

async function load(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  return wb;
}

async function save(wb: ExcelJS.Workbook): Promise<Uint8Array> {
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** The workbook with its `_caf_plan` sheet replaced by these rows (none: no metadata at all). */
export async function withMeta(bytes: Uint8Array, meta: Record<string, string> | null): Promise<Uint8Array> {
  const wb = await load(bytes);
  const old = wb.getWorksheet(META_SHEET);
  if (old) wb.removeWorksheet(old.id);
  if (meta) {
    const ws = wb.addWorksheet(META_SHEET, { state: 'veryHidden' });
    for (const [key, value] of Object.entries(meta)) ws.addRow([key, value]);
  }
  return save(wb);
}

export async function planOf(bytes: Uint8Array): Promise<Plan> {
  return readPlan(await readWorkbookGrid(bytes));
}

export interface Fixture {
  dir: string;
  store: Store;
  master: Uint8Array;
  plan: Plan;
  /** A department copy of revision 1 for the unit, with these cells changed. */
  copy(unit: string, edits?: { rowId: string; column: Field; value: string }[]): Promise<Uint8Array>;
  /** Ids of the actions the unit owns. */
  owned(unit: string): string[];
  close(): void;
}

const META: PlanMeta = {
  planId: PLAN_ID,
  revision: 1,
  issuedAt: '2024-03-01T08:00:00.000Z',
  schemaVersion: SCHEMA_VERSION,
  editable: ['status', 'monitoring'],
};

/** The Sector 1 sample as `prepare` leaves it: ID, Stare, helper columns, `_caf_plan` metadata (revision 1). */
export async function masterBytes(): Promise<Uint8Array> {
  const sample = new Uint8Array(readFileSync(sampleXlsxPath));
  return prepareWorkbook(sample, await planOf(sample), META);
}

export async function editCells(
  bytes: Uint8Array,
  edits: { rowId: string; column: Field; value: string }[],
): Promise<Uint8Array> {
  if (edits.length === 0) return bytes;
  const plan = await planOf(bytes);
  const wb = await load(bytes);
  const ws = wb.getWorksheet(plan.sheet)!;
  for (const e of edits) {
    const action = plan.actions.find((a) => a.id === e.rowId);
    const col = plan.columns[e.column];
    if (!action || col === undefined) throw new Error(`no cell for ${e.rowId}/${e.column}`);
    ws.getCell(action.row + 1, col + 1).value = e.value;
  }
  return save(wb);
}

/** A store in a fresh temp dir holding the sample plan (with metadata) as revision 1. */
export async function storeWithPlan(): Promise<Fixture> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caf-sources-'));
  const store = new Store(path.join(dir, 'data'));
  const master = await masterBytes();
  const plan = await planOf(master);
  store.createPlan({
    id: PLAN_ID,
    name: 'Plan Sector 1',
    editable: ['status', 'monitoring'],
    revision: { blob: store.blobs.put(master), plan, origin: 'import', createdBy: 'test' },
  });
  return {
    dir,
    store,
    master,
    plan,
    async copy(unit, edits = []) {
      // A real department copy: the unit's metadata, its rows' editable cells unlocked, the sheet protected.
      const copy = await departmentCopy(master, plan, unit, { ...META, unit, issuedAt: '2024-03-02T08:00:00.000Z' });
      return editCells(copy, edits);
    },
    owned(unit) {
      return plan.actions.filter((a) => ownerCodes(a.text.owners, plan.units).includes(unit)).map((a) => a.id);
    },
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
