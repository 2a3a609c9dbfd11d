// Reads an .xlsx file into the WorkbookGrid the plan reader works on (plan/model.ts): every sheet's values as
// Excel last saved them, its visibility and its merged areas. Fast and safe on hostile files: parts are found
// through the package relationships, streamed out of the zip under size budgets and scanned without a DOM;
// DOCTYPEs are refused, cells and their length are capped. Formulas are never evaluated (their cached value is
// read) and dates stay serial numbers: interpreting them is the plan reader's job. A workbook in the 1904 date
// system has its date cells moved into the 1900 system, so a serial means the same day whatever the file's system.
import { readFile, stat } from 'node:fs/promises';
import type { SheetGrid, WorkbookGrid } from '../../plan/model';
import { megabytes, readError } from './read-errors';
import { refuseDtd, segmenter } from './segments';
import { DateStyles, EXCEL_MAX_CELL_CHARS, SharedStrings, SheetScanner } from './sheet';
import { openZip, type ZipArchive } from './zip';
import { findDtd } from './xml';
import { parseXml } from './dom';
import { relationshipsOf, relsPathOf, rootIs, uses1904, workbookSheets, type SheetEntry } from './parts';

export interface ReadLimits {
  /** Entries in the zip's central directory. */
  maxEntries: number;
  /** Inflated bytes of one part (a sheet, the shared strings). */
  maxPartBytes: number;
  /** Inflated bytes of all the parts read, and the largest file accepted. */
  maxTotalBytes: number;
  /** Cells of one sheet, counted as grid slots (a row's width, empty rows as one). */
  maxCells: number;
  /** Characters of one cell: Excel's own limit. */
  maxCellChars: number;
}

export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = {
  maxEntries: 10_000,
  maxPartBytes: 200 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxCells: 5_000_000,
  maxCellChars: EXCEL_MAX_CELL_CHARS,
};

interface Relationship {
  type: string;
  /** Zip entry name, resolved against the source part. */
  target: string;
}

const notWorkbook = (detailRo: string, detailEn: string): Error =>
  readError(
    'xlsx-not-workbook',
    `Fișierul nu este un registru Excel: ${detailRo}.`,
    `The file is not an Excel workbook: ${detailEn}.`,
  );

/** Every `<Relationship>` of a .rels part (by namespace, parts.ts), targets resolved; external ones skipped. */
async function readRelationships(zip: ZipArchive, relsPath: string): Promise<Map<string, Relationship>> {
  const rels = new Map<string, Relationship>();
  if (!zip.has(relsPath)) return rels;
  for (const rel of relationshipsOf(parseXml(await readSmallPart(zip, relsPath), relsPath), relsPath)) {
    if (rel.target !== null) rels.set(rel.id, { type: rel.type, target: rel.target });
  }
  return rels;
}

/** Small parts (relationships, workbook.xml) are read whole; the DOCTYPE rule applies to them too. */
async function readSmallPart(zip: ZipArchive, name: string): Promise<string> {
  const xml = await zip.readWholeText(name);
  if (findDtd(xml) >= 0) refuseDtd(name);
  return xml;
}

const typeIs = (rel: Relationship, kind: string): boolean => rel.type.endsWith(`/${kind}`);

async function readSharedStrings(zip: ZipArchive, part: string, limits: ReadLimits): Promise<SharedStrings> {
  const strings = new SharedStrings(limits.maxCellChars);
  const scan = segmenter(part, ['sst'], 'si', (segment, prefix) => strings.scan(segment, prefix));
  await zip.readText(part, (chunk) => scan.push(chunk));
  scan.end();
  return strings;
}

async function readSheet(
  zip: ZipArchive,
  entry: SheetEntry,
  part: string,
  strings: SharedStrings,
  limits: ReadLimits,
  dates1904: DateStyles | null,
): Promise<SheetGrid> {
  const scanner = new SheetScanner(
    entry.name,
    strings,
    limits,
    () =>
      readError(
        'xlsx-too-many-cells',
        `Foaia „${entry.name}” are mai mult de ${limits.maxCells.toLocaleString('ro-RO')} de celule; nu poate fi citită.`,
        `Sheet "${entry.name}" has more than ${limits.maxCells.toLocaleString('en-US')} cells; it cannot be read.`,
      ),
    dates1904,
  );
  const scan = segmenter(part, ['worksheet', 'chartsheet', 'dialogsheet', 'macrosheet'], 'row', (segment, prefix) =>
    scanner.scan(segment, prefix),
  );
  await zip.readText(part, (chunk) => scan.push(chunk));
  scan.end();
  return { name: entry.name, state: entry.state, rows: scanner.rows, merges: scanner.merges };
}

export async function readWorkbookGrid(bytes: Uint8Array, limits: Partial<ReadLimits> = {}): Promise<WorkbookGrid> {
  const lim: ReadLimits = { ...DEFAULT_READ_LIMITS, ...limits };
  if (bytes.byteLength > lim.maxTotalBytes) {
    throw readError(
      'xlsx-too-large',
      `Fișierul are ${megabytes(bytes.byteLength)}; sunt acceptate cel mult ${megabytes(lim.maxTotalBytes)}.`,
      `The file is ${megabytes(bytes.byteLength)}; at most ${megabytes(lim.maxTotalBytes)} are accepted.`,
    );
  }
  const zip = await openZip(bytes, lim);

  const packageRels = await readRelationships(zip, '_rels/.rels');
  const officeDocument = [...packageRels.values()].find((rel) => typeIs(rel, 'officeDocument'));
  const workbookPart = officeDocument?.target ?? (zip.has('xl/workbook.xml') ? 'xl/workbook.xml' : null);
  if (!workbookPart || !zip.has(workbookPart)) {
    throw notWorkbook('arhiva nu conține partea workbook', 'the archive holds no workbook part');
  }
  const workbook = parseXml(await readSmallPart(zip, workbookPart), workbookPart);
  if (!rootIs(workbook, 'workbook')) {
    throw notWorkbook(
      `partea ${workbookPart} nu descrie un registru`,
      `part ${workbookPart} does not describe a workbook`,
    );
  }
  const rels = await readRelationships(zip, relsPathOf(workbookPart));

  const sharedRel = [...rels.values()].find((rel) => typeIs(rel, 'sharedStrings'));
  const sharedPart = sharedRel && zip.has(sharedRel.target) ? sharedRel.target : null;
  const strings = sharedPart ? await readSharedStrings(zip, sharedPart, lim) : new SharedStrings(lim.maxCellChars);

  // Only a 1904 workbook needs its styles: which numbers are dates.
  let dates1904: DateStyles | null = null;
  if (uses1904(workbook)) {
    const stylesRel = [...rels.values()].find((rel) => typeIs(rel, 'styles'));
    const styles = stylesRel && zip.has(stylesRel.target) ? await readSmallPart(zip, stylesRel.target) : '';
    dates1904 = new DateStyles(styles);
  }

  const sheets: SheetGrid[] = [];
  for (const entry of workbookSheets(workbook)) {
    const rel = entry.rid ? rels.get(entry.rid) : undefined;
    if (!rel || !zip.has(rel.target)) {
      throw notWorkbook(`lipsește foaia „${entry.name}”`, `sheet "${entry.name}" is missing`);
    }
    sheets.push(await readSheet(zip, entry, rel.target, strings, lim, dates1904));
  }
  if (sheets.length === 0) throw notWorkbook('registrul nu are nicio foaie', 'the workbook has no sheet');
  return { sheets };
}

export async function readWorkbookFile(file: string, limits: Partial<ReadLimits> = {}): Promise<WorkbookGrid> {
  const max = limits.maxTotalBytes ?? DEFAULT_READ_LIMITS.maxTotalBytes;
  const { size } = await stat(file);
  if (size > max) {
    throw readError(
      'xlsx-too-large',
      `Fișierul are ${megabytes(size)}; sunt acceptate cel mult ${megabytes(max)}.`,
      `The file is ${megabytes(size)}; at most ${megabytes(max)} are accepted.`,
    );
  }
  return readWorkbookGrid(await readFile(file), limits);
}
