// The fake Excel behaves like Office.js where the add-in could get it wrong: nothing happens before sync, nothing
// is readable before load + sync, AutoFilter wildcards, value conversion, protection, payload limits.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeWorkbook, installFakeOffice, wildcardMatch, type FakeOffice } from './fake-excel';
import { passesCriteria } from './fake-excel/model';
import { shiftFormula } from './fake-excel/evaluate';

let office: FakeOffice | undefined;
afterEach(() => office?.uninstall());

function workbook(rows: (string | number | null)[][], options = {}): FakeWorkbook {
  const wb = FakeWorkbook.fromGrid({ sheets: [{ name: 'Plan', state: 'visible', rows, merges: [] }] }, options);
  office = installFakeOffice(globalThis, wb);
  return wb;
}

describe('fake Excel', () => {
  it('applies writes only at sync and refuses to read a property that was not loaded and synced', async () => {
    const wb = workbook([['a', 'b']]);
    await Excel.run(async (context) => {
      const range = context.workbook.worksheets.getItem('Plan').getRange('A1:B1');
      range.values = [['x', 'y']];
      expect(wb.sheet('Plan')!.value(0, 0)).toBe('a');
      expect(() => range.values).toThrow(expect.objectContaining({ code: 'PropertyNotLoaded' }));
      range.load('values');
      expect(() => range.values).toThrow(expect.objectContaining({ code: 'PropertyNotLoaded' }));
      await context.sync();
      expect(range.values).toEqual([['x', 'y']]);
    });
    expect(wb.stats.syncs).toBe(1);
  });

  it('counts only syncs that carry work, including the one Excel.run makes at the end', async () => {
    const wb = workbook([['a']]);
    await Excel.run(async (context) => {
      await context.sync();
      context.workbook.worksheets.getItem('Plan').getRange('A1').values = [['b']];
    });
    expect(wb.stats.syncs).toBe(1);
    expect(wb.sheet('Plan')!.value(0, 0)).toBe('b');
  });

  it('fails a sync on a missing sheet, but a null object just reports isNullObject', async () => {
    workbook([['a']]);
    await expect(
      Excel.run(async (context) => {
        context.workbook.worksheets.getItem('Nope').load('name');
        await context.sync();
      }),
    ).rejects.toMatchObject({ code: 'ItemNotFound' });
    await Excel.run(async (context) => {
      const ws = context.workbook.worksheets.getItemOrNullObject('Nope');
      ws.load('name');
      await context.sync();
      expect(ws.isNullObject).toBe(true);
    });
  });

  it('rejects a 2-D array of the wrong size and converts values as Excel does', async () => {
    const wb = workbook([[null]]);
    await expect(
      Excel.run(async (context) => {
        context.workbook.worksheets.getItem('Plan').getRange('A1:B1').values = [['x']];
      }),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
    await Excel.run(async (context) => {
      context.workbook.worksheets.getItem('Plan').getRange('A1:E1').values = [['12', "'12", '=SUM(', 'TRUE', '- text']];
    });
    const s = wb.sheet('Plan')!;
    expect([0, 1, 3].map((c) => s.value(0, c))).toEqual([12, '12', true]);
    expect(s.cell(0, 4)?.formula).toBe('=- text');
  });

  it('refuses requests over the payload limit (Excel on the web: 5 MB)', async () => {
    workbook([[null]], { payloadLimitBytes: 1000 });
    await expect(
      Excel.run(async (context) => {
        context.workbook.worksheets.getItem('Plan').getRange('A1:A100').values = Array.from({ length: 100 }, () => [
          '0123456789abc',
        ]);
      }),
    ).rejects.toMatchObject({ code: 'RequestPayloadSizeLimitExceeded' });
  });

  it('matches AutoFilter wildcards like Excel: *, ?, ~, case-insensitive, whole text', () => {
    expect(wildcardMatch('*;DI;*', ';CL;DI;DME;')).toBe(true);
    expect(wildcardMatch('*;DI;*', ';DIRECȚIA;')).toBe(false);
    expect(wildcardMatch('*;DI;*', ';CSDDPP;')).toBe(false);
    expect(wildcardMatch('1.*', '1.2.3')).toBe(true);
    expect(wildcardMatch('1.*', '10.1.1')).toBe(false);
    expect(wildcardMatch('?.1', 'A.1')).toBe(true);
    expect(wildcardMatch('a~*', 'A*')).toBe(true);
    expect(wildcardMatch('a~*', 'Ab')).toBe(false);
    expect(passesCriteria({ filterOn: 'Custom', criterion1: '<45108' }, 45107)).toBe(true);
    expect(passesCriteria({ filterOn: 'Custom', criterion1: '<45108' }, 'recurent')).toBe(false);
    expect(
      passesCriteria(
        { filterOn: 'Custom', criterion1: '<>Realizat', criterion2: '<>Anulat', operator: 'And' },
        'realizat',
      ),
    ).toBe(false);
    expect(passesCriteria({ filterOn: 'Values', values: ['Realizat'] }, 'Realizat')).toBe(true);
  });

  it('hides the rows an AutoFilter rejects and locks cells only while the sheet is protected', async () => {
    const wb = workbook([
      ['ID', 'Cod'],
      ['1.1.1', ';DI;'],
      ['1.1.2', ';DIRECȚIA;'],
      ['2.1.1', ';CSDDPP;DI;'],
    ]);
    await Excel.run(async (context) => {
      const ws = context.workbook.worksheets.getItem('Plan');
      ws.autoFilter.apply(ws.getRange('A1:B4'), 1, { filterOn: Excel.FilterOn.custom, criterion1: '=*;DI;*' });
      ws.getRange('B2').format.protection.locked = false;
      ws.protection.protect({ allowAutoFilter: true });
    });
    const s = wb.sheet('Plan')!;
    expect([1, 2, 3].map((r) => s.rowVisible(r))).toEqual([true, false, true]);
    wb.userEdit('Plan', 'B2', [['x']]);
    expect(() => wb.userEdit('Plan', 'A2', [['x']])).toThrow(/protected/);
  });

  it('moves a conditional-format formula from the top-left cell to others, keeping $ parts', () => {
    expect(shiftFormula('=AND(ISNUMBER($J5),$J5<TODAY(),"A1"<>K$2)', 3, 2)).toBe(
      '=AND(ISNUMBER($J8),$J8<TODAY(),"A1"<>M$2)',
    );
    expect(shiftFormula('=LOG10(A1)', 1, 0)).toBe('=LOG10(A2)');
  });
});
