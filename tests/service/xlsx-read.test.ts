import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CellValue, WorkbookGrid } from '../../plan/model';
import { CafError } from '../../plan/errors';
import { isoToExcelSerial } from '../../plan/date';
import { parseDeadline } from '../../plan/deadline';
import { openZip } from '../../service/xlsx/zip';
import { readWorkbookFile, readWorkbookGrid } from '../../service/xlsx/read';
import { sampleXlsxPath, seedRows } from '../support/seed';
import { hasSoffice } from '../support/tools';
import { deflateRepeated, minimalXlsx, minimalXlsxParts, zipParts } from '../support/zip-parts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'caf-xlsx-read-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

async function zipText(bytes: Uint8Array, name: string): Promise<string> {
  return (await openZip(bytes, { maxEntries: 100, maxPartBytes: 1 << 26, maxTotalBytes: 1 << 26 })).readWholeText(name);
}

/** A value as exceljs reads it, brought to the kinds of CellValue (what Excel shows, not the formula). */
function plain(value: ExcelJS.CellValue | undefined): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return (value.getTime() - EXCEL_EPOCH_MS) / 86_400_000;
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('error' in value) return value.error;
  if ('formula' in value || 'sharedFormula' in value) return plain(value.result as ExcelJS.CellValue);
  if ('text' in value) return plain(value.text as ExcelJS.CellValue);
  throw new Error(`unexpected exceljs value ${JSON.stringify(value)}`);
}

/** Non-empty cells as `sheet!A1 -> value`; with `exceljs`, cells inside a merged area other than its top-left are left out. */
function cellMap(grid: WorkbookGrid): Map<string, CellValue> {
  const map = new Map<string, CellValue>();
  for (const sheet of grid.sheets) {
    sheet.rows.forEach((row, r) =>
      row.forEach((v, c) => {
        if (v !== null) map.set(`${sheet.name}!${r},${c}`, v);
      }),
    );
  }
  return map;
}

async function exceljsCells(bytes: Uint8Array): Promise<{ cells: Map<string, CellValue>; sheets: [string, string][] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const cells = new Map<string, CellValue>();
  const sheets: [string, string][] = [];
  for (const ws of wb.worksheets) {
    sheets.push([ws.name, ws.state]);
    ws.eachRow({ includeEmpty: false }, (row, r) => {
      row.eachCell({ includeEmpty: false }, (cell, c) => {
        if (cell.isMerged && cell.master.address !== cell.address) return;
        const v = plain(cell.value);
        if (v !== null) cells.set(`${ws.name}!${r - 1},${c - 1}`, v);
      });
    });
  }
  return { cells, sheets };
}

async function expectSameAsExceljs(bytes: Uint8Array): Promise<WorkbookGrid> {
  const grid = await readWorkbookGrid(bytes);
  const theirs = await exceljsCells(bytes);
  expect(grid.sheets.map((s) => [s.name, s.state])).toEqual(theirs.sheets);
  const ours = cellMap(grid);
  expect(ours.size).toBeGreaterThan(0);
  expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(theirs.cells));
  return grid;
}

async function rejection(promise: Promise<unknown>): Promise<CafError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CafError);
    return error as CafError;
  }
  throw new Error('expected the reader to refuse the file');
}

/** Runs `fn` and returns how much the resident set grew over the run (sampled, so a peak is seen). */
async function rssGrowth(fn: () => Promise<unknown>): Promise<number> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return peak - before;
}

const MB = 1024 * 1024;

/** `soffice --convert-to xlsx` in a private profile; tools.ts's sofficeConvert cannot (same name in and out). */
function libreOfficeResave(input: string, outDir: string): string {
  const profile = mkdtempSync(path.join(tmp, 'profile-'));
  execFileSync(
    'soffice',
    [
      `-env:UserInstallation=file://${profile}`,
      '--headless',
      '--norestore',
      '--convert-to',
      'xlsx',
      '--outdir',
      outDir,
      input,
    ],
    {
      stdio: 'pipe',
      timeout: 120_000,
    },
  );
  return path.join(outDir, path.basename(input));
}

describe('the sample plan of Sector 1', () => {
  it('reads every value exceljs reads, merged criterion rows once, rich text as plain text', async () => {
    const bytes = readFileSync(sampleXlsxPath);
    const grid = await expectSameAsExceljs(bytes);
    expect(grid.sheets).toHaveLength(1);
    const sheet = grid.sheets[0]!;
    expect(sheet.name).toBe('Plan de măsuri');
    const firstCells = sheet.rows.map((row) => row[0]).filter((v): v is string => typeof v === 'string');

    // Every criterion of the seed is a row of its own, merged across the table, its value in column A only.
    const criterionRows = sheet.rows.flatMap((row, r) =>
      typeof row[0] === 'string' && /^CRITERIUL \d/.test(row[0]) ? [r] : [],
    );
    expect(criterionRows).toHaveLength(9);
    for (const r of criterionRows) {
      expect(sheet.rows[r]!.slice(1).every((v) => v === null)).toBe(true);
      expect(sheet.merges).toContainEqual({ top: r, left: 0, bottom: r, right: 5 });
    }
    // The italic run of the Word document is read as plain text.
    expect(firstCells).toContain('4. Implementarea instrumentului Balanced Scorecard (BSC)');
    // Every action cell of the seed is there, in order.
    const seed = seedRows();
    const seedActions = seed
      .slice(seed.findIndex((row) => typeof row[0] === 'string' && row[0].startsWith('CRITERIUL 1')))
      .map((row) => (typeof row[0] === 'string' ? row[0].replace(/<\/?i>/g, '').trim() : ''))
      .filter((t) => /^\d+\s*[.)]/.test(t));
    const gridActions = firstCells.filter((t) => /^\d+\s*[.)]/.test(t));
    expect(gridActions).toEqual(seedActions);
  });

  // LibreOffice writes its own flavour of SpreadsheetML (inline numbers, shared strings in its own order, no spans).
  it.skipIf(!hasSoffice)(
    'reads the sample and a feature workbook re-saved by LibreOffice',
    { timeout: 180_000 },
    async () => {
      const dir = mkdtempSync(path.join(tmp, 'lo-'));
      const outDir = path.join(dir, 'out');
      const sampleIn = path.join(dir, 'plan.xlsx');
      writeFileSync(sampleIn, readFileSync(sampleXlsxPath));
      const original = cellMap(await readWorkbookFile(sampleXlsxPath));
      const resaved = await expectSameAsExceljs(readFileSync(libreOfficeResave(sampleIn, outDir)));
      expect(Object.fromEntries(cellMap(resaved))).toEqual(Object.fromEntries(original));
      expect(resaved.sheets[0]!.merges.length).toBe((await readWorkbookFile(sampleXlsxPath)).sheets[0]!.merges.length);

      const featuresIn = path.join(dir, 'features.xlsx');
      writeFileSync(featuresIn, await featureWorkbook());
      const features = await expectSameAsExceljs(readFileSync(libreOfficeResave(featuresIn, outDir)));
      // LibreOffice has no "very hidden": it saves the _caf_plan sheet as merely hidden.
      expect(features.sheets.map((s) => s.state)).toEqual(['visible', 'hidden', 'hidden']);
      expect(features.sheets[0]!.rows[1]).toEqual([42, 84, 45107, true]);
      expect(features.sheets[0]!.rows[3]![0]).toBe(44);
    },
  );
});

async function featureWorkbook(): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Plan');
  ws.getCell('A1').value = 'CRITERIUL 1: LEADERSHIP';
  ws.mergeCells('A1:D1');
  ws.getCell('A2').value = 42;
  ws.getCell('B2').value = { formula: 'A2*2', result: 84 };
  ws.getCell('C2').value = new Date(Date.UTC(2023, 5, 30));
  ws.getCell('C2').numFmt = 'dd.mm.yyyy';
  ws.getCell('D2').value = true;
  ws.getCell('A3').value = { formula: 'A2+1', result: 43, shareType: 'shared', ref: 'A3:A5' } as ExcelJS.CellValue;
  ws.getCell('A4').value = { sharedFormula: 'A3', result: 44 } as ExcelJS.CellValue;
  ws.getCell('A5').value = { sharedFormula: 'A3', result: 45 } as ExcelJS.CellValue;
  ws.getCell('B3').value = { error: '#N/A' } as ExcelJS.CellErrorValue;
  ws.getCell('C3').value = { formula: 'NA()', result: { error: '#N/A' } } as ExcelJS.CellValue;
  ws.getCell('D3').value = { formula: 'B2&"x"', result: '84x' };
  ws.getCell('A6').value = {
    richText: [{ text: 'Implementarea ' }, { text: 'BSC', font: { italic: true } }, { text: ' & <CAF> "2020"' }],
  };
  ws.getCell('B6').value = 'Semestrul I 2023\nrând nou';
  ws.getCell('C6').value = '  spații la capete  ';
  ws.getCell('A8').value = 'Termen calculat';
  ws.mergeCells('B8:C9');
  ws.getCell('B8').value = 'zonă îmbinată';
  ws.getCell('E10').value = 0.5;
  const hidden = wb.addWorksheet('Ascunsă', { state: 'hidden' });
  hidden.getCell('A1').value = 'DMRU - Direcția Managementul Resurselor Umane';
  const meta = wb.addWorksheet('_caf_plan', { state: 'veryHidden' });
  meta.addRow(['planId', 'sector1']);
  meta.addRow(['revision', 3]);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('workbooks written by exceljs', () => {
  it('reads cached formula results, dates as serials, booleans, errors and sheet states like exceljs', async () => {
    const grid = await expectSameAsExceljs(await featureWorkbook());
    const [plan, hidden, meta] = grid.sheets;
    expect(grid.sheets.map((s) => s.state)).toEqual(['visible', 'hidden', 'veryHidden']);
    expect(plan!.rows[0]).toEqual(['CRITERIUL 1: LEADERSHIP']);
    expect(plan!.rows[1]).toEqual([42, 84, 45107, true]);
    expect(plan!.rows[2]).toEqual([43, '#N/A', '#N/A', '84x']);
    expect(plan!.rows[3]![0]).toBe(44);
    expect(plan!.rows[5]).toEqual([
      'Implementarea BSC & <CAF> "2020"',
      'Semestrul I 2023\nrând nou',
      '  spații la capete  ',
    ]);
    expect(plan!.rows[7]).toEqual(['Termen calculat', 'zonă îmbinată']);
    expect(plan!.rows[8]).toEqual([]);
    expect(plan!.rows[9]).toEqual([null, null, null, null, 0.5]);
    expect(plan!.merges).toEqual(
      expect.arrayContaining([
        { top: 0, left: 0, bottom: 0, right: 3 },
        { top: 7, left: 1, bottom: 8, right: 2 },
      ]),
    );
    expect(hidden!.rows).toEqual([['DMRU - Direcția Managementul Resurselor Umane']]);
    expect(meta!.rows).toEqual([
      ['planId', 'sector1'],
      ['revision', 3],
    ]);
  });
});

describe('what other generators write', () => {
  it('decodes entities, _xHHHH_ escapes, rich runs and inline strings, ignoring phonetic runs', async () => {
    const bytes = minimalXlsx({
      sharedStrings:
        '<si><t>Resurse umane &amp; financiare &#x219;i &#537;</t></si>' +
        '<si><r><rPr><b/></rPr><t xml:space="preserve">Liderii </t></r><r><t>stabilesc</t></r><rPh sb="0" eb="1"><t>ヨミ</t></rPh></si>' +
        '<si><t>rând_x000D_\nnou _x005F_x000D_</t></si>' +
        '<si/>',
      sheets: [
        {
          name: 'Foaie & plan',
          xml:
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>' +
            '<row r="2"><c r="A2" t="inlineStr"><is><t>inline &lt;text&gt;</t></is></c><c r="B2" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c><c r="C2" t="str"><f>A1</f><v>calc &amp; co</v></c></row>' +
            '<row r="3"><c r="A3" t="e"><v>#DIV/0!</v></c><c r="B3" t="b"><v>0</v></c><c r="C3" t="d"><v>2023-06-30T00:00:00</v></c><c r="D3"><f>1/0</f></c><c r="E3" s="2"/></row>',
        },
      ],
    });
    const grid = await readWorkbookGrid(bytes);
    expect(grid.sheets[0]!.name).toBe('Foaie & plan');
    expect(grid.sheets[0]!.rows).toEqual([
      ['Resurse umane & financiare și ș', 'Liderii stabilesc', 'rând\r\nnou _x000D_'],
      ['inline <text>', 'ab', 'calc & co'],
      ['#DIV/0!', false, 45107],
    ]);
  });

  it('places cells and rows that have no r attribute by their order', async () => {
    const bytes = minimalXlsx({
      sheets: [
        {
          name: 'Plan',
          xml:
            '<row><c><v>1</v></c><c><v>2</v></c><c r="E1"><v>5</v></c><c><v>6</v></c></row>' +
            '<row r="4"><c><v>7</v></c></row><row><c t="inlineStr"><is><t>x</t></is></c></row>',
        },
      ],
    });
    expect((await readWorkbookGrid(bytes)).sheets[0]!.rows).toEqual([[1, 2, null, null, 5, 6], [], [], [7], ['x']]);
  });

  it('reads namespace-prefixed tags, absolute targets and parts in unusual places', async () => {
    const bytes = minimalXlsx({
      prefix: 'x:',
      absoluteTargets: true,
      workbookPath: 'book/main.xml',
      sheetPaths: ['book/data/first.xml', 'book/data/second.xml'],
      sharedStrings:
        '<x:si><x:t>Acțiuni necesare</x:t></x:si><x:si><x:r><x:t>Ter</x:t></x:r><x:r><x:t>men</x:t></x:r></x:si>',
      sheets: [
        {
          name: 'Plan',
          xml:
            '<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>' +
            '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1"><x:v>3.25</x:v></x:c></x:row>' +
            '</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A3:C3"/></x:mergeCells></x:worksheet>',
        },
        {
          name: 'Legendă',
          state: 'hidden',
          xml: '<x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>SIC</x:t></x:is></x:c></x:row>',
        },
      ],
    });
    const grid = await readWorkbookGrid(bytes);
    expect(grid.sheets).toEqual([
      {
        name: 'Plan',
        state: 'visible',
        rows: [['Acțiuni necesare', 'Termen', 3.25]],
        merges: [{ top: 2, left: 0, bottom: 2, right: 2 }],
      },
      { name: 'Legendă', state: 'hidden', rows: [[], [null, 'SIC']], merges: [] },
    ]);
  });

  it('reads a sheet longer than one scanning segment without losing rows at the cuts', async () => {
    const rows = Array.from(
      { length: 30_000 },
      (_, i) =>
        `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c><c r="B${i + 1}" t="inlineStr"><is><t>acțiune ${i}</t></is></c></row>`,
    );
    const grid = await readWorkbookGrid(minimalXlsx({ sheets: [{ name: 'Mare', xml: rows.join('') }] }));
    const sheet = grid.sheets[0]!;
    expect(sheet.rows).toHaveLength(30_000);
    expect(sheet.rows.every((row, i) => row[0] === i && row[1] === `acțiune ${i}`)).toBe(true);
  });
});

describe('workbooks in the 1904 date system', () => {
  const DATE_1904 = 1462;

  it('moves date cells into the 1900 system, and only date cells (a workbook saved that way by exceljs)', async () => {
    const wb = new ExcelJS.Workbook();
    wb.properties.date1904 = true;
    const ws = wb.addWorksheet('Plan');
    ws.getCell('A1').value = new Date(Date.UTC(2023, 5, 30));
    ws.getCell('A1').numFmt = 'dd.mm.yyyy';
    ws.getCell('A2').value = new Date(Date.UTC(2022, 11, 31));
    ws.getCell('A2').numFmt = 'mm-dd-yy'; // built-in format 14
    ws.getCell('B1').value = 2023; // a year, not a date
    ws.getCell('B2').value = 45_107.5;
    ws.getCell('B2').numFmt = '#,##0.00 "zile"';
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    // The file really counts from 1904: 2023-06-30 is stored as 43646, not 45107.
    const sheet = await new ExcelJS.Workbook().xlsx.load(bytes as unknown as ArrayBuffer);
    expect(sheet.properties.date1904).toBe(true);
    const raw = (await zipText(bytes, 'xl/worksheets/sheet1.xml')).match(/<c r="A1"[^>]*><v>([^<]*)<\/v>/)![1];
    expect(Number(raw)).toBe(isoToExcelSerial('2023-06-30') - DATE_1904);

    const rows = (await readWorkbookGrid(bytes)).sheets[0]!.rows;
    expect(rows[0]![0]).toBe(isoToExcelSerial('2023-06-30'));
    expect(rows[1]![0]).toBe(isoToExcelSerial('2022-12-31'));
    expect(rows[0]![1]).toBe(2023);
    expect(rows[1]![1]).toBe(45_107.5);
    // What the plan reader makes of it: the due date the coordinator typed.
    expect(parseDeadline(rows[0]![0]!)).toMatchObject({ kind: 'date', due: '2023-06-30' });
  });

  it('tells date formats from others in custom codes; a 1900 workbook is left as it is', async () => {
    const styles =
      `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
      '<numFmts count="4"><numFmt numFmtId="164" formatCode="[$-418]d mmmm yyyy;@"/>' +
      '<numFmt numFmtId="165" formatCode="&quot;Termen: &quot;0"/><numFmt numFmtId="166" formatCode="[h]:mm"/>' +
      '<numFmt numFmtId="167" formatCode="[Red]mmm\\-yy"/></numFmts>' +
      '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="167"/></cellXfs></styleSheet>';
    const sheetXml =
      '<row r="1"><c r="A1" s="1"><v>43645</v></c><c r="B1" s="2"><v>43645</v></c><c r="C1" s="3"><v>1.5</v></c>' +
      '<c r="D1" s="4"><v>43645</v></c><c r="E1"><v>43645</v></c><c r="F1" t="d"><v>2023-06-30</v></c></row>';
    const build = (date1904: boolean): Buffer =>
      zipParts(
        minimalXlsxParts({ sheets: [{ name: 'Plan', xml: sheetXml }] })
          .map((part) =>
            part.name === 'xl/workbook.xml' && date1904
              ? { ...part, data: String(part.data).replace('<sheets>', '<workbookPr date1904="1"/><sheets>') }
              : part.name === 'xl/_rels/workbook.xml.rels'
                ? {
                    ...part,
                    data: String(part.data).replace(
                      '</Relationships>',
                      '<Relationship Id="rIdSt" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
                    ),
                  }
                : part,
          )
          .concat([{ name: 'xl/styles.xml', data: styles }]),
      );
    const shifted = isoToExcelSerial('2023-06-30');
    expect((await readWorkbookGrid(build(true))).sheets[0]!.rows[0]).toEqual([
      shifted,
      43645,
      1.5,
      shifted,
      43645,
      shifted, // an ISO date is a day, whatever the system
    ]);
    expect((await readWorkbookGrid(build(false))).sheets[0]!.rows[0]).toEqual([
      43645,
      43645,
      1.5,
      43645,
      43645,
      shifted,
    ]);
  });
});

describe('hostile and damaged files are refused with a clear error', () => {
  it('a file that is not a zip', async () => {
    const error = await rejection(
      readWorkbookGrid(Buffer.from('Acțiuni necesare\tTermen\n1. Ceva\tSEM. I 2023\n'.repeat(10))),
    );
    expect(error.code).toBe('xlsx-not-zip');
    expect(error.messages.ro).toMatch(/nu este un registru Excel/);
    expect(error.messages.en).toMatch(/not an Excel workbook/);
  });

  it('an old .xls or password-protected workbook (an OLE compound file)', async () => {
    const bytes = Buffer.alloc(4096);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(bytes);
    const error = await rejection(readWorkbookGrid(bytes));
    expect(error.code).toBe('xlsx-not-zip');
    expect(error.messages.en).toMatch(/password-protected/);
  });

  it('a truncated copy of the sample', async () => {
    const bytes = readFileSync(sampleXlsxPath);
    for (const fraction of [0.3, 0.9, 0.999]) {
      const error = await rejection(readWorkbookGrid(bytes.subarray(0, Math.floor(bytes.length * fraction))));
      expect(error.code).toBe('xlsx-truncated');
    }
  });

  it('a zip with no workbook part', async () => {
    const bytes = zipParts([{ name: 'word/document.xml', data: '<w:document/>' }]);
    const error = await rejection(readWorkbookGrid(bytes));
    expect(error.code).toBe('xlsx-not-workbook');
  });

  it('a zip bomb whose sheet declares its true, huge size', async () => {
    const head =
      '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
    const size = 1024 * MB;
    const deflated = await deflateRepeated(head, '<row/>', size);
    expect(deflated.length).toBeLessThan(4 * MB);
    const parts = minimalXlsxParts({ sheets: [{ name: 'Plan', xml: '' }] });
    const sheet = parts.find((p) => p.name === 'xl/worksheets/sheet1.xml')!;
    Object.assign(sheet, { data: undefined, deflated, size: size - 1, crc: 0 });
    let error: CafError | undefined;
    const growth = await rssGrowth(async () => (error = await rejection(readWorkbookGrid(zipParts(parts)))));
    expect(error!.code).toBe('xlsx-too-large');
    expect(growth).toBeLessThan(64 * MB);
  });

  it('a zip bomb that lies about its size, and one that fits each part but not the total', async () => {
    const head = '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">';
    const deflated = await deflateRepeated(head, '<si><t>a</t></si>', 1024 * MB);
    const parts = minimalXlsxParts({ sheets: [{ name: 'Plan', xml: '' }], sharedStrings: '' });
    const sst = parts.find((p) => p.name === 'xl/sharedStrings.xml')!;
    Object.assign(sst, { data: undefined, deflated, size: 1000, crc: 0 });
    let error: CafError | undefined;
    const growth = await rssGrowth(async () => (error = await rejection(readWorkbookGrid(zipParts(parts)))));
    expect(error!.code).toBe('xlsx-too-large');
    expect(growth).toBeLessThan(64 * MB);

    // Two honest 6 MB parts under a 10 MB total budget: the budget is on all the parts read together.
    const big = `<row r="1"><c r="A1" t="inlineStr"><is><t>${'x'.repeat(30_000)}</t></is></c></row>`.repeat(200);
    const two = minimalXlsx({
      sheets: [
        { name: 'A', xml: big },
        { name: 'B', xml: big },
      ],
    });
    const total = await rejection(readWorkbookGrid(two, { maxTotalBytes: 10 * MB, maxPartBytes: 8 * MB }));
    expect(total.code).toBe('xlsx-too-large');
  });

  it('too many entries in the archive', async () => {
    const parts = minimalXlsxParts({ sheets: [{ name: 'Plan', xml: '' }] });
    for (let i = 0; i < 200; i++) parts.push({ name: `xl/media/image${i}.png`, data: '' });
    const error = await rejection(readWorkbookGrid(zipParts(parts), { maxEntries: 100 }));
    expect(error.code).toBe('xlsx-too-large');
  });

  it('entity expansion (billion laughs) in sharedStrings.xml is refused, never expanded', async () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const sst = `<?xml version="1.0"?><!DOCTYPE lolz [${entities.join('')}]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>`;
    const bytes = minimalXlsx({
      sharedStrings: sst,
      sheets: [{ name: 'Plan', xml: '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' }],
    });
    let error: CafError | undefined;
    const growth = await rssGrowth(async () => (error = await rejection(readWorkbookGrid(bytes))));
    expect(error!.code).toBe('xlsx-doctype');
    expect(error!.messages.ro).toMatch(/sharedStrings\.xml.*DOCTYPE/);
    expect(growth).toBeLessThan(32 * MB);
  });

  it('a DOCTYPE in the workbook part or a sheet is refused too', async () => {
    const sheet =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>';
    const error = await rejection(readWorkbookGrid(minimalXlsx({ sheets: [{ name: 'Plan', xml: sheet }] })));
    expect(error.code).toBe('xlsx-doctype');
  });

  it('a 5 MB cell is refused with its sheet and address', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Plan de măsuri');
    ws.getCell('A1').value = 'Acțiuni necesare';
    ws.getCell('C7').value = 'ș'.repeat(5 * MB);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    let error: CafError | undefined;
    const growth = await rssGrowth(async () => (error = await rejection(readWorkbookGrid(bytes))));
    expect(error!.code).toBe('xlsx-cell-too-long');
    expect(error!.messages.ro).toContain('C7');
    expect(error!.messages.ro).toContain('Plan de măsuri');
    expect(error!.messages.en).toMatch(
      /Cell C7 of sheet "Plan de măsuri" holds 5242880 characters; Excel allows at most 32767/,
    );
    expect(growth).toBeLessThan(128 * MB);

    const inline = minimalXlsx({
      sheets: [
        { name: 'Plan', xml: `<row r="2"><c r="B2" t="inlineStr"><is><t>${'a'.repeat(40_000)}</t></is></c></row>` },
      ],
    });
    const inlineError = await rejection(readWorkbookGrid(inline));
    expect(inlineError.code).toBe('xlsx-cell-too-long');
    expect(inlineError.messages.en).toContain('B2');
  });

  it('a cell of exactly 32,767 characters is accepted', async () => {
    const bytes = minimalXlsx({
      sheets: [
        { name: 'Plan', xml: `<row r="1"><c r="A1" t="inlineStr"><is><t>${'a'.repeat(32_767)}</t></is></c></row>` },
      ],
    });
    expect(((await readWorkbookGrid(bytes)).sheets[0]!.rows[0]![0] as string).length).toBe(32_767);
  });

  it('too many cells, and a sparse sheet whose rows span too many columns', async () => {
    const row = (r: number): string =>
      `<row r="${r}">${Array.from({ length: 10 }, (_, c) => `<c><v>${c}</v></c>`).join('')}</row>`;
    const dense = minimalXlsx({
      sheets: [{ name: 'Plan', xml: Array.from({ length: 200 }, (_, i) => row(i + 1)).join('') }],
    });
    expect((await rejection(readWorkbookGrid(dense, { maxCells: 1_000 }))).code).toBe('xlsx-too-many-cells');
    expect((await readWorkbookGrid(dense, { maxCells: 2_000 })).sheets[0]!.rows).toHaveLength(200);

    const sparse = minimalXlsx({
      sheets: [
        {
          name: 'Plan',
          xml: Array.from({ length: 400 }, (_, i) => `<row r="${i + 1}"><c r="XFD${i + 1}"><v>1</v></c></row>`).join(
            '',
          ),
        },
      ],
    });
    const error = await rejection(readWorkbookGrid(sparse));
    expect(error.code).toBe('xlsx-too-many-cells');
    expect(error.messages.ro).toMatch(/Foaia „Plan” are mai mult de/);
  });
});
