// The conformance checker of the writer-matrix tests, checked itself: each check is seen to fire on a file broken
// by hand in the one way it looks for, and to stay quiet on the writers' own files.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkParts, checkXlsxBatch, readParts, type CheckName, type Finding, type Parts } from './ooxml-check';
import { repoRoot } from './seed';
import { hasXmllint, skipReason } from './tools';

const fixtures = path.join(repoRoot, 'tests/fixtures/writers/files');
let exceljs: Parts;
let openpyxl: Parts;
beforeAll(async () => {
  exceljs = await readParts(path.join(fixtures, 'exceljs.xlsx'));
  openpyxl = await readParts(path.join(fixtures, 'openpyxl.xlsx'));
});

/** A copy of the package with one part's text changed by `edit` (which must change it). */
function broken(parts: Parts, part: string, edit: (xml: string) => string): Parts {
  const copy = new Map(parts);
  const before = parts.get(part)!.toString('utf8');
  const after = edit(before);
  expect(after, `the edit of ${part} changed nothing`).not.toBe(before);
  copy.set(part, Buffer.from(after, 'utf8'));
  return copy;
}

const checks = (findings: Finding[]): CheckName[] => [...new Set(findings.map((f) => f.check))].sort();

describe.skipIf(!hasXmllint)('the OOXML checker', () => {
  if (!hasXmllint) console.warn(skipReason('xmllint'));

  it('finds nothing to say about the writers’ own files (LibreOffice’s duplicate VML ids aside)', async () => {
    const names = [
      'openpyxl',
      'xlsxwriter',
      'exceljs',
      'sheetjs',
      'gnumeric',
      'openxml-sdk',
      'excel365',
      'excel365-odd-rels',
      'excel365-logo-no-notes',
    ];
    const results = await checkXlsxBatch(names.map((n) => ({ file: path.join(fixtures, `${n}.xlsx`) })));
    expect(Object.fromEntries(names.map((n, i) => [n, results[i]]))).toEqual(
      Object.fromEntries(names.map((n) => [n, []])),
    );
    const [lo] = await checkXlsxBatch([{ file: path.join(fixtures, 'libreoffice.xlsx') }]);
    expect(lo!.map((f) => `${f.check}: ${f.message}`)).toEqual(['vml-shape-id: two shapes with id shape_0']);
  });

  it('finds an undeclared prefix: a <sheet> with r:id where openpyxl declared xmlns:r on each sheet only', () => {
    const parts = broken(openpyxl, 'xl/workbook.xml', (x) =>
      x.replace('</sheets>', '<sheet name="_caf_plan" sheetId="3" state="veryHidden" r:id="rId9"/></sheets>'),
    );
    const findings = checkParts(parts);
    expect(findings.filter((f) => f.check === 'well-formed').map((f) => f.part)).toEqual(['xl/workbook.xml']);
    expect(findings.find((f) => f.check === 'well-formed')!.message).toMatch(/[Nn]amespace prefix r/);
  });

  it('finds an undeclared prefix in a VML drawing whose namespaces are declared per element', () => {
    const parts = broken(openpyxl, 'xl/drawings/commentsDrawing1.vml', (x) =>
      x.replace(
        '</xml>',
        '<v:shape id="_x0000_s1100" type="#_x0000_t202"><x:ClientData ObjectType="Note"/></v:shape></xml>',
      ),
    );
    expect(checkParts(parts).map((f) => `${f.check} ${f.part}`)).toEqual([
      'well-formed xl/drawings/commentsDrawing1.vml',
      // Excel drops a drawing it cannot read: the notes are left without shapes.
      'note-shape xl/worksheets/sheet1.xml',
    ]);
  });

  it('finds a relationship to a missing part and an r:id that names no relationship', () => {
    const dangling = broken(exceljs, 'xl/worksheets/_rels/sheet1.xml.rels', (x) =>
      x.replace(
        '</Relationships>',
        '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="../comments9.xml"/></Relationships>',
      ),
    );
    expect(checkParts(dangling).map((f) => f.message)).toEqual(['rId9 (comments) targets missing xl/comments9.xml']);
    const unresolved = broken(exceljs, 'xl/worksheets/sheet1.xml', (x) =>
      x.replace(/<legacyDrawingHF r:id="rId\d+"\/>/, '<legacyDrawingHF r:id="rId42"/>'),
    );
    expect(checkParts(unresolved).map((f) => `${f.check}: ${f.message}`)).toEqual([
      'relationship-id: <legacyDrawingHF r:id="rId42">: no such relationship',
    ]);
  });

  it('finds a part without a content type', () => {
    const parts = new Map(exceljs);
    parts.set('xl/printerSettings/printerSettings1.bin', Buffer.from([1, 2, 3]));
    const findings = checkParts(parts);
    expect(findings.map((f) => `${f.check} ${f.part}`)).toEqual([
      'content-type xl/printerSettings/printerSettings1.bin',
    ]);
  });

  it('finds two shapes with one id, and two notes drawings sharing an o:idmap block', () => {
    const twice = broken(exceljs, 'xl/drawings/vmlDrawing1.vml', (x) =>
      x.replace('id="_x0000_s1026"', 'id="_x0000_s1025"'),
    );
    expect(checks(checkParts(twice))).toEqual(['vml-shape-id']);
    // A second sheet with its own notes drawing numbered from the same block as the first.
    const parts = new Map(exceljs);
    parts.set('xl/drawings/vmlDrawing9.vml', exceljs.get('xl/drawings/vmlDrawing1.vml')!);
    parts.set(
      'xl/worksheets/_rels/sheet2.xml.rels',
      Buffer.from(
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing" Target="../drawings/vmlDrawing9.vml"/></Relationships>',
      ),
    );
    const sheet2 = exceljs
      .get('xl/worksheets/sheet2.xml')!
      .toString('utf8')
      .replace('</worksheet>', '<legacyDrawing r:id="rId1"/></worksheet>');
    parts.set('xl/worksheets/sheet2.xml', Buffer.from(sheet2));
    expect(checks(checkParts(parts))).toEqual(['vml-idmap', 'vml-shape-id']);
  });

  it('finds a note without its shape, and notes whose only VML is the header’s (no <legacyDrawing>)', () => {
    const extra = broken(exceljs, 'xl/comments1.xml', (x) =>
      x.replace(
        '</commentList>',
        '<comment ref="B12" authorId="0"><text><t>fără formă</t></text></comment></commentList>',
      ),
    );
    expect(checkParts(extra).map((f) => `${f.check}: ${f.message}`)).toEqual([
      "note-shape: note B12 has no shape in xl/drawings/vmlDrawing1.vml (the sheet's legacyDrawing)",
    ]);
    const headerOnly = broken(exceljs, 'xl/worksheets/sheet1.xml', (x) =>
      x.replace(/<legacyDrawing r:id="rId\d+"\/>/, ''),
    );
    expect(checks(checkParts(headerOnly))).toEqual(['note-shape']);
  });

  it('validates the parts against sml.xsd after markup compatibility, and finds children out of schema order', async () => {
    // Excel 365's extension markup (mc:Ignorable, x14ac, xr, extLst) passes once stripped...
    const excel365 = await readParts(path.join(fixtures, 'excel365.xlsx'));
    expect(checkParts(excel365)).toEqual([]);
    // ...and an element where CT_Worksheet does not allow it does not.
    const misplaced = broken(exceljs, 'xl/worksheets/sheet1.xml', (x) => {
      const legacy = /<legacyDrawing r:id="rId\d+"\/>/.exec(x)![0];
      return x.replace(legacy, '').replace('<sheetData>', `${legacy}<sheetData>`);
    });
    const findings = checkParts(misplaced);
    expect(checks(findings)).toEqual(['schema']);
    expect(findings[0]!.part).toBe('xl/worksheets/sheet1.xml');
    // With the input given, only the parts that changed are validated.
    expect(checkParts(misplaced, { input: misplaced })).toEqual([]);
  });
});
