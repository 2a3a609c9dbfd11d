// Surgical edits of one worksheet part: only the rows we write to are rebuilt, only the elements we add or
// replace change; every other byte of the team's sheet (conditional formats, validations, merges, drawings,
// extensions we do not know) is kept as it was. Elements we add go where the schema orders them (CT_Worksheet),
// or Excel declares the file corrupt.
import { cellAddress, columnLetters } from '../../plan/address';
import { WORKBOOK_ORDER, escapeXml, type SheetRef, type XlsxPackage } from './package';
import { elementEnd, insertInOrder, splitChildren, topLevel, type StyleChange, type StylesPatch } from './styles-patch';
import { SharedStrings } from './sheet';
import { attr, decodeText, elements, parseCellRef, rootPrefix, startTags } from './xml';
import type { Element } from '@xmldom/xmldom';
import { NS, child, parseXml, prefixInScope, qualified } from './dom';
import { removeNotes, writeNotes, type LegacyDrawingHost, type NoteOptions } from './notes';

export type { NoteOptions } from './notes';

export const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';

/** CT_Worksheet children in schema order. */
const WORKSHEET_ORDER = [
  'sheetPr',
  'dimension',
  'sheetViews',
  'sheetFormatPr',
  'cols',
  'sheetData',
  'sheetCalcPr',
  'sheetProtection',
  'protectedRanges',
  'scenarios',
  'autoFilter',
  'sortState',
  'dataConsolidate',
  'customSheetViews',
  'mergeCells',
  'phoneticPr',
  'conditionalFormatting',
  'dataValidations',
  'hyperlinks',
  'printOptions',
  'pageMargins',
  'pageSetup',
  'headerFooter',
  'rowBreaks',
  'colBreaks',
  'customProperties',
  'cellWatches',
  'ignoredErrors',
  'smartTags',
  'drawing',
  'legacyDrawing',
  'legacyDrawingHF',
  'drawingHF',
  'picture',
  'oleObjects',
  'controls',
  'webPublishItems',
  'tableParts',
  'extLst',
] as const;
type WorksheetChild = (typeof WORKSHEET_ORDER)[number];

/** Number format of the date cells we write. */
export const DATE_FORMAT = 'dd.mm.yyyy';

export type CellWrite =
  | { kind: 'string'; text: string }
  | { kind: 'number'; value: number }
  /** An Excel date serial, shown with DATE_FORMAT (the cell's style gains that number format). */
  | { kind: 'date'; serial: number }
  /** Empties the cell; its format stays. */
  | { kind: 'clear' };

export interface CellInfo {
  col: number;
  style: number;
  hasValue: boolean;
  hasFormula: boolean;
  /** The cell's `t` attribute ('' when absent: a number). */
  type: string;
  /** The text of an inline string or the raw `<v>` (a shared string index, a number). */
  raw: string;
}

interface CellEdit {
  value?: CellWrite;
  style?: number;
}

interface RowSpan {
  r: number;
  start: number;
  end: number;
  /** End of the start tag. */
  tagEnd: number;
  selfClosing: boolean;
}

interface ColumnSpec {
  min: number;
  max: number;
  /** The `<col>` tag's attributes other than min and max, as written. */
  attrs: string;
}

export interface ProtectionOptions {
  /** Operations users may still do on the protected sheet. */
  allow?: ('autoFilter' | 'sort' | 'formatColumns' | 'formatRows' | 'formatCells')[];
}

// Control characters are exactly what this pattern is for.
const INVALID_XML_CHARS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as cell content: `_xHHHH_` sequences the user typed are escaped (OOXML would read them as characters),
 * characters XML cannot carry and carriage returns are written as `_xHHHH_`, as Excel does.
 */
export function encodeCellText(text: string): string {
  return escapeXml(ooxmlText(text));
}

/** Text with `_xHHHH_` escapes for what XML cannot carry (see encodeCellText), not yet XML-escaped: for a DOM text node. */
export function ooxmlText(text: string): string {
  return text
    .replace(/_x([0-9A-Fa-f]{4})_/g, '_x005F_x$1_')
    .replace(INVALID_XML_CHARS, (c) =>
      c.length === 1 && c.charCodeAt(0) < 0xd800
        ? `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`
        : '\uFFFD',
    )
    .replace(/\r/g, '_x000D_');
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`xlsx: not a finite number: ${value}`);
  return String(value);
}

/** Sets (in place, or after the element name) or removes (null) an attribute of a start tag. */
const attrPatterns = new Map<string, RegExp>();

function setAttr(tag: string, name: string, value: string | null): string {
  let re = attrPatterns.get(name);
  if (!re) attrPatterns.set(name, (re = new RegExp(`(\\s${name}\\s*=\\s*)("[^"]*"|'[^']*')`)));
  if (value === null) return tag.replace(re, '');
  if (re.test(tag)) return tag.replace(re, (_m, lead: string) => `${lead}"${escapeXml(value)}"`);
  // Appended, so a cell keeps `r` first as Excel writes it.
  return tag.replace(
    /\s*(\/?>)?$/,
    (end: string, close: string | undefined) => ` ${name}="${escapeXml(value)}"${close ?? end.trim()}`,
  );
}

/** `A1:C3` / `A1` -> 0-based box. */
function parseRef(ref: string): { top: number; left: number; bottom: number; right: number } | null {
  const [a, b] = ref.split(':');
  const start = a ? parseCellRef(a.replace(/\$/g, '')) : null;
  const end = b ? parseCellRef(b.replace(/\$/g, '')) : start;
  if (!start || !end) return null;
  return { top: start.row, left: start.col, bottom: end.row, right: end.col };
}

export class SheetPatch {
  readonly p: string;
  /** The worksheet with `<sheetData/>` in place of its rows: small, so element edits can rescan it freely. */
  private frame: string;
  private readonly rowsXml: string;
  private rowIndex: Map<number, RowSpan> | null = null;
  /** Parsed cells per row: the rows text never changes (edits are kept aside), so each row is parsed once. */
  private readonly cellCache = new Map<number, (CellInfo & { xml: string })[]>();
  private columnCache: { frame: string; specs: ColumnSpec[] } | null = null;
  private readonly edits = new Map<number, Map<number, CellEdit>>();
  private readonly rowHidden = new Map<number, boolean>();
  private readonly notes = new Map<string, { row: number; col: number; text: string; options: NoteOptions }>();
  private formulaReplaced = false;
  private sst: string[] | null = null;
  private readonly dateStyles = new Map<number, number>();

  private constructor(
    private readonly pkg: XlsxPackage,
    readonly styles: StylesPatch,
    readonly sheet: SheetRef,
  ) {
    const xml = pkg.text(sheet.part);
    this.p = rootPrefix(xml)?.prefix ?? '';
    const data = topLevel(xml, this.p, 'worksheet').find((c) => c.local === 'sheetData');
    if (data) {
      this.rowsXml = xml.slice(data.start, data.end);
      this.frame = xml.slice(0, data.start) + `<${this.p}sheetData/>` + xml.slice(data.end);
    } else {
      this.rowsXml = `<${this.p}sheetData/>`;
      this.frame = insertInOrder(xml, this.p, 'worksheet', WORKSHEET_ORDER, 'sheetData', this.rowsXml);
    }
  }

  static open(pkg: XlsxPackage, styles: StylesPatch, sheet: SheetRef): SheetPatch {
    return new SheetPatch(pkg, styles, sheet);
  }

  // --- Reading ------------------------------------------------------------------------------------------------

  private rows(): Map<number, RowSpan> {
    if (this.rowIndex) return this.rowIndex;
    const index = new Map<number, RowSpan>();
    let r = -1;
    for (const { start, tagEnd, end, tag, selfClosing } of elements(this.rowsXml, `${this.p}row`)) {
      const rAttr = attr(tag, 'r');
      r = rAttr !== null && /^\d+$/.test(rAttr) ? Number(rAttr) - 1 : r + 1;
      index.set(r, { r, start, tagEnd, end, selfClosing });
    }
    this.rowIndex = index;
    return index;
  }

  /** Row numbers (0-based) present in the sheet data. */
  rowNumbers(): number[] {
    return [...this.rows().keys()];
  }

  private rowTag(r: number): string | null {
    const span = this.rows().get(r);
    return span ? this.rowsXml.slice(span.start, span.tagEnd) : null;
  }

  /** The cells of a row as they are in the file (before our edits), each with its span in the row's text. */
  private parseCells(r: number): (CellInfo & { xml: string })[] {
    let cells = this.cellCache.get(r);
    if (!cells) this.cellCache.set(r, (cells = this.scanCells(r)));
    return cells;
  }

  private scanCells(r: number): (CellInfo & { xml: string })[] {
    const span = this.rows().get(r);
    if (!span || span.selfClosing) return [];
    const xml = this.rowsXml.slice(span.tagEnd, span.end);
    const cells: (CellInfo & { xml: string })[] = [];
    let col = -1;
    for (const { start: at, tagEnd, end, tag, selfClosing } of elements(xml, `${this.p}c`)) {
      const ref = attr(tag, 'r');
      const parsed = ref ? parseCellRef(ref) : null;
      col = parsed ? parsed.col : col + 1;
      const inner = selfClosing ? '' : xml.slice(tagEnd, end - `</${this.p}c>`.length);
      const type = attr(tag, 't') ?? '';
      const v = /<(?:\w+:)?v>([\s\S]*?)<\/(?:\w+:)?v>/.exec(inner)?.[1] ?? '';
      const t =
        type === 'inlineStr'
          ? [...inner.matchAll(/<(?:\w+:)?t(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?t>/g)].map((m) => m[1]).join('')
          : '';
      cells.push({
        col,
        style: Number(attr(tag, 's') ?? 0),
        hasValue: type === 'inlineStr' ? t !== '' : v !== '',
        hasFormula: new RegExp(`<${this.p}f[\\s/>]`).test(inner),
        type,
        raw: type === 'inlineStr' ? t : v,
        xml: xml.slice(at, end),
      });
    }
    return cells;
  }

  private sharedStrings(): string[] {
    if (this.sst) return this.sst;
    const part = this.pkg.sharedStringsPart();
    const strings = new SharedStrings(Number.MAX_SAFE_INTEGER);
    if (part) {
      const xml = this.pkg.text(part);
      strings.scan(xml, rootPrefix(xml)?.prefix ?? '');
    }
    this.sst = strings.values;
    return this.sst;
  }

  /** A cell's value as text, as the file holds it (before our edits); '' when empty. */
  text(r: number, c: number): string {
    const cell = this.parseCells(r).find((x) => x.col === c);
    if (!cell || !cell.hasValue) return '';
    switch (cell.type) {
      case 's':
        return this.sharedStrings()[Number(cell.raw)] ?? '';
      case 'inlineStr':
      case 'str':
        return decodeText(cell.raw);
      case 'b':
        return cell.raw === '1' ? 'TRUE' : 'FALSE';
      default:
        return cell.raw;
    }
  }

  /** Whether the cell holds a value in the file (before our edits). */
  hasValue(r: number, c: number): boolean {
    return this.parseCells(r).find((x) => x.col === c)?.hasValue ?? false;
  }

  /** Whether the file already holds `value` in the cell as we would write it (same kind, same value, no formula). */
  holds(r: number, c: number, value: CellWrite): boolean {
    const cell = this.parseCells(r).find((x) => x.col === c);
    if (!cell || !cell.hasValue) return value.kind === 'clear';
    if (cell.hasFormula) return false;
    switch (value.kind) {
      case 'clear':
        return false;
      case 'string':
        return (
          (cell.type === 's' || cell.type === 'inlineStr' || cell.type === 'str') && this.text(r, c) === value.text
        );
      case 'number':
      case 'date':
        return (
          (cell.type === '' || cell.type === 'n') &&
          Number(cell.raw) === (value.kind === 'date' ? value.serial : value.value)
        );
    }
  }

  cellsOfRow(r: number): CellInfo[] {
    return this.parseCells(r).map(({ xml: _xml, ...info }) => info);
  }

  private columns(): ColumnSpec[] {
    // Read per style lookup of an empty cell: parsed again only when the worksheet's elements changed.
    if (this.columnCache?.frame === this.frame) return this.columnCache.specs;
    const specs = this.parseColumns();
    this.columnCache = { frame: this.frame, specs };
    return specs;
  }

  private parseColumns(): ColumnSpec[] {
    const cols = topLevel(this.frame, this.p, 'worksheet').find((c) => c.local === 'cols');
    if (!cols) return [];
    return startTags(this.frame.slice(cols.start, cols.end), `${this.p}col`).map(({ tag }) => ({
      min: Number(attr(tag, 'min')),
      max: Number(attr(tag, 'max')),
      attrs: tag
        .replace(/^<\S+/, '')
        .replace(/\/?>$/, '')
        .replace(/\s(min|max)\s*=\s*("[^"]*"|'[^']*')/g, '')
        .trim(),
    }));
  }

  /** The format a cell shows with: its own, else its row's (customFormat), else its column's, else 0. */
  styleAt(r: number, c: number): number {
    const pending = this.edits.get(r)?.get(c)?.style;
    if (pending !== undefined) return pending;
    const cell = this.parseCells(r).find((x) => x.col === c);
    if (cell) return cell.style;
    const tag = this.rowTag(r);
    if (tag && attr(tag, 'customFormat') === '1' && attr(tag, 's') !== null) return Number(attr(tag, 's'));
    const col = this.columns().find((x) => x.min <= c + 1 && c + 1 <= x.max);
    const style = col ? /\bstyle\s*=\s*"(\d+)"/.exec(col.attrs)?.[1] : undefined;
    return style ? Number(style) : 0;
  }

  // --- Cell edits ---------------------------------------------------------------------------------------------

  private edit(r: number, c: number): CellEdit {
    let row = this.edits.get(r);
    if (!row) this.edits.set(r, (row = new Map()));
    let cell = row.get(c);
    if (!cell) row.set(c, (cell = {}));
    return cell;
  }

  /** Writes a value; the cell keeps its format unless `style` is given (a date gains the date format). */
  setCell(r: number, c: number, value: CellWrite, style?: number): void {
    const edit = this.edit(r, c);
    edit.value = value;
    if (style !== undefined) edit.style = style;
    else if (value.kind === 'date') edit.style = this.dateStyle(this.styleAt(r, c));
  }

  setString(r: number, c: number, text: string, style?: number): void {
    this.setCell(r, c, text === '' ? { kind: 'clear' } : { kind: 'string', text }, style);
  }

  /** Sets a cell's format, creating an empty cell when there is none; its value stays. */
  setStyle(r: number, c: number, style: number): void {
    this.edit(r, c).style = style;
  }

  /** Gives the cell the format it has plus `change`. */
  deriveStyle(r: number, c: number, change: StyleChange): void {
    this.setStyle(r, c, this.styles.derive(this.styleAt(r, c), change));
  }

  private dateStyle(base: number): number {
    let style = this.dateStyles.get(base);
    if (style === undefined) this.dateStyles.set(base, (style = this.styles.derive(base, { numFmt: DATE_FORMAT })));
    return style;
  }

  setRowHidden(r: number, hidden: boolean): void {
    this.rowHidden.set(r, hidden);
  }

  // --- Columns ------------------------------------------------------------------------------------------------

  /** Sets the width and/or visibility of one column (0-based), splitting a `<col>` range that covers others too. */
  setColumn(c: number, options: { width?: number; hidden?: boolean }): void {
    const n = c + 1;
    const specs = this.columns();
    const out: ColumnSpec[] = [];
    let found: ColumnSpec | null = null;
    for (const spec of specs) {
      if (spec.min <= n && n <= spec.max) {
        if (spec.min < n) out.push({ ...spec, max: n - 1 });
        found = { min: n, max: n, attrs: spec.attrs };
        out.push(found);
        if (n < spec.max) out.push({ ...spec, min: n + 1 });
      } else {
        out.push(spec);
      }
    }
    if (!found) {
      found = { min: n, max: n, attrs: '' };
      out.push(found);
      out.sort((a, b) => a.min - b.min);
    }
    let tag = `<x ${found.attrs}/>`;
    if (options.width !== undefined) {
      tag = setAttr(setAttr(tag, 'width', String(options.width)), 'customWidth', '1');
    } else if (attr(tag, 'width') === null) {
      // A <col> needs a width to be valid for Excel; keep the sheet's default look.
      tag = setAttr(tag, 'width', '9.140625');
    }
    if (options.hidden !== undefined) tag = setAttr(tag, 'hidden', options.hidden ? '1' : null);
    found.attrs = tag.slice(2, -2).trim();
    const p = this.p;
    const xml = `<${p}cols>${out.map((s) => `<${p}col min="${s.min}" max="${s.max}"${s.attrs ? ' ' + s.attrs : ''}/>`).join('')}</${p}cols>`;
    this.setElement('cols', xml);
  }

  // --- Worksheet elements -------------------------------------------------------------------------------------

  private element(local: WorksheetChild): { start: number; end: number } | undefined {
    return topLevel(this.frame, this.p, 'worksheet').find((c) => c.local === local);
  }

  /** The text of a top-level element, or null. */
  elementXml(local: WorksheetChild): string | null {
    const found = this.element(local);
    return found ? this.frame.slice(found.start, found.end) : null;
  }

  /** Replaces the element (or adds it in schema order); null removes it. */
  setElement(local: WorksheetChild, xml: string | null): void {
    const found = this.element(local);
    if (found) {
      this.frame = this.frame.slice(0, found.start) + (xml ?? '') + this.frame.slice(found.end);
    } else if (xml !== null) {
      this.frame = insertInOrder(this.frame, this.p, 'worksheet', WORKSHEET_ORDER, local, xml);
    }
  }

  /** Sheet protection without a password: the sheet is protected, anyone can lift it (SPEC 5). */
  protect(options: ProtectionOptions = {}): void {
    const allowed = new Set(options.allow ?? []);
    // In CT_SheetProtection an attribute set to 0 means the operation is NOT protected, i.e. allowed.
    const flag = (name: string): string => (allowed.has(name as never) ? ` ${name}="0"` : '');
    this.setElement(
      'sheetProtection',
      `<${this.p}sheetProtection sheet="1" objects="1" scenarios="1"${flag('formatCells')}${flag('formatColumns')}${flag('formatRows')}${flag('sort')}${flag('autoFilter')}/>`,
    );
  }

  /**
   * An AutoFilter over `ref` (A1 range); `contains` filters a column (0-based, absolute) to the cells matching a
   * wildcard pattern as Excel writes "contains" (`*;DMRU;*`). Rows are not hidden here: see setRowHidden.
   */
  setAutoFilter(ref: string, filters: { col: number; pattern: string }[] = []): void {
    const box = parseRef(ref);
    if (!box) throw new RangeError(`xlsx: bad range ${ref}`);
    const p = this.p;
    const columns = filters
      .map(
        (f) =>
          `<${p}filterColumn colId="${f.col - box.left}"><${p}customFilters><${p}customFilter val="${escapeXml(f.pattern)}"/></${p}customFilters></${p}filterColumn>`,
      )
      .join('');
    this.setElement(
      'autoFilter',
      columns ? `<${p}autoFilter ref="${ref}">${columns}</${p}autoFilter>` : `<${p}autoFilter ref="${ref}"/>`,
    );
    this.setFilterDatabaseName(box);
  }

  /** Excel keeps the filtered range as the hidden name _xlnm._FilterDatabase of the sheet; it writes one always. */
  private setFilterDatabaseName(box: { top: number; left: number; bottom: number; right: number }): void {
    const part = this.pkg.workbookPart;
    let xml = this.pkg.text(part);
    const wp = rootPrefix(xml)?.prefix ?? '';
    const quoted = `'${this.sheet.name.replace(/'/g, "''")}'`;
    const ref = `${quoted}!$${columnLetters(box.left)}$${box.top + 1}:$${columnLetters(box.right)}$${box.bottom + 1}`;
    const element = `<${wp}definedName name="_xlnm._FilterDatabase" localSheetId="${this.sheet.index}" hidden="1">${escapeXml(ref)}</${wp}definedName>`;
    const existing = startTags(xml, `${wp}definedName`).find(
      (t) =>
        attr(t.tag, 'name') === '_xlnm._FilterDatabase' && attr(t.tag, 'localSheetId') === String(this.sheet.index),
    );
    if (existing) {
      const end = elementEnd(xml, existing.start);
      xml = xml.slice(0, existing.start) + element + xml.slice(end);
    } else if (startTags(xml, `${wp}definedNames`)[0]) {
      xml = xml.replace(new RegExp(`(<${wp}definedNames[^>]*?)(/>|>)`), (_m, open: string, end: string) =>
        end === '/>' ? `${open}>${element}</${wp}definedNames>` : `${open}>${element}`,
      );
    } else {
      xml = insertInOrder(
        xml,
        wp,
        'workbook',
        WORKBOOK_ORDER,
        'definedNames',
        `<${wp}definedNames>${element}</${wp}definedNames>`,
      );
    }
    this.pkg.setText(part, xml);
  }

  /**
   * A list validation (a drop-down) on `sqref` (space-separated ranges). Existing validations for which
   * `replace` returns true are dropped first (ours from an earlier run); the team's stay.
   */
  addListValidation(
    sqref: string,
    items: readonly string[],
    options: { error?: { title: string; text: string }; replace?: (dataValidationXml: string) => boolean } = {},
  ): void {
    const p = this.p;
    const list = `"${items.join(',')}"`;
    if (list.length > 257) throw new RangeError('xlsx: a list validation holds at most 255 characters');
    const error = options.error
      ? ` errorTitle="${escapeXml(options.error.title)}" error="${escapeXml(options.error.text)}"`
      : '';
    const dv = `<${p}dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1"${error} sqref="${sqref}"><${p}formula1>${escapeXml(list)}</${p}formula1></${p}dataValidation>`;
    const current = this.elementXml('dataValidations');
    let items_: string[] = [];
    let open = `<${p}dataValidations>`;
    if (current) {
      const gt = current.indexOf('>');
      const selfClosing = current.endsWith('/>') && gt === current.length - 1;
      open = selfClosing ? current.slice(0, -2).trimEnd() + '>' : current.slice(0, gt + 1);
      items_ = selfClosing ? [] : splitChildren(current.slice(gt + 1, current.lastIndexOf('<')));
      if (options.replace) items_ = items_.filter((x) => !options.replace!(x));
    }
    items_.push(dv);
    open = setAttr(open, 'count', String(items_.length));
    this.setElement('dataValidations', `${open}${items_.join('')}</${p}dataValidations>`);
  }

  /** Decoded `formula1` text of a dataValidation element (for telling ours from the team's). */
  static validationFormula(dataValidationXml: string): string {
    return (
      /<(?:\w+:)?formula1>([\s\S]*?)<\/(?:\w+:)?formula1>/
        .exec(dataValidationXml)?.[1]
        ?.replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&') ?? ''
    );
  }

  /**
   * A conditional format with a formula rule (relative to the top-left cell of `sqref`), filled by `dxfId`
   * (StylesPatch.addDxf). It is added after the sheet's own, with a lower priority than each of them.
   */
  addConditionalFormat(sqref: string, formula: string, dxfId: number, stopIfTrue = false): void {
    const p = this.p;
    const priorities = [...this.frame.matchAll(/<(?:\w+:)?cfRule\b[^>]*\spriority="(\d+)"/g)].map((m) => Number(m[1]));
    const priority = priorities.reduce((a, b) => Math.max(a, b), 0) + 1;
    const element =
      `<${p}conditionalFormatting sqref="${sqref}"><${p}cfRule type="expression" dxfId="${dxfId}" priority="${priority}"${stopIfTrue ? ' stopIfTrue="1"' : ''}>` +
      `<${p}formula>${escapeXml(formula)}</${p}formula></${p}cfRule></${p}conditionalFormatting>`;
    const existing = topLevel(this.frame, p, 'worksheet').filter((c) => c.local === 'conditionalFormatting');
    const last = existing.at(-1);
    if (last) this.frame = this.frame.slice(0, last.end) + element + this.frame.slice(last.end);
    else this.frame = insertInOrder(this.frame, p, 'worksheet', WORKSHEET_ORDER, 'conditionalFormatting', element);
  }

  /**
   * Removes the conditional-format rules whose formula `match`es (ours from an earlier run), and any
   * `<conditionalFormatting>` left without a rule; the team's rules stay as they were written.
   */
  removeConditionalFormats(match: (formula: string) => boolean): void {
    const p = this.p;
    const blocks = topLevel(this.frame, p, 'worksheet').filter((c) => c.local === 'conditionalFormatting');
    for (const block of blocks.reverse()) {
      const xml = this.frame.slice(block.start, block.end);
      const gt = xml.indexOf('>');
      if (xml.charCodeAt(gt - 1) === 47) continue;
      const rules = splitChildren(xml.slice(gt + 1, xml.lastIndexOf('<')));
      const kept = rules.filter((rule) => {
        const formula = /<(?:\w+:)?formula>([\s\S]*?)<\/(?:\w+:)?formula>/.exec(rule)?.[1];
        return formula === undefined || !match(decodeText(formula));
      });
      if (kept.length === rules.length) continue;
      const replacement =
        kept.length === 0 ? '' : `${xml.slice(0, gt + 1)}${kept.join('')}</${p}conditionalFormatting>`;
      this.frame = this.frame.slice(0, block.start) + replacement + this.frame.slice(block.end);
    }
  }

  // --- Notes --------------------------------------------------------------------------------------------------

  /** A note (a legacy comment, what Excel and LibreOffice both show) on a cell; a note already there is extended. */
  addNote(r: number, c: number, text: string, options: NoteOptions = {}): void {
    const ref = cellAddress(r, c);
    const pending = this.notes.get(ref);
    if (pending) pending.text += `\n\n${text}`;
    else this.notes.set(ref, { row: r, col: c, text, options });
  }

  /**
   * Removes notes an earlier run of ours wrote: a whole note by `author` whose text `ours` recognises (and its
   * VML shape), and, in someone else's note, the runs we appended after a blank line. Other notes stay as written.
   */
  removeNotes(author: string, ours: (text: string) => boolean): void {
    removeNotes(this.pkg, this.legacyHost(), author, ours);
  }

  /** The sheet as notes.ts sees it: its part and its `<legacyDrawing>`, read and set by namespace. */
  private legacyHost(): LegacyDrawingHost {
    return {
      part: this.sheet.part,
      legacyDrawingId: () => {
        const xml = this.elementXml('legacyDrawing');
        if (xml === null) return null;
        // Parsed in the scope of the worksheet's root, so the r: prefix means what the declarations there say.
        const root = this.rootDom();
        const el = child(root, root.namespaceURI ?? NS.main, 'legacyDrawing');
        return el?.getAttributeNS(NS.rel, 'id') || null;
      },
      setLegacyDrawing: (rid: string) => {
        this.setElement('legacyDrawing', `<${this.p}legacyDrawing ${this.relAttribute('id', rid)}/>`);
      },
    };
  }

  /** The worksheet frame (without its rows) as a DOM, for reading by namespace. */
  private rootDom(): Element {
    return parseXml(this.frame, this.sheet.part).documentElement!;
  }

  /**
   * An attribute of the relationships namespace (`r:id="rId3"`) for an element written at the top level of the
   * worksheet: with the prefix the root binds to that namespace, else with one declared on the element itself.
   */
  private relAttribute(local: string, value: string): string {
    const root = this.rootDom();
    const bound = prefixInScope(root, NS.rel);
    if (bound) return `${bound}:${local}="${escapeXml(value)}"`;
    const name = qualified(root, NS.rel, local, true);
    const prefix = name.slice(0, name.indexOf(':'));
    return `xmlns:${prefix}="${NS.rel}" ${name}="${escapeXml(value)}"`;
  }

  private writeNotes(): void {
    if (this.notes.size === 0) return;
    const notes = [...this.notes].map(([ref, note]) => ({ ref, ...note }));
    writeNotes(this.pkg, this.legacyHost(), notes, ooxmlText);
  }

  // --- Writing ------------------------------------------------------------------------------------------------

  private cellXml(r: number, c: number, edit: CellEdit, existing: (CellInfo & { xml: string }) | undefined): string {
    const p = this.p;
    const ref = cellAddress(r, c);
    if (!edit.value) {
      // Format only: the cell keeps its value, formula and other attributes.
      const style = edit.style ?? existing?.style ?? 0;
      if (!existing) return `<${p}c r="${ref}"${style ? ` s="${style}"` : ''}/>`;
      const gt = existing.xml.indexOf('>');
      const selfClosing = existing.xml.charCodeAt(gt - 1) === 47;
      let tag = existing.xml.slice(0, selfClosing ? gt - 1 : gt).trimEnd();
      tag = setAttr(setAttr(tag, 's', style ? String(style) : null), 'r', ref);
      return tag + existing.xml.slice(selfClosing ? gt - 1 : gt).replace(/^\s*/, '');
    }
    if (existing?.hasFormula) this.formulaReplaced = true;
    const style = edit.style ?? existing?.style ?? this.styleAt(r, c);
    const s = style ? ` s="${style}"` : '';
    const value = edit.value;
    switch (value.kind) {
      case 'clear':
        return `<${p}c r="${ref}"${s}/>`;
      case 'number':
        return `<${p}c r="${ref}"${s}><${p}v>${formatNumber(value.value)}</${p}v></${p}c>`;
      case 'date':
        return `<${p}c r="${ref}"${s}><${p}v>${formatNumber(value.serial)}</${p}v></${p}c>`;
      case 'string':
        // An inline string is text whatever it starts with: `=1+1` from a submission never becomes a formula.
        return `<${p}c r="${ref}"${s} t="inlineStr"><${p}is><${p}t xml:space="preserve">${encodeCellText(value.text)}</${p}t></${p}is></${p}c>`;
    }
  }

  private rowXml(r: number, edits: Map<number, CellEdit> | undefined): string {
    const p = this.p;
    const span = this.rows().get(r);
    let tag = span ? this.rowsXml.slice(span.start, span.tagEnd) : `<${p}row r="${r + 1}">`;
    if (tag.endsWith('/>')) tag = tag.slice(0, -2).trimEnd() + '>';
    tag = setAttr(tag, 'r', String(r + 1));
    const hidden = this.rowHidden.get(r);
    if (hidden !== undefined) tag = setAttr(tag, 'hidden', hidden ? '1' : null);
    if (!edits || edits.size === 0) {
      if (!span) return tag.slice(0, -1) + '/>';
      const inner = span.selfClosing ? '' : this.rowsXml.slice(span.tagEnd, span.end - `</${p}row>`.length);
      return inner ? `${tag}${inner}</${p}row>` : tag.slice(0, -1) + '/>';
    }
    const cells = this.parseCells(r);
    const out: string[] = [];
    const pending = [...edits.keys()].sort((a, b) => a - b);
    let i = 0;
    for (const cell of cells) {
      while (i < pending.length && pending[i]! < cell.col) {
        out.push(this.cellXml(r, pending[i]!, edits.get(pending[i]!)!, undefined));
        i++;
      }
      if (pending[i] === cell.col) {
        out.push(this.cellXml(r, cell.col, edits.get(cell.col)!, cell));
        i++;
      } else {
        out.push(cell.xml);
      }
    }
    for (; i < pending.length; i++) out.push(this.cellXml(r, pending[i]!, edits.get(pending[i]!)!, undefined));
    const spans = attr(tag, 'spans');
    if (spans) {
      const cols = [...cells.map((c) => c.col), ...pending];
      const [lo, hi] = spans.split(':').map(Number);
      const min = Math.min(lo ?? 1, ...cols.map((c) => c + 1));
      const max = Math.max(hi ?? 1, ...cols.map((c) => c + 1));
      tag = setAttr(tag, 'spans', `${min}:${max}`);
    }
    return `${tag}${out.join('')}</${p}row>`;
  }

  private sheetDataXml(): string {
    const p = this.p;
    const index = this.rows();
    const touched = new Set<number>([...this.edits.keys(), ...this.rowHidden.keys()]);
    if (touched.size === 0) return this.rowsXml;
    const gt = this.rowsXml.indexOf('>');
    const selfClosing = this.rowsXml.charCodeAt(gt - 1) === 47;
    const open = selfClosing ? this.rowsXml.slice(0, gt - 1).trimEnd() + '>' : this.rowsXml.slice(0, gt + 1);
    const closeAt = selfClosing ? this.rowsXml.length : this.rowsXml.lastIndexOf(`</${p}sheetData>`);
    const existing = [...index.values()].sort((a, b) => a.start - b.start);
    const created = [...touched].filter((r) => !index.has(r)).sort((a, b) => a - b);
    const parts: string[] = [open];
    let pos = gt + 1;
    let k = 0;
    for (const span of existing) {
      while (k < created.length && created[k]! < span.r) {
        parts.push(this.rowsXml.slice(pos, span.start));
        pos = span.start;
        parts.push(this.rowXml(created[k]!, this.edits.get(created[k]!)));
        k++;
      }
      if (touched.has(span.r)) {
        parts.push(this.rowsXml.slice(pos, span.start), this.rowXml(span.r, this.edits.get(span.r)));
        pos = span.end;
      }
    }
    parts.push(selfClosing ? '' : this.rowsXml.slice(pos, closeAt));
    for (; k < created.length; k++) parts.push(this.rowXml(created[k]!, this.edits.get(created[k]!)));
    parts.push(`</${p}sheetData>`);
    return parts.join('');
  }

  /** Extends `<dimension>` to the cells we wrote. */
  private updateDimension(): void {
    let bottom = -1;
    let right = -1;
    for (const [r, cells] of this.edits) {
      for (const [c, edit] of cells) {
        if (edit.value && edit.value.kind !== 'clear') {
          bottom = Math.max(bottom, r);
          right = Math.max(right, c);
        }
      }
    }
    if (bottom < 0) return;
    const current = this.elementXml('dimension');
    const box = current ? parseRef(attr(current, 'ref') ?? '') : null;
    const top = box ? box.top : 0;
    const left = box ? box.left : 0;
    const ref = `${cellAddress(top, left)}:${cellAddress(Math.max(bottom, box?.bottom ?? 0), Math.max(right, box?.right ?? 0))}`;
    this.setElement('dimension', `<${this.p}dimension ref="${ref}"/>`);
  }

  /** Writes the sheet part (and the comments and drawing parts of new notes). */
  commit(): void {
    this.updateDimension();
    this.writeNotes();
    const data = this.sheetDataXml();
    const at = topLevel(this.frame, this.p, 'worksheet').find((c) => c.local === 'sheetData')!;
    this.pkg.setText(this.sheet.part, this.frame.slice(0, at.start) + data + this.frame.slice(at.end));
    if (this.formulaReplaced) this.pkg.dropCalcChain();
  }
}

/** `[[key, value], ...]` as a whole worksheet of inline strings (the `_caf_plan` metadata sheet). */
export function keyValueSheetXml(rows: readonly (readonly [string, string])[]): string {
  const cells = rows
    .map(
      ([key, value], i) =>
        `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t xml:space="preserve">${encodeCellText(key)}</t></is></c>` +
        `<c r="B${i + 1}" t="inlineStr"><is><t xml:space="preserve">${encodeCellText(value)}</t></is></c></row>`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${MAIN_NS}">` +
    `<dimension ref="A1:B${Math.max(1, rows.length)}"/><sheetData>${cells}</sheetData></worksheet>`
  );
}

/** A whole worksheet from a table of strings: a bold header row, wrapped text, widths, a frozen header. */
export function tableSheetXml(
  rows: readonly (readonly string[])[],
  options: { widths: readonly number[]; headerStyle: number; bodyStyle: number; autoFilter?: boolean },
): string {
  const width = Math.max(1, ...rows.map((r) => r.length));
  const cells = rows
    .map((row, r) => {
      const style = r === 0 ? options.headerStyle : options.bodyStyle;
      const s = style ? ` s="${style}"` : '';
      return (
        `<row r="${r + 1}">` +
        row
          .map((text, c) =>
            text === ''
              ? `<c r="${cellAddress(r, c)}"${s}/>`
              : `<c r="${cellAddress(r, c)}"${s} t="inlineStr"><is><t xml:space="preserve">${encodeCellText(text)}</t></is></c>`,
          )
          .join('') +
        '</row>'
      );
    })
    .join('');
  const cols = options.widths
    .map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`)
    .join('');
  const last = cellAddress(Math.max(0, rows.length - 1), width - 1);
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${MAIN_NS}">` +
    `<dimension ref="A1:${last}"/>` +
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
    `<sheetFormatPr defaultRowHeight="15"/>${cols ? `<cols>${cols}</cols>` : ''}<sheetData>${cells}</sheetData>` +
    (options.autoFilter && rows.length > 0 ? `<autoFilter ref="A1:${last}"/>` : '') +
    '</worksheet>'
  );
}
