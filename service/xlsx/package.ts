// An .xlsx package opened for patching: every zip entry is kept as stored, parts we change are replaced, and on
// save every other part is copied into the new zip as it was stored (not even inflated), in the original order.
// That is how the team's conditional formats, validations, drawings, macros and whatever else a reader of ours
// does not understand survive a write (exceljs loses them on read-then-write: exceljs #1024, #1184).
// Reading uses yauzl (as the reader does); the zip is written here, with Node's zlib for the changed parts.
import { Buffer } from 'node:buffer';
import path from 'node:path';
import yauzl from 'yauzl';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { CafError } from '../../plan/errors';
import { DEFAULT_READ_LIMITS } from './read';
import { megabytes, readError } from './read-errors';
import { refuseDtd } from './segments';
import { findDtd } from './xml';
import type { Document, Element } from '@xmldom/xmldom';
import {
  NS,
  child,
  children,
  descendants,
  element,
  insertInOrder,
  parseXml,
  serializeXml,
  setAttributeNS,
} from './dom';
import { relationshipsOf, relsPathOf, rootIs, sheetsElement, workbookSheets, type Relationship } from './parts';

export { relsPathOf, type Relationship } from './parts';

export const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = NS.pkgRel;
export const REL_TYPES = {
  officeDocument: `${REL_NS}/officeDocument`,
  worksheet: `${REL_NS}/worksheet`,
  sharedStrings: `${REL_NS}/sharedStrings`,
  styles: `${REL_NS}/styles`,
  comments: `${REL_NS}/comments`,
  vmlDrawing: `${REL_NS}/vmlDrawing`,
  calcChain: `${REL_NS}/calcChain`,
  extendedProperties: `${REL_NS}/extended-properties`,
} as const;

/** CT_Workbook children in schema order. */
export const WORKBOOK_ORDER = [
  'fileVersion',
  'fileSharing',
  'workbookPr',
  'workbookProtection',
  'bookViews',
  'sheets',
  'functionGroups',
  'externalReferences',
  'definedNames',
  'calcPr',
  'oleSize',
  'customWorkbookViews',
  'pivotCaches',
  'smartTagPr',
  'smartTagTypes',
  'webPublishing',
  'fileRecoveryPr',
  'webPublishObjects',
  'extLst',
] as const;
export const CONTENT_TYPES = {
  worksheet: 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml',
  sharedStrings: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml',
  comments: 'application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml',
  vmlDrawing: 'application/vnd.openxmlformats-officedocument.vmlDrawing',
} as const;

const CONTENT_TYPES_PART = '[Content_Types].xml';

export interface PackageLimits {
  maxEntries: number;
  maxPartBytes: number;
  maxTotalBytes: number;
}

/** An entry as the file holds it: copied into the output as it is when we do not change the part. */
interface RawEntry {
  bytes: Buffer;
  method: number;
  crc: number;
  size: number;
  dosTime: number;
  dosDate: number;
}

interface Entry {
  /** The name as stored (case and all), written back the same. */
  name: string;
  /** The part's bytes: inflated on first use (most parts are never read), or set by us. */
  data?: Buffer;
  /** The stored entry, until the part is changed. */
  raw?: RawEntry;
  mtime: Date;
  compress: boolean;
}

export interface SheetRef {
  name: string;
  sheetId: number;
  state: 'visible' | 'hidden' | 'veryHidden';
  rid: string;
  /** Zip entry name of the worksheet part. */
  part: string;
  /** 0-based position in `<sheets>` (what `localSheetId` counts). */
  index: number;
}

const xmlEscapeMap: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
/** Escapes text for element content and double-quoted attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => xmlEscapeMap[c]!);
}

/** `target` as a relative reference from the folder of `source` (how Excel writes relationship targets). */
function relativeTarget(source: string, target: string): string {
  return path.posix.relative(path.posix.dirname(source), target);
}

function damaged(error: Error): CafError {
  return readError(
    'xlsx-truncated',
    `Fișierul .xlsx este deteriorat și nu poate fi citit (${error.message}).`,
    `The .xlsx file is damaged and cannot be read (${error.message}).`,
  );
}

function notZip(): CafError {
  return readError(
    'xlsx-not-zip',
    'Fișierul nu este un registru Excel (.xlsx).',
    'The file is not an Excel workbook (.xlsx).',
  );
}

function tooLarge(limit: number): CafError {
  return readError(
    'xlsx-too-large',
    `Fișierul depășește ${megabytes(limit)} după dezarhivare.`,
    `The file exceeds ${megabytes(limit)} once inflated.`,
  );
}

async function readEntries(bytes: Uint8Array, limits: PackageLimits): Promise<Entry[]> {
  if (bytes.byteLength < 22) throw notZip();
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const zipfile = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, validateEntrySizes: true }, (error, zip) => {
      if (error || !zip)
        reject(/central directory/i.test(error?.message ?? '') ? notZip() : damaged(error ?? new Error('no zip')));
      else resolve(zip);
    });
  });
  if (zipfile.entryCount > limits.maxEntries) {
    zipfile.close();
    throw tooLarge(limits.maxTotalBytes);
  }
  let total = 0;
  return new Promise<Entry[]>((resolve, reject) => {
    const entries: Entry[] = [];
    const fail = (error: unknown): void => {
      zipfile.close();
      reject(error);
    };
    zipfile.on('error', (error: Error) => fail(damaged(error)));
    zipfile.on('end', () => resolve(entries));
    zipfile.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) {
        zipfile.readEntry();
        return;
      }
      total += entry.uncompressedSize;
      if (entry.uncompressedSize > limits.maxPartBytes || total > limits.maxTotalBytes) {
        fail(tooLarge(limits.maxTotalBytes));
        return;
      }
      if (entry.isEncrypted() || (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)) {
        fail(damaged(new Error(`${entry.fileName}: unsupported compression`)));
        return;
      }
      // Kept compressed: a part we do not touch is neither inflated nor deflated again (see save()).
      zipfile.openReadStream(entry, { decompress: false, decrypt: null, start: null, end: null }, (error, stream) => {
        if (error || !stream) return fail(damaged(error ?? new Error('no stream')));
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', (e: Error) => fail(damaged(e)));
        stream.on('end', () => {
          entries.push({
            name: entry.fileName,
            raw: {
              bytes: Buffer.concat(chunks),
              method: entry.compressionMethod,
              crc: entry.crc32,
              size: entry.uncompressedSize,
              dosTime: entry.lastModFileTime,
              dosDate: entry.lastModFileDate,
            },
            mtime: entry.getLastModDate(),
            compress: entry.compressionMethod !== 0,
          });
          zipfile.readEntry();
        });
      });
    });
    zipfile.readEntry();
  });
}

function normalise(name: string): string {
  return name.replace(/\\/g, '/').replace(/^\/+/, '').toLowerCase();
}

export class XlsxPackage {
  private readonly entries: Entry[];
  private readonly byName = new Map<string, Entry>();
  private readonly texts = new Map<string, string>();
  private readonly doms = new Map<string, Document>();
  private readonly newMtime: Date;
  readonly workbookPart: string;

  private constructor(entries: Entry[], workbookPart: string) {
    this.entries = entries;
    for (const e of entries) this.byName.set(normalise(e.name), e);
    this.workbookPart = workbookPart;
    // New parts get the workbook's timestamp, so the same input always gives the same bytes.
    this.newMtime = this.byName.get(normalise(workbookPart))?.mtime ?? new Date(Date.UTC(2020, 0, 1));
  }

  static async open(bytes: Uint8Array, limits: Partial<PackageLimits> = {}): Promise<XlsxPackage> {
    const lim = { ...DEFAULT_READ_LIMITS, ...limits };
    if (bytes.byteLength > lim.maxTotalBytes) throw tooLarge(lim.maxTotalBytes);
    const entries = await readEntries(bytes, lim);
    const probe = new XlsxPackage(entries, 'xl/workbook.xml');
    const office = probe.relationships('_rels/.rels').find((r) => r.type.endsWith('/officeDocument'));
    const workbookPart = office?.target ?? 'xl/workbook.xml';
    if (!probe.has(workbookPart) || !rootIs(probe.dom(workbookPart), 'workbook')) {
      throw readError(
        'xlsx-not-workbook',
        'Fișierul nu este un registru Excel: arhiva nu conține partea workbook.',
        'The file is not an Excel workbook: the archive holds no workbook part.',
      );
    }
    return new XlsxPackage(entries, workbookPart);
  }

  has(name: string): boolean {
    return this.byName.has(normalise(name));
  }

  get names(): string[] {
    return this.entries.map((e) => e.name);
  }

  bytes(name: string): Buffer {
    const entry = this.byName.get(normalise(name));
    if (!entry) throw new Error(`xlsx: no part ${name}`);
    if (entry.data) return entry.data;
    const raw = entry.raw!;
    let data: Buffer;
    try {
      // The declared size was checked against the limits on opening; a part that inflates past it is damaged.
      data = raw.method === 0 ? raw.bytes : inflateRawSync(raw.bytes, { maxOutputLength: Math.max(1, raw.size) });
    } catch (error) {
      throw damaged(error instanceof Error ? error : new Error(String(error)));
    }
    if (data.length !== raw.size) throw damaged(new Error(`${entry.name}: size differs from the directory`));
    entry.data = data;
    return data;
  }

  /** A part as text; a part that declares a DOCTYPE or ENTITY is refused (xlsx-doctype). */
  text(name: string): string {
    const key = normalise(name);
    const cached = this.texts.get(key);
    if (cached !== undefined) return cached;
    const data = this.bytes(name);
    const utf16 = data[0] === 0xff && data[1] === 0xfe;
    const text = new TextDecoder(utf16 ? 'utf-16le' : 'utf-8').decode(data);
    if (findDtd(text) >= 0) refuseDtd(name);
    this.texts.set(key, text);
    return text;
  }

  /** Replaces (or adds) a part. Text is written as UTF-8; an XML declaration saying otherwise is fixed. */
  setText(name: string, text: string): void {
    const out = text.replace(/^(<\?xml[^>]*encoding=)(["'])[^"']*\2/, '$1$2UTF-8$2');
    this.texts.set(normalise(name), out);
    this.doms.delete(normalise(name));
    this.setBytes(name, Buffer.from(out, 'utf8'));
  }

  private setBytes(name: string, data: Buffer): void {
    const entry = this.byName.get(normalise(name));
    if (entry) {
      entry.data = data;
      entry.raw = undefined;
      return;
    }
    const created: Entry = { name, data, mtime: this.newMtime, compress: true };
    this.entries.push(created);
    this.byName.set(normalise(name), created);
  }

  remove(name: string): void {
    const key = normalise(name);
    const entry = this.byName.get(key);
    if (!entry) return;
    this.entries.splice(this.entries.indexOf(entry), 1);
    this.byName.delete(key);
    this.texts.delete(key);
    this.doms.delete(key);
  }

  /** A name for a new part: `xl/worksheets/sheet{n}.xml` with the first n not taken. */
  freeName(pattern: (n: number) => string): string {
    for (let n = 1; ; n++) if (!this.has(pattern(n))) return pattern(n);
  }

  // --- Namespace-aware parts -----------------------------------------------------------------------------------

  /** The part as a DOM (dom.ts), parsed once; edit it and hand it back with setDom. */
  dom(name: string): Document {
    const key = normalise(name);
    let doc = this.doms.get(key);
    if (!doc) this.doms.set(key, (doc = parseXml(this.text(name), name)));
    return doc;
  }

  /** Writes an edited DOM back as the part's text. */
  setDom(name: string, doc: Document): void {
    this.setText(name, serializeXml(doc));
    this.doms.set(normalise(name), doc);
  }

  // --- Relationships -------------------------------------------------------------------------------------------

  relationships(relsPath: string): Relationship[] {
    if (!this.has(relsPath)) return [];
    return relationshipsOf(this.dom(relsPath), relsPath);
  }

  /** Parts `source` points to with relationships of `type`. */
  related(source: string, type: string): Relationship[] {
    return this.relationships(relsPathOf(source)).filter((r) => r.type === type);
  }

  /** The relationship of `source` with id `id` (what an `r:id` names), or undefined. */
  relationship(source: string, id: string): Relationship | undefined {
    return this.relationships(relsPathOf(source)).find((r) => r.id === id);
  }

  /** Adds a relationship from `source` to the part `target` and returns its id. */
  addRelationship(source: string, type: string, target: string): string {
    const relsPath = relsPathOf(source);
    const existing = this.relationships(relsPath);
    const taken = new Set(existing.map((r) => r.id));
    let n = existing.length + 1;
    while (taken.has(`rId${n}`)) n++;
    const id = `rId${n}`;
    if (!this.has(relsPath)) {
      this.setText(
        relsPath,
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${PKG_REL_NS}"></Relationships>`,
      );
    }
    const doc = this.dom(relsPath);
    const root = doc.documentElement!;
    element(root, PKG_REL_NS, 'Relationship', { Id: id, Type: type, Target: relativeTarget(source, target) });
    this.setDom(relsPath, doc);
    return id;
  }

  removeRelationship(source: string, id: string): void {
    const relsPath = relsPathOf(source);
    if (!this.has(relsPath)) return;
    const doc = this.dom(relsPath);
    const found = descendants(doc, PKG_REL_NS, 'Relationship').find((el) => el.getAttribute('Id') === id);
    if (!found) return;
    found.parentNode!.removeChild(found);
    this.setDom(relsPath, doc);
  }

  // --- Content types -------------------------------------------------------------------------------------------

  private contentTypes(): { doc: Document; root: Element } {
    const doc = this.dom(CONTENT_TYPES_PART);
    return { doc, root: doc.documentElement! };
  }

  /** Declares the content type of a part by an Override, unless one exists. */
  setOverride(part: string, contentType: string): void {
    const { doc, root } = this.contentTypes();
    const partName = `/${part}`;
    const existing = children(root, NS.contentTypes, 'Override').find(
      (el) => normalise(el.getAttribute('PartName') ?? '') === normalise(partName),
    );
    if (existing) {
      if (existing.getAttribute('ContentType') === contentType) return;
      existing.setAttribute('ContentType', contentType);
    } else {
      element(root, NS.contentTypes, 'Override', { PartName: partName, ContentType: contentType });
    }
    this.setDom(CONTENT_TYPES_PART, doc);
  }

  removeOverride(part: string): void {
    const { doc, root } = this.contentTypes();
    const existing = children(root, NS.contentTypes, 'Override').find(
      (el) => normalise(el.getAttribute('PartName') ?? '') === normalise(`/${part}`),
    );
    if (!existing) return;
    root.removeChild(existing);
    this.setDom(CONTENT_TYPES_PART, doc);
  }

  /** Declares the content type of every part with an extension by a Default, unless one exists. */
  setDefault(extension: string, contentType: string): void {
    const { doc, root } = this.contentTypes();
    const has = children(root, NS.contentTypes, 'Default').some(
      (el) => (el.getAttribute('Extension') ?? '').toLowerCase() === extension.toLowerCase(),
    );
    if (has) return;
    const el = element(root, NS.contentTypes, 'Default', { Extension: extension, ContentType: contentType });
    // Defaults come before Overrides by convention (the schema allows any order).
    root.insertBefore(el, children(root, NS.contentTypes, 'Override')[0] ?? null);
    this.setDom(CONTENT_TYPES_PART, doc);
  }

  // --- Workbook ------------------------------------------------------------------------------------------------

  sheets(): SheetRef[] {
    const rels = this.relationships(relsPathOf(this.workbookPart));
    return workbookSheets(this.dom(this.workbookPart)).flatMap((entry) => {
      const rel = entry.rid ? rels.find((r) => r.id === entry.rid) : undefined;
      if (!entry.rid || !rel?.target) return [];
      return [
        {
          name: entry.name,
          sheetId: entry.sheetId,
          state: entry.state,
          rid: entry.rid,
          part: rel.target,
          index: entry.index,
        },
      ];
    });
  }

  sheet(name: string): SheetRef {
    const found = this.sheets().find((s) => s.name === name);
    if (!found) {
      throw new CafError('xlsx-no-sheet', {
        ro: `Registrul nu are foaia „${name}”.`,
        en: `The workbook has no sheet "${name}".`,
      });
    }
    return found;
  }

  /** The workbook's styles part, or null when it has none. */
  stylesPart(): string | null {
    return this.related(this.workbookPart, REL_TYPES.styles)[0]?.target ?? null;
  }

  sharedStringsPart(): string | null {
    const target = this.related(this.workbookPart, REL_TYPES.sharedStrings)[0]?.target ?? null;
    return target && this.has(target) ? target : null;
  }

  /**
   * Adds a worksheet part holding `worksheetXml` as the last sheet and returns its reference: workbook.xml,
   * its relationships, [Content_Types].xml and the sheet titles of docProps/app.xml are updated together.
   * The new `<sheet>`'s `r:id` takes the prefix bound to the relationships namespace where it goes, declared on
   * the element when none is (openpyxl binds `r` on each `<sheet>`, not on `<workbook>`).
   */
  addSheet(name: string, state: SheetRef['state'], worksheetXml: string): SheetRef {
    const dir = path.posix.dirname(this.workbookPart);
    const part = this.freeName((n) => `${dir === '.' ? '' : dir + '/'}worksheets/sheet${n}.xml`);
    this.setText(part, worksheetXml);
    this.setOverride(part, CONTENT_TYPES.worksheet);
    const rid = this.addRelationship(this.workbookPart, REL_TYPES.worksheet, part);
    const existing = this.sheets();
    const doc = this.dom(this.workbookPart);
    const sheetId = workbookSheets(doc).reduce((max, s) => Math.max(max, s.sheetId), 0) + 1;
    let sheets = sheetsElement(doc);
    if (!sheets) {
      sheets = element(doc.documentElement!, NS.main, 'sheets');
      insertInOrder(doc.documentElement!, NS.main, WORKBOOK_ORDER, sheets);
    }
    const attrs: Record<string, string | number> = { name, sheetId };
    if (state !== 'visible') attrs.state = state;
    const el = element(sheets, NS.main, 'sheet', attrs);
    setAttributeNS(el, NS.rel, 'id', rid);
    this.setDom(this.workbookPart, doc);
    this.addAppTitle(name, existing.length);
    return { name, sheetId, state, rid, part, index: workbookSheets(doc).length - 1 };
  }

  /** Sets a sheet's visibility in workbook.xml. */
  setSheetState(name: string, state: SheetRef['state']): void {
    const doc = this.dom(this.workbookPart);
    const sheets = sheetsElement(doc);
    const el = sheets ? children(sheets, NS.main, 'sheet').find((s) => s.getAttribute('name') === name) : undefined;
    if (!el) return;
    if ((el.getAttribute('state') || 'visible') === state) return;
    if (state === 'visible') el.removeAttribute('state');
    else el.setAttribute('state', state);
    this.setDom(this.workbookPart, doc);
  }

  /**
   * docProps/app.xml lists the sheet names (TitlesOfParts) with their count (HeadingPairs "Worksheets"); Excel
   * does not need it to be right, but document indexers and the file's properties dialog show it.
   */
  private addAppTitle(name: string, worksheetsBefore: number): void {
    const appPart = this.related('', REL_TYPES.extendedProperties)[0]?.target ?? null;
    if (!appPart || !this.has(appPart)) return;
    let doc: Document;
    try {
      doc = this.dom(appPart);
    } catch {
      return; // Informational only: a damaged app.xml is left as it is.
    }
    const root = doc.documentElement!;
    const pairs = child(root, NS.extProps, 'HeadingPairs');
    const titles = child(root, NS.extProps, 'TitlesOfParts');
    const pairVector = pairs ? child(pairs, NS.docPropsVTypes, 'vector') : null;
    const titleVector = titles ? child(titles, NS.docPropsVTypes, 'vector') : null;
    if (!pairVector || !titleVector) return;
    // The position of the sheet names among all titles: the counts of the groups listed before "Worksheets".
    const variants = children(pairVector, NS.docPropsVTypes, 'variant');
    let offset = 0;
    let found = false;
    for (let i = 0; i + 1 < variants.length; i += 2) {
      const label = child(variants[i]!, NS.docPropsVTypes, 'lpstr')?.textContent ?? '';
      const countEl = child(variants[i + 1]!, NS.docPropsVTypes, 'i4');
      const count = Number(countEl?.textContent ?? 0);
      if (/^(Worksheets|Foi de lucru)$/i.test(label) && countEl) {
        countEl.textContent = String(count + 1);
        offset += Math.min(count, worksheetsBefore);
        found = true;
        break;
      }
      offset += count;
    }
    if (!found) return;
    const items = children(titleVector, NS.docPropsVTypes, 'lpstr');
    const item = element(titleVector, NS.docPropsVTypes, 'lpstr', {}, name);
    titleVector.insertBefore(item, items[offset] ?? null);
    titleVector.setAttribute('size', String(items.length + 1));
    this.setDom(appPart, doc);
  }

  /**
   * Drops the calculation chain: Excel rebuilds it, and a chain that names a cell whose formula we replaced
   * makes Excel offer to repair the file.
   */
  dropCalcChain(): void {
    for (const rel of this.related(this.workbookPart, REL_TYPES.calcChain)) {
      if (rel.target) {
        this.remove(rel.target);
        this.removeOverride(rel.target);
      }
      this.removeRelationship(this.workbookPart, rel.id);
    }
    // A chain nothing points to is still read by Excel from its usual place.
    const usual = `${path.posix.dirname(this.workbookPart)}/calcChain.xml`;
    if (this.has(usual)) {
      this.remove(usual);
      this.removeOverride(usual);
    }
  }

  /**
   * The package as a zip: parts we did not change are copied as stored (same compressed bytes, CRC and time),
   * changed and new parts are deflated. Entries keep their order. No ZIP64: the limits keep parts far below 4 GB.
   */
  async save(): Promise<Uint8Array> {
    const locals: Buffer[] = [];
    const centrals: Buffer[] = [];
    let offset = 0;
    for (const entry of this.entries) {
      let raw = entry.raw;
      if (!raw) {
        const data = entry.data!;
        const { time, date } = dosDateTime(entry.mtime);
        raw = {
          bytes: entry.compress ? deflateRawSync(data) : data,
          method: entry.compress ? 8 : 0,
          crc: crc32(data),
          size: data.length,
          dosTime: time,
          dosDate: date,
        };
      }
      const name = Buffer.from(entry.name, 'utf8');
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x0800, 6); // names are UTF-8
      local.writeUInt16LE(raw.method, 8);
      local.writeUInt16LE(raw.dosTime, 10);
      local.writeUInt16LE(raw.dosDate, 12);
      local.writeUInt32LE(raw.crc >>> 0, 14);
      local.writeUInt32LE(raw.bytes.length, 18);
      local.writeUInt32LE(raw.size, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(0, 28);
      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0);
      central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
      local.copy(central, 6, 4, 30); // version needed .. name length, extra length: as in the local header
      central.writeUInt16LE(0, 30); // comment length
      central.writeUInt16LE(0, 32); // disk
      central.writeUInt16LE(0, 34); // internal attributes
      central.writeUInt32LE((0o100644 << 16) >>> 0, 36);
      central.writeUInt32LE(offset, 42);
      locals.push(local, name, raw.bytes);
      centrals.push(central, name);
      offset += local.length + name.length + raw.bytes.length;
    }
    const directory = Buffer.concat(centrals);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    const out = Buffer.concat([...locals, directory, end]);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
}

/** MS-DOS date and time fields (local time, 2-second steps), as zip tools write them. */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(2107, Math.max(1980, d.getFullYear()));
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}
