import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../plan/model';
import { departmentCopy, unitActions } from '../../service/xlsx/copy';
import { prepareWorkbook } from '../../service/xlsx/prepare';
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

const META = { planId: 'sector1-2022', revision: 3, schemaVersion: 1 };
const ISSUED = '2024-03-05T09:30:00.000Z';

let prepared: Uint8Array;
let plan: Plan;
let copy: Uint8Array;

beforeAll(async () => {
  const team = await teamWorkbook();
  prepared = await prepareWorkbook(team, await planOf(team), META);
  plan = await planOf(prepared);
  copy = await departmentCopy(prepared, plan, 'SIC', { ...META, issuedAt: ISSUED });
});

describe('departmentCopy', () => {
  it("writes the unit and the issue time into the copy's metadata, and the plan reads the same", async () => {
    const read = await planOf(copy);
    expect(read.meta).toEqual({ ...META, unit: 'SIC', issuedAt: ISSUED, editable: ['status', 'monitoring'] });
    expect(read.actions.map((a) => [a.id, a.text])).toEqual(plan.actions.map((a) => [a.id, a.text]));
  });

  it("unlocks only the editable columns of the unit's rows and protects the sheet without a password", async () => {
    const wb = await loadExcelJs(copy);
    const ws = wb.getWorksheet(PLAN_SHEET)!;
    const mine = new Set(unitActions(plan, 'SIC').map((a) => a.row));
    expect(mine.size).toBeGreaterThan(3);
    expect(mine.size).toBeLessThan(plan.actions.length);
    const editable = [plan.columns.status!, plan.columns.monitoring!];
    for (const action of plan.actions) {
      for (let c = 0; c <= plan.columns.ownerCodes!; c++) {
        const locked = ws.getRow(action.row + 1).getCell(c + 1).protection?.locked !== false;
        expect(locked, `${action.id} col ${c}`).toBe(!(mine.has(action.row) && editable.includes(c)));
      }
    }
    expect(ws.getCell('A1').protection?.locked).not.toBe(false);
    const sheet = (await partsOf(copy)).get('xl/worksheets/sheet1.xml')!;
    const protection = elements(sheet, 'sheetProtection');
    expect(protection).toHaveLength(1);
    expect(protection[0]).toContain('sheet="1"');
    expect(protection[0]).not.toMatch(/password|hashValue/i);
    expect(protection[0]).toMatch(/autoFilter="0"/);
    expect(protection[0]).toMatch(/sort="0"/);
    expect(protection[0]).toMatch(/formatColumns="0"/);
    // The other sheet is read-only too.
    expect((await partsOf(copy)).get('xl/worksheets/sheet2.xml')).toContain('<sheetProtection sheet="1"');
  });

  it("filters the table to the unit's rows and hides the others, as Excel saves a filtered sheet", async () => {
    const wb = await loadExcelJs(copy);
    const ws = wb.getWorksheet(PLAN_SHEET)!;
    const sheet = (await partsOf(copy)).get('xl/worksheets/sheet1.xml')!;
    const filter = elements(sheet, 'autoFilter')[0]!;
    expect(filter).toContain(`colId="${plan.columns.ownerCodes}"`);
    expect(filter).toContain('<customFilter val="*;SIC;*"/>');
    const mine = unitActions(plan, 'SIC');
    const visible = new Set(mine.flatMap((a) => [a.row, ...a.continuationRows]));
    for (const action of plan.actions)
      expect(ws.getRow(action.row + 1).hidden, action.id).toBe(!visible.has(action.row));
    expect(ws.getRow(plan.headerRow + 1).hidden).toBe(false);
    expect(ws.getRow(1).hidden).toBe(false);
    // Every visible action row is the unit's: what Excel's own filter on `*;SIC;*` would leave.
    for (const action of plan.actions.filter((a) => !ws.getRow(a.row + 1).hidden)) {
      expect(String(action.values.ownerCodes)).toContain(';SIC;');
    }
    expect((await partsOf(copy)).get('xl/workbook.xml')).toContain(
      `<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'Plan de măsuri'!$A$7:$J$`,
    );
  });

  it('puts the instructions in a note on the title, keeping the notes the team had', async () => {
    const wb = await loadExcelJs(copy);
    const ws = wb.getWorksheet(PLAN_SHEET)!;
    const note = String(ws.getCell('A1').note);
    expect(note).toContain('Copie pentru SIC');
    expect(note).toContain('„Stare”, „Monitorizare și evaluare”');
    expect(note).toMatch(/Nu adăugați, nu ștergeți și nu mutați rânduri/);
    expect(note).toMatch(/trimiteți fișierul coordonatorului/);
    expect(note).toMatch(/^EN: /m);
    expect(String(ws.getCell('B9').note)).toBe('Verificat de coordonator');
  });

  it("keeps the team's formats and the parts it does not touch", async () => {
    const before = await partsOf(prepared);
    const after = await partsOf(copy);
    for (const name of ['xl/sharedStrings.xml', 'xl/theme/theme1.xml', 'docProps/core.xml'])
      expect(after.get(name), name).toBe(before.get(name));
    const sheetBefore = before.get('xl/worksheets/sheet1.xml')!;
    const sheetAfter = after.get('xl/worksheets/sheet1.xml')!;
    for (const local of ['conditionalFormatting', 'dataValidations', 'mergeCells', 'cols']) {
      expect(elements(sheetAfter, local), local).toEqual(elements(sheetBefore, local));
    }
  });

  it('uses the editable columns the coordinator chose', async () => {
    const onlyStatus = await departmentCopy(prepared, plan, 'SIC', { ...META, issuedAt: ISSUED, editable: ['status'] });
    const ws = (await loadExcelJs(onlyStatus)).getWorksheet(PLAN_SHEET)!;
    const action = unitActions(plan, 'SIC')[0]!;
    expect(ws.getRow(action.row + 1).getCell(plan.columns.status! + 1).protection?.locked).toBe(false);
    expect(ws.getRow(action.row + 1).getCell(plan.columns.monitoring! + 1).protection?.locked).not.toBe(false);
    expect((await planOf(onlyStatus)).meta?.editable).toEqual(['status']);
  });

  it('refuses a workbook that was not prepared', async () => {
    const team = await teamWorkbook();
    await expect(departmentCopy(team, await planOf(team), 'SIC', META)).rejects.toMatchObject({
      code: 'xlsx-not-prepared',
    });
  });

  it.skipIf(!hasSoffice)('opens in LibreOffice with the values', () => {
    const sheets = libreOfficeSheets(copy, 'copy');
    const rows = sheets.find((s) => s.some((r) => r[0] === 'Acțiuni necesare'))!;
    const action = unitActions(plan, 'SIC')[0]!;
    const row = rows.find((r) => r[plan.columns.id!] === action.id)!;
    expect(row[plan.columns.status!]).toBe('Neînceput');
    expect(row[plan.columns.ownerCodes!]).toContain(';SIC;');
  });
});
