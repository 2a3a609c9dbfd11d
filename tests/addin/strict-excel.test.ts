// The fake Excel as strict as Office.js, and the add-in paths each strictness caught: requirement sets per host,
// notes apart from threaded comments, Excel's parsing of strings written to `values`, Excel on the web's read
// limits, rules on several areas, protection, and a department copy whose table starts in column C.
import { afterEach, describe, expect, it } from 'vitest';
import { applyFilter, clearFilter, preparePlan, readWorkbook } from '../../addin/excel';
import { readPlan } from '../../plan/grid';
import { filterArea, UNIT_PROTECTION } from '../../plan/protection';
import type { CellValue, Plan, PlanMeta, WorkbookGrid } from '../../plan/model';
import { seedGrid } from '../support/seed';
import { FakeWorkbook, installFakeOffice, type FakeOffice } from './fake-excel';
import { convertInput } from './fake-excel/model';
import { issueCopyInFake } from './department-copy';

const META: PlanMeta = { planId: 'sector1-2022', revision: 3, issuedAt: '2023-01-10T08:00:00.000Z', schemaVersion: 1 };
let office: FakeOffice | undefined;
afterEach(() => office?.uninstall());

function install(grid: WorkbookGrid, host: 'web' | 'm365' | 'excel2021' = 'web'): FakeWorkbook {
  const wb = FakeWorkbook.fromGrid(grid, { host });
  office = installFakeOffice(globalThis, wb);
  return wb;
}

/** The seed plan with two blank columns before it: the table starts in column C. */
function seedInColumnC(): WorkbookGrid {
  const g = seedGrid();
  return {
    sheets: g.sheets.map((s) => ({
      ...s,
      rows: s.rows.map((r) => (r.length ? [null, null, ...r] : r)),
      merges: s.merges.map((m) => ({ ...m, left: m.left + 2, right: m.right + 2 })),
    })),
  };
}

describe('the fake answers per host', () => {
  it('isSetSupported: Excel 2021 up to ExcelApi 1.14, Microsoft 365 and the web up to 1.18 (1.9 < 1.10 < 1.18)', () => {
    const ask = (host: 'web' | 'm365' | 'excel2021', v: string): boolean => {
      install({ sheets: [{ name: 'A', state: 'visible', rows: [['x']], merges: [] }] }, host);
      const ok = Office.context.requirements.isSetSupported('ExcelApi', v);
      office!.uninstall();
      return ok;
    };
    expect(['1.9', '1.13', '1.14', '1.15', '1.18', '1.19'].map((v) => ask('excel2021', v))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    for (const host of ['web', 'm365'] as const)
      expect(['1.9', '1.13', '1.18', '1.19'].map((v) => ask(host, v))).toEqual([true, true, true, false]);
  });

  it('keeps notes and threaded comments apart; notes need ExcelApi 1.18', async () => {
    const wb = install({ sheets: [{ name: 'Plan', state: 'visible', rows: [['a', 'b']], merges: [] }] }, 'm365');
    await Excel.run(async (context) => {
      context.workbook.notes.add('Plan!A1', 'o notă');
      context.workbook.comments.add('Plan!B1', 'un fir');
      await context.sync();
    });
    expect(wb.notes.map((n) => [n.col, n.content])).toEqual([[0, 'o notă']]);
    expect(wb.comments.map((c) => [c.col, c.content])).toEqual([[1, 'un fir']]);
    await expect(
      Excel.run(async (context) => {
        context.workbook.notes.add('Plan!B1', 'beside a thread');
        await context.sync();
      }),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
    office!.uninstall();
    install({ sheets: [{ name: 'Plan', state: 'visible', rows: [['a']], merges: [] }] }, 'excel2021');
    await expect(
      Excel.run(async (context) => {
        context.workbook.notes.load('items');
        await context.sync();
      }),
    ).rejects.toMatchObject({ code: 'ApiNotFound' });
  });
});

describe('strings written to values are parsed as Excel does', () => {
  // Expected values written by hand: Excel serials (days since 1899-12-30) and what Excel shows.
  const cases: [string, CellValue, string | undefined][] = [
    ['Dec 2024', 45627, 'date'],
    ['Sep-24', 46289, 'date'], // 24 September of the current year (2026 in the fake)
    ['30.06.2023', 45107, 'date'],
    ['30/06/2023', 45107, 'date'],
    ['16 decembrie 2022', 44911, 'date'],
    ['(100)', -100, 'number'],
    ['$100', 100, 'currency'],
    ['50%', 0.5, 'percent'],
    ['#N/A', '#N/A', 'error'],
    ['TRUE', true, 'boolean'],
    ['=1+1', '#NAME?', 'formula'],
    ['SEM. I 2023', 'SEM. I 2023', undefined],
    ['În curs', 'În curs', undefined],
  ];
  it.each(cases)('%s', (text, value, parsedAs) => {
    const got = convertInput(text, 'General');
    expect([got.value, got.parsedAs]).toEqual([value, parsedAs]);
    expect(convertInput(text, '@')).toEqual({ value: text });
    expect(convertInput(`'${text}`, 'General')).toEqual({ value: text });
  });
});

describe('Excel on the web limits', () => {
  it('refuses to read more than 5,000,000 cells in one request; Microsoft 365 desktop reads them', async () => {
    const grid: WorkbookGrid = { sheets: [{ name: 'Big', state: 'visible', rows: [['x']], merges: [] }] };
    const read = () =>
      Excel.run(async (context) => {
        const r = context.workbook.worksheets.getItem('Big').getRange('A1:Z200000');
        r.load('rowCount');
        await context.sync();
        r.load('values');
        await context.sync();
      });
    install(grid, 'web');
    await expect(read()).rejects.toMatchObject({ code: 'ResponsePayloadSizeLimitExceeded' });
    office!.uninstall();
    install(grid, 'm365');
    await expect(read()).resolves.toBeUndefined();
  }, 60_000);

  it('a 40,000-row register beside the plan: the pane still reads the plan, every response under 5 MB', async () => {
    const g = seedGrid();
    const register: CellValue[][] = [['Nr.', 'Document', 'Data', 'Compartiment', 'Observații']];
    for (let i = 1; i <= 40_000; i++)
      register.push([
        i,
        `Adresa nr. ${i}/2023 privind solicitarea de informații publice`,
        45000 + (i % 300),
        'SIC',
        'Răspuns transmis în termen, arhivat',
      ]);
    g.sheets.push({ name: 'Registru', state: 'visible', rows: register, merges: [] });
    const wb = install(g, 'web');
    const plan = readPlan(await readWorkbook());
    expect(plan.actions).toHaveLength(72);
    expect(wb.stats.largestResponseBytes).toBeLessThan(5 * 1024 * 1024);
  }, 60_000);
});

describe('rules on several areas', () => {
  it('getRange() throws on a rule applied to two areas; getRanges() lists them', async () => {
    const wb = install({ sheets: [{ name: 'Plan', state: 'visible', rows: [['a']], merges: [] }] }, 'm365');
    const sheet = wb.sheet('Plan')!;
    const areas = [
      { top: 1, left: 0, bottom: 9, right: 0 },
      { top: 1, left: 2, bottom: 9, right: 2 },
    ];
    sheet.conditionalFormats.push({
      id: 'x',
      rect: areas[0]!,
      areas,
      type: 'Custom',
      formula: '=A2>1',
      fill: '#FF0000',
      fontColor: null,
      stopIfTrue: false,
    });
    await Excel.run(async (context) => {
      const cfs = context.workbook.worksheets.getItem('Plan').getRange().conditionalFormats;
      cfs.load('items');
      await context.sync();
      const ranges = cfs.items[0]!.getRanges();
      ranges.load('address');
      await context.sync();
      expect(ranges.address).toBe('Plan!A2:A10,Plan!C2:C10');
      cfs.items[0]!.getRange().load('address');
      await expect(context.sync()).rejects.toMatchObject({ code: 'InvalidOperation' });
    });
  });
});

describe('a protected department copy', () => {
  async function copyInColumnC(left?: number): Promise<{ wb: FakeWorkbook; plan: Plan }> {
    const wb = install(seedInColumnC(), 'web');
    const raw = readPlan(await readWorkbook());
    expect(raw.columns.action).toBe(2);
    await preparePlan(raw, META);
    const plan = readPlan(await readWorkbook());
    issueCopyInFake(wb, plan, 'DMRU', META, { left });
    wb.resetStats();
    return { wb, plan: readPlan(await readWorkbook()) };
  }
  const dmruRows = (plan: Plan): string[] =>
    plan.actions.filter((a) => /(^|[^A-Z])DMRU([^A-Z]|$)/.test(a.text.owners)).map((a) => a.id);

  it('whose table starts in column C: the filter range is the shared one, and the pane filters within it', async () => {
    const { wb, plan } = await copyInColumnC();
    const sheet = wb.sheet('Plan')!;
    expect(plan.meta?.unit).toBe('DMRU');
    expect(sheet.autoFilter?.rect).toEqual(filterArea(plan));
    expect(sheet.autoFilter?.rect.left).toBe(2);
    const outcome = await applyFilter(plan, { units: ['DMRU'], states: ['overdue'] }, { today: '2023-07-01' });
    expect(outcome.shown).toBeGreaterThan(0);
    expect(plan.actions.filter((a) => sheet.rowVisible(a.row)).length).toBe(outcome.shown);
    await clearFilter(plan.sheet);
    expect(plan.actions.filter((a) => sheet.rowVisible(a.row)).length).toBe(72);
    await applyFilter(plan, { units: ['DMRU'] }, { today: '2023-07-01' });
    expect(plan.actions.filter((a) => sheet.rowVisible(a.row)).map((a) => a.id)).toEqual(dmruRows(plan));
    // Protection is as the copy set it: nothing in department mode changes it.
    expect(sheet.protection).toEqual({ protected: true, options: { ...UNIT_PROTECTION, selectionMode: 'Normal' } });
  });

  it('issued before the range was shared (AutoFilter from column A): the pane re-uses it', async () => {
    const { wb, plan } = await copyInColumnC(0);
    const sheet = wb.sheet('Plan')!;
    await applyFilter(plan, { units: ['DMRU'], criteria: ['3', '7'] }, { today: '2023-07-01' });
    expect(sheet.autoFilter?.rect.left).toBe(0);
    expect(plan.actions.filter((a) => sheet.rowVisible(a.row)).map((a) => a.id)).toEqual(
      dmruRows(plan).filter((id) => id.startsWith('3.') || id.startsWith('7.')),
    );
    expect(sheet.protection.protected).toBe(true);
  });

  it('refuses writes to locked cells, and filtering unless the protection allows it', async () => {
    const { wb, plan } = await copyInColumnC();
    const other = plan.actions.find((a) => !dmruRows(plan).includes(a.id))!;
    await expect(
      Excel.run(async (context) => {
        context.workbook.worksheets.getItem('Plan').getCell(other.row, plan.columns.status!).values = [['Realizat']];
        await context.sync();
      }),
    ).rejects.toMatchObject({ code: 'AccessDenied' });
    const sheet = wb.sheet('Plan')!;
    sheet.protection.options = { ...sheet.protection.options, allowAutoFilter: false };
    await expect(applyFilter(plan, { units: ['DMRU'] }, { today: '2023-07-01' })).rejects.toMatchObject({
      code: 'AccessDenied',
    });
  });
});
