import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { XlsxPackage } from '../../service/xlsx/package';
import { readWorkbookGrid } from '../../service/xlsx/read';
import { SheetPatch } from '../../service/xlsx/sheet-patch';
import { StylesPatch } from '../../service/xlsx/styles-patch';
import { minimalXlsx } from '../support/zip-parts';
import { hasSoffice } from '../support/tools';
import { libreOfficeSheets, loadExcelJs, partsOf } from './xlsx-write-fixtures';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** Opens the first sheet, lets `edit` patch it, and returns the saved bytes. */
async function patch(bytes: Uint8Array, edit: (sheet: SheetPatch, styles: StylesPatch) => void): Promise<Uint8Array> {
  const pkg = await XlsxPackage.open(bytes);
  const styles = StylesPatch.open(pkg);
  const sheet = SheetPatch.open(pkg, styles, pkg.sheets()[0]!);
  edit(sheet, styles);
  sheet.commit();
  styles.commit();
  return pkg.save();
}

/** Local names of the worksheet's top-level elements, in document order. */
function childOrder(xml: string): string[] {
  const inner = xml.slice(xml.indexOf('>', xml.indexOf('worksheet ')) + 1, xml.lastIndexOf('</'));
  const names: string[] = [];
  let depth = 0;
  for (const m of inner.matchAll(/<(\/?)([\w:]+)[^>]*?(\/?)>/g)) {
    if (m[1]) depth--;
    else {
      if (depth === 0) names.push(m[2]!.replace(/^\w+:/, ''));
      if (!m[3]) depth++;
    }
  }
  return names;
}

describe('SheetPatch', () => {
  it('writes text, numbers, dates and clears, read back by our reader and exceljs', async () => {
    const book = minimalXlsx({
      sheets: [
        { name: 'S', xml: '<row r="2"><c r="A2"><v>7</v></c><c r="C2" t="inlineStr"><is><t>old</t></is></c></row>' },
      ],
    });
    const tricky = 'literal _x000D_ and\u0001control\r\nline 2 & <tag> "q"';
    const out = await patch(book, (sheet) => {
      sheet.setString(0, 0, tricky);
      sheet.setString(1, 1, '=1+1');
      sheet.setCell(1, 0, { kind: 'number', value: 3.25 });
      sheet.setCell(1, 2, { kind: 'clear' });
      sheet.setCell(3, 3, { kind: 'date', serial: 45107 });
    });
    const grid = await readWorkbookGrid(out);
    expect(grid.sheets[0]!.rows[0]![0]).toBe(tricky);
    expect(grid.sheets[0]!.rows[1]!.slice(0, 2)).toEqual([3.25, '=1+1']);
    expect(grid.sheets[0]!.rows[1]![2] ?? null).toBeNull();
    expect(grid.sheets[0]!.rows[3]![3]).toBe(45107);
    const ws = (await loadExcelJs(out)).worksheets[0]!;
    expect(ws.getCell('B2').value).toBe('=1+1');
    expect(ws.getCell('D4').value).toEqual(new Date(Date.UTC(2023, 5, 30)));
    expect(ws.getCell('D4').numFmt).toBe('dd.mm.yyyy');
    expect((await partsOf(out)).get('xl/worksheets/sheet1.xml')).toContain('<dimension ref="A1:D4"/>');
  });

  it('adds elements in schema order to a sheet that uses a namespace prefix', async () => {
    const p = 'x:';
    const sheetXml =
      `<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="${MAIN}" xmlns:r="${REL}"><x:sheetViews><x:sheetView workbookViewId="0"/></x:sheetViews>` +
      `<x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Titlu</x:t></x:is></x:c></x:row></x:sheetData>` +
      `<x:mergeCells count="1"><x:mergeCell ref="A1:C1"/></x:mergeCells><x:hyperlinks/><x:pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></x:worksheet>`;
    const book = minimalXlsx({ prefix: p, sheets: [{ name: 'Plan', xml: sheetXml }] });
    const out = await patch(book, (sheet, styles) => {
      sheet.setString(2, 1, 'valoare');
      sheet.setColumn(4, { width: 20, hidden: true });
      sheet.addListValidation('B3:B9', ['Da', 'Nu']);
      sheet.addConditionalFormat('B3:B9', 'B3="Nu"', styles.addDxf('FFFFC7CE'));
      sheet.protect({ allow: ['autoFilter'] });
      sheet.setAutoFilter('A2:C9', [{ col: 1, pattern: '*Da*' }]);
      sheet.addNote(0, 0, 'Instrucțiuni');
    });
    const xml = (await partsOf(out)).get('xl/worksheets/sheet1.xml')!;
    expect(childOrder(xml)).toEqual([
      'dimension',
      'sheetViews',
      'cols',
      'sheetData',
      'sheetProtection',
      'autoFilter',
      'mergeCells',
      'conditionalFormatting',
      'dataValidations',
      'hyperlinks',
      'pageMargins',
      'legacyDrawing',
    ]);
    expect(xml).toContain('<x:c r="B3" t="inlineStr"><x:is><x:t xml:space="preserve">valoare</x:t></x:is></x:c>');
    const grid = await readWorkbookGrid(out);
    expect(grid.sheets[0]!.rows[2]![1]).toBe('valoare');
    expect(grid.sheets[0]!.merges).toEqual([{ top: 0, left: 0, bottom: 0, right: 2 }]);
    // exceljs cannot read prefixed workbooks at all; the parts say what Excel will see.
    expect(xml).toContain('<x:col min="5" max="5" width="20" customWidth="1" hidden="1"/>');
    const parts = await partsOf(out);
    expect(parts.get('xl/comments1.xml')).toContain(
      '<comment ref="A1" authorId="0"><text><r><t xml:space="preserve">Instrucțiuni</t></r></text></comment>',
    );
    expect(parts.get('xl/drawings/vmlDrawing1.vml')).toContain('<x:Row>0</x:Row><x:Column>0</x:Column>');
    expect(parts.get('[Content_Types].xml')).toContain('PartName="/xl/comments1.xml"');
    expect(parts.get('[Content_Types].xml')).toContain('Extension="vml"');
    expect(parts.get('xl/worksheets/_rels/sheet1.xml.rels')).toContain('Target="../drawings/vmlDrawing1.vml"');
    expect(parts.has('xl/styles.xml')).toBe(true);
  });

  it('splits a column range to change one column, leaving its neighbours as they were', async () => {
    const sheetXml = `<?xml version="1.0"?><worksheet xmlns="${MAIN}"><cols><col min="1" max="10" width="12" style="3" customWidth="1"/></cols><sheetData/></worksheet>`;
    const out = await patch(minimalXlsx({ sheets: [{ name: 'S', xml: sheetXml }] }), (sheet) =>
      sheet.setColumn(4, { hidden: true }),
    );
    expect((await partsOf(out)).get('xl/worksheets/sheet1.xml')).toContain(
      '<cols><col min="1" max="4" width="12" style="3" customWidth="1"/><col min="5" max="5" width="12" style="3" customWidth="1" hidden="1"/><col min="6" max="10" width="12" style="3" customWidth="1"/></cols>',
    );
  });

  it('drops the calculation chain when it overwrites a formula, so Excel does not offer to repair the file', async () => {
    const book = minimalXlsx({
      sheets: [
        { name: 'S', xml: '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1"><f>A1*2</f><v>4</v></c></row>' },
      ],
      extraParts: [
        {
          name: 'xl/calcChain.xml',
          data: `<?xml version="1.0"?><calcChain xmlns="${MAIN}"><c r="A1" i="1"/><c r="B1"/></calcChain>`,
        },
      ],
    });
    const withChain = await patch(book, (sheet) => sheet.setStyle(0, 0, 0));
    expect((await partsOf(withChain)).has('xl/calcChain.xml')).toBe(true);
    expect((await partsOf(withChain)).get('xl/worksheets/sheet1.xml')).toContain('<f>1+1</f>');
    const out = await patch(book, (sheet) => sheet.setString(0, 0, 'text'));
    const parts = await partsOf(out);
    expect(parts.has('xl/calcChain.xml')).toBe(false);
    expect(parts.get('xl/worksheets/sheet1.xml')).toContain('<c r="B1"><f>A1*2</f><v>4</v></c>');
  });

  it('derives cell formats without moving the existing ones, and reuses what it derived before', async () => {
    const book = minimalXlsx({
      sheets: [{ name: 'S', xml: '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>' }],
    });
    let first = -1;
    const out = await patch(book, (sheet, styles) => {
      sheet.deriveStyle(0, 0, { fill: 'FFF8CBAD', locked: false });
      sheet.deriveStyle(0, 1, { fill: 'FFF8CBAD', locked: false });
      first = styles.derive(0, { fill: 'FFF8CBAD', locked: false });
    });
    expect(first).toBe(1);
    const xml = (await partsOf(out)).get('xl/worksheets/sheet1.xml')!;
    expect(xml).toContain('<c r="A1" s="1"><v>1</v></c><c r="B1" s="1"><v>2</v></c>');
    const ws = (await loadExcelJs(out)).worksheets[0]!;
    expect(ws.getCell('A1').fill).toMatchObject({ pattern: 'solid', fgColor: { argb: 'FFF8CBAD' } });
    expect(ws.getCell('A1').protection).toMatchObject({ locked: false });
  });

  it("writes note text literally, `$&` and `$'` included, and thousands of notes in one pass", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('S').getCell('A1').value = 'a';
    const book = Buffer.from(await wb.xlsx.writeBuffer());
    const tricky = "Buget: 5$ și $& sau $' ori $` (prețuri)";
    const started = performance.now();
    const out = await patch(book, (sheet) => {
      sheet.addNote(0, 0, tricky);
      for (let r = 1; r <= 5000; r++) sheet.addNote(r, 1, `Conflict ${r}`);
    });
    expect(performance.now() - started).toBeLessThan(5000);
    const ws = (await loadExcelJs(out)).worksheets[0]!;
    expect(String(ws.getCell('A1').note)).toBe(tricky);
    const parts = await partsOf(out);
    const comments = [...parts].find(([n]) => /comments\d*\.xml$/.test(n))![1];
    expect(comments.match(/<comment /g)).toHaveLength(5001);
    expect(comments.match(/<author>/g)).toHaveLength(1);
    expect(comments).toContain(
      '<comment ref="B5001" authorId="0"><text><r><t xml:space="preserve">Conflict 5000</t></r></text></comment>',
    );
    const vml = [...parts].find(([n]) => n.endsWith('.vml'))![1];
    expect(vml.match(/ObjectType="Note"/g)).toHaveLength(5001);
  });

  it.skipIf(!hasSoffice)('writes files LibreOffice opens, notes and all', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('S').getCell('A1').value = 'a';
    const book = Buffer.from(await wb.xlsx.writeBuffer());
    const out = await patch(book, (sheet) => {
      sheet.setString(0, 1, '@SUM(A1)');
      sheet.addNote(0, 0, 'notă');
      sheet.protect();
    });
    const [rows] = libreOfficeSheets(out, 'write');
    expect(rows![0]).toEqual(['a', '@SUM(A1)']);
  });
});
