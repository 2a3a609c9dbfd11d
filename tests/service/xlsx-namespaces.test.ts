// The known failures of the text-based OOXML layer (issue 12), each on the markup a real writer produces:
// openpyxl's per-<sheet> `xmlns:r` and per-element VML namespaces (made here by a real openpyxl round trip),
// a header/footer picture VML (`legacyDrawingHF`) with and without notes, and relationships in another order.
// Expected values come from xmllint (well-formedness and namespaces) and the relationships themselves.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { departmentCopy } from '../../service/xlsx/copy';
import { XlsxPackage } from '../../service/xlsx/package';
import { prepareWorkbook } from '../../service/xlsx/prepare';
import { hasXmllint } from '../support/tools';
import { PLAN_SHEET, partsOf, planOf, teamWorkbook } from './xlsx-write-fixtures';

const META = { planId: 'sector1-2022', revision: 1, schemaVersion: 1 };
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const VML_REL = `${REL}/vmlDrawing`;
const PYTHON = '/usr/bin/python3';
const hasOpenpyxl =
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import openpyxl'], { encoding: 'utf8' }).status === 0;

/** xmllint's verdict on a part: '' when well-formed with every prefix bound, else its first complaint. */
function xmlProblem(xml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caf-ns-'));
  const file = path.join(dir, 'part.xml');
  writeFileSync(file, xml);
  const run = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
  return run.status === 0 && run.stderr === '' ? '' : (run.stderr.split('\n')[0] ?? 'failed');
}

async function everyPartWellFormed(bytes: Uint8Array): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  for (const [name, xml] of await partsOf(bytes)) {
    if (!/\.(xml|rels|vml)$/i.test(name)) continue;
    const problem = xmlProblem(xml);
    if (problem) problems[name] = problem;
  }
  return problems;
}

/** The target of the relationship `id` of `source`, read from its .rels with a regex written here. */
function relTarget(parts: Map<string, string>, relsName: string, id: string): { type: string; target: string } | null {
  const rels = parts.get(relsName) ?? '';
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const attr = (n: string): string => new RegExp(`\\s${n}="([^"]*)"`).exec(m[0])?.[1] ?? '';
    if (attr('Id') === id) return { type: attr('Type'), target: attr('Target') };
  }
  return null;
}

function openpyxlRoundTrip(bytes: Uint8Array): Buffer {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caf-opx-'));
  const input = path.join(dir, 'in.xlsx');
  const output = path.join(dir, 'out.xlsx');
  writeFileSync(input, bytes);
  // As pandas' to_excel and most scripts save: load and save with openpyxl.
  const run = spawnSync(
    PYTHON,
    ['-c', 'import openpyxl,sys; openpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])', input, output],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return readFileSync(output);
}

const HF_VML =
  '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">' +
  '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="7"/></o:shapelayout>' +
  '<v:shape id="CH" o:spid="_x0000_s7169" type="#_x0000_t75" style="position:absolute;width:80pt;height:40pt;z-index:1">' +
  '<v:imagedata o:relid="rId1" o:title="sigla"/><o:lock v:ext="edit" rotation="t"/></v:shape></xml>';

/**
 * The plan sheet given an institution's logo in its page header, as Excel writes it: a VML part named by
 * `<legacyDrawingHF>`, its relationship listed first; with `withNotes` false the sheet's notes are taken off first.
 */
async function withHeaderPicture(bytes: Uint8Array, withNotes: boolean): Promise<Uint8Array> {
  const pkg = await XlsxPackage.open(bytes);
  const sheet = pkg.sheet(PLAN_SHEET);
  const relsName = sheet.part.replace(/([^/]+)$/, '_rels/$1.rels');
  let sheetXml = pkg.text(sheet.part);
  let rels = pkg.has(relsName)
    ? pkg.text(relsName)
    : `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>`;
  if (!withNotes) {
    sheetXml = sheetXml.replace(/<legacyDrawing [^>]*\/>/, '');
    for (const m of [...rels.matchAll(/<Relationship\b[^>]*\/>/g)]) {
      if (/\/(comments|vmlDrawing)"/.test(m[0])) {
        const target = /Target="([^"]*)"/.exec(m[0])![1]!;
        pkg.remove(path.posix.normalize(path.posix.join(path.posix.dirname(sheet.part), target)));
        rels = rels.replace(m[0], '');
      }
    }
  }
  pkg.setText('xl/drawings/vmlDrawingHF1.vml', HF_VML);
  pkg.setText('xl/media/sigla.png', 'not really a png');
  pkg.setText(
    'xl/drawings/_rels/vmlDrawingHF1.vml.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="../media/sigla.png"/></Relationships>',
  );
  pkg.setDefault('vml', 'application/vnd.openxmlformats-officedocument.vmlDrawing');
  pkg.setDefault('png', 'image/png');
  // First in the list: the order OPC gives no meaning to, and the one that crashed copy and merge.
  rels = rels.replace(
    /(<Relationships\b[^>]*>)/,
    `$1<Relationship Id="rIdHF" Type="${VML_REL}" Target="../drawings/vmlDrawingHF1.vml"/>`,
  );
  pkg.setText(relsName, rels);
  const hf = '<headerFooter><oddHeader>&amp;L&amp;G</oddHeader></headerFooter>';
  sheetXml = /<headerFooter/.test(sheetXml)
    ? sheetXml
    : sheetXml.replace(/(<pageMargins [^>]*\/>)/, (m) => `${m}${hf}`);
  sheetXml = sheetXml.replace(
    /(<tableParts|<extLst|<\/worksheet>)/,
    (m) => `<legacyDrawingHF xmlns:r="${REL}" r:id="rIdHF"/>${m}`,
  );
  pkg.setText(sheet.part, sheetXml);
  return pkg.save();
}

/** Every note of the plan sheet has its shape in the VML its `<legacyDrawing>` names; the HF VML is untouched. */
async function notesShownWhereExcelLooks(bytes: Uint8Array): Promise<void> {
  const parts = await partsOf(bytes);
  const sheetXml = parts.get('xl/worksheets/sheet1.xml')!;
  const rels = 'xl/worksheets/_rels/sheet1.xml.rels';
  const legacy = /<legacyDrawing\s[^>]*?(\w+):id="([^"]*)"/.exec(sheetXml);
  expect(legacy, 'the sheet names its notes drawing').not.toBeNull();
  expect(sheetXml.indexOf('<legacyDrawing ')).toBeLessThan(sheetXml.indexOf('<legacyDrawingHF'));
  const vmlRel = relTarget(parts, rels, legacy![2]!);
  expect(vmlRel?.type).toBe(VML_REL);
  const vml = parts.get(path.posix.normalize(path.posix.join('xl/worksheets', vmlRel!.target)))!;
  expect(vml).not.toContain('sigla');
  const commentsRel = [...(parts.get(rels) ?? '').matchAll(/Target="([^"]*comments[^"]*)"/g)][0]![1]!;
  const comments = parts.get(path.posix.normalize(path.posix.join('xl/worksheets', commentsRel)))!;
  const refs = [...comments.matchAll(/<comment ref="([A-Z]+)(\d+)"/g)].map((m) => m.slice(1, 3).join(''));
  expect(refs.length).toBeGreaterThan(0);
  const colOf = (letters: string): number => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
  const shapes = new Set(
    [...vml.matchAll(/Row>(\d+)<\/[\w]+:Row>\s*<[\w]+:Column>(\d+)</g)].map((m) => `${m[1]}:${m[2]}`),
  );
  for (const ref of refs) {
    const [, letters, row] = /^([A-Z]+)(\d+)$/.exec(ref)!;
    expect(shapes.has(`${Number(row) - 1}:${colOf(letters!)}`), `shape of ${ref}`).toBe(true);
  }
  expect(parts.get('xl/drawings/vmlDrawingHF1.vml')).toBe(HF_VML);
  const ids = [
    ...[...parts].filter(([n]) => n.endsWith('.vml')).flatMap(([, x]) => [...x.matchAll(/_x0000_s(\d+)/g)]),
  ].map((m) => m[1]);
  expect(new Set(ids).size, 'shape ids unique in the package').toBe(ids.length);
}

let team: Buffer;
beforeAll(async () => {
  team = await teamWorkbook();
});

describe.skipIf(!hasXmllint || !hasOpenpyxl)('a workbook saved by openpyxl', () => {
  let saved: Buffer;
  beforeAll(() => {
    saved = openpyxlRoundTrip(team);
  });

  it('declares xmlns:r on each <sheet> and per-element VML namespaces (what the fixes are about)', async () => {
    const parts = await partsOf(saved);
    expect(parts.get('xl/workbook.xml')).toMatch(/<sheet xmlns:r=/);
    expect(parts.get('xl/workbook.xml')).not.toMatch(/<workbook [^>]*xmlns:r=/);
    const vml = [...parts].find(([n]) => n.endsWith('.vml'))![1];
    expect(vml).toMatch(/^<xml>/);
  });

  it('prepare and copy write a workbook.xml whose every prefix is bound', async () => {
    const prepared = await prepareWorkbook(saved, await planOf(saved), META);
    expect(await everyPartWellFormed(prepared)).toEqual({});
    const parts = await partsOf(prepared);
    const meta = /<sheet [^>]*name="_caf_plan"[^>]*\/>/.exec(parts.get('xl/workbook.xml')!)![0];
    const rid = /\s(\w+):id="([^"]*)"/.exec(meta)!;
    expect(relTarget(parts, 'xl/_rels/workbook.xml.rels', rid[2]!)?.target).toMatch(/worksheets\/sheet\d+\.xml$/);
    const plan = await planOf(prepared);
    const copy = await departmentCopy(prepared, plan, 'SIC', META);
    expect(await everyPartWellFormed(copy)).toEqual({});
  });

  it("adds notes to openpyxl's VML with every v:, o:, x: prefix bound", async () => {
    const prepared = await prepareWorkbook(saved, await planOf(saved), META);
    const copy = await departmentCopy(prepared, await planOf(prepared), 'SIC', META);
    expect(await everyPartWellFormed(copy)).toEqual({});
    const parts = await partsOf(copy);
    const vml = [...parts].find(([n]) => n.endsWith('.vml'))![1];
    // The team's note and the copy's instructions.
    expect(vml.match(/ObjectType="Note"/g)).toHaveLength(2);
  });
});

describe.skipIf(!hasXmllint)('a sheet with a header/footer picture (legacyDrawingHF)', () => {
  it('and no notes: the notes go into a new VML named by a new <legacyDrawing>, the header VML stays as it was', async () => {
    const book = await withHeaderPicture(team, false);
    const prepared = await prepareWorkbook(book, await planOf(book), META);
    const copy = await departmentCopy(prepared, await planOf(prepared), 'SIC', META);
    expect(await everyPartWellFormed(copy)).toEqual({});
    await notesShownWhereExcelLooks(copy);
  });

  it('and notes, its relationship listed first: copy writes into the notes VML instead of failing', async () => {
    const book = await withHeaderPicture(team, true);
    const prepared = await prepareWorkbook(book, await planOf(book), META);
    const copy = await departmentCopy(prepared, await planOf(prepared), 'SIC', META);
    expect(await everyPartWellFormed(copy)).toEqual({});
    await notesShownWhereExcelLooks(copy);
  });
});
