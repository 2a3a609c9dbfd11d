// Single-pass scanners for the two big parts of a workbook: the shared strings table and a worksheet's
// `<sheetData>`. They see the part one segment at a time (segments.ts) and keep only the values.
import { cellAddress } from '../../plan/address';
import type { CellRange, CellValue } from '../../plan/model';
import { readError } from './read-errors';
import { attr, decodeText, elements, endsName, parseCellRef, rootPrefix, startTags, stringItemText } from './xml';

/** Serial 0 of the 1904 date system (1904-01-01) is serial 1462 of the 1900 system. */
export const DAYS_1900_TO_1904 = 1462;

/** Which cell formats (cellXfs indexes) show a date: read once from styles.xml. */
export class DateStyles {
  private readonly dates: boolean[];

  constructor(stylesXml: string) {
    const p = rootPrefix(stylesXml)?.prefix ?? '';
    const custom = new Map<number, string>();
    for (const m of stylesXml.matchAll(new RegExp(`<${p}numFmt\\b[^>]*>`, 'g'))) {
      const id = attr(m[0], 'numFmtId');
      const code = attr(m[0], 'formatCode');
      if (id !== null && code !== null) custom.set(Number(id), decodeText(code));
    }
    const open = stylesXml.indexOf(`<${p}cellXfs`);
    const close = stylesXml.indexOf(`</${p}cellXfs>`, open);
    const xfs = open < 0 || close < 0 ? '' : stylesXml.slice(open, close);
    this.dates = [...xfs.matchAll(new RegExp(`<${p}xf\\b[^>]*>`, 'g'))].map((m) => {
      const id = Number(attr(m[0], 'numFmtId') ?? 0);
      const code = custom.get(id);
      return code !== undefined ? isDateFormat(code) : BUILTIN_DATE_FORMATS.has(id);
    });
  }

  isDate(index: number): boolean {
    return this.dates[index] ?? false;
  }
}

// Built-in number formats that show a date (ECMA-376 18.8.30, with the East Asian ones Excel also uses).
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58]);

/**
 * Whether a custom format code shows a date: a day or year part, or months without hours, once quoted text,
 * escapes and brackets (colours, locales, elapsed time) are set aside. A time of day alone is not a date.
 */
export function isDateFormat(code: string): boolean {
  const bare = (code.split(';')[0] ?? '')
    .replace(/"[^"]*"|\\.|_.|\*./g, '')
    .replace(/\[[hms]+\]/gi, 'h')
    .replace(/\[[^\]]*\]/g, '');
  if (/[dy]/i.test(bare)) return true;
  return /m/i.test(bare) && !/[hs]/i.test(bare);
}

/** Excel's limit on the characters of one cell. */
export const EXCEL_MAX_CELL_CHARS = 32_767;

export interface SheetLimits {
  maxCells: number;
  maxCellChars: number;
}

/** The shared strings table; a string over the cell limit is remembered by its length only. */
export class SharedStrings {
  readonly values: string[] = [];
  /** index -> length of the strings refused for their length (refused when a cell uses them). */
  readonly tooLong = new Map<number, number>();

  constructor(private readonly maxCellChars: number) {}

  scan(segment: string, prefix: string): void {
    const close = `</${prefix}si>`;
    for (const { tagEnd, end, selfClosing } of elements(segment, `${prefix}si`)) {
      const text = selfClosing ? '' : stringItemText(segment.slice(tagEnd, end - close.length), prefix);
      if (text.length > this.maxCellChars) {
        this.tooLong.set(this.values.length, text.length);
        this.values.push('');
      } else {
        this.values.push(text);
      }
    }
  }
}

/** 0-based column of the letters at text[from] that are followed by a row number, or -1. */
function columnAt(text: string, from: number): number {
  let col = 0;
  let i = from;
  for (; i < from + 4; i++) {
    const code = text.charCodeAt(i);
    if (code >= 65 && code <= 90) col = col * 26 + (code - 64);
    else break;
  }
  const digit = text.charCodeAt(i);
  return i > from && i < from + 4 && digit >= 49 && digit <= 57 ? col - 1 : -1;
}

const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** `t="d"` cells (ISO 8601, written by some generators) become the serial number Excel would store. */
function isoToSerial(text: string): CellValue {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? `${text}T00:00:00Z`
    : /[zZ]|[+-]\d{2}:\d{2}$/.test(text)
      ? text
      : `${text}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? text : (ms - EXCEL_EPOCH_MS) / 86_400_000;
}

export class SheetScanner {
  readonly rows: CellValue[][] = [];
  readonly merges: CellRange[] = [];
  /** Grid slots used so far (the count the cell limit applies to). */
  private slots = 0;
  private nextRow = 0;

  constructor(
    private readonly sheet: string,
    private readonly strings: SharedStrings,
    private readonly limits: SheetLimits,
    private readonly tooManyCells: () => Error,
    /** In a 1904 workbook: the cell formats that show dates, whose serials move into the 1900 system. */
    private readonly dates1904: DateStyles | null = null,
  ) {}

  scan(segment: string, prefix: string): void {
    this.scanRows(segment, prefix);
    this.scanMerges(segment, prefix);
  }

  private tooLong(row: number, col: number, length: number): Error {
    const cell = cellAddress(row, col);
    return readError(
      'xlsx-cell-too-long',
      `Celula ${cell} din foaia „${this.sheet}” are ${length} caractere; Excel permite cel mult ${this.limits.maxCellChars}.`,
      `Cell ${cell} of sheet "${this.sheet}" holds ${length} characters; Excel allows at most ${this.limits.maxCellChars}.`,
    );
  }

  private scanRows(segment: string, p: string): void {
    const rowOpen = `<${p}row`;
    const rowClose = `</${p}row>`;
    const cOpen = `<${p}c`;
    const cClose = `</${p}c>`;
    const vOpen = `<${p}v`;
    const vClose = `</${p}v>`;
    const isOpen = `<${p}is`;
    const isClose = `</${p}is>`;
    const maxCells = this.limits.maxCells;
    const maxChars = this.limits.maxCellChars;
    const shared = this.strings.values;
    const tooLongShared = this.strings.tooLong;

    let pos = 0;
    for (;;) {
      const rowAt = segment.indexOf(rowOpen, pos);
      if (rowAt < 0) return;
      pos = rowAt + rowOpen.length;
      if (!endsName(segment, pos)) continue;
      const rowGt = segment.indexOf('>', pos);
      if (rowGt < 0) return;
      const rowTag = segment.slice(rowAt, rowGt);
      const r = attr(rowTag, 'r');
      const rowNumber = r === null ? NaN : parseInt(r, 10);
      const row = rowNumber >= 1 ? rowNumber - 1 : this.nextRow;
      this.nextRow = row + 1;
      pos = rowGt + 1;
      if (segment.charCodeAt(rowGt - 1) === 47 /* / */) continue; // <row r="3"/>: formatting only
      let rowEnd = segment.indexOf(rowClose, pos);
      if (rowEnd < 0) rowEnd = segment.length;

      const values: CellValue[] = [];
      let elements = 0;
      let col = -1;
      let cursor = pos;
      for (;;) {
        const cAt = segment.indexOf(cOpen, cursor);
        if (cAt < 0 || cAt >= rowEnd) break;
        cursor = cAt + cOpen.length;
        if (!endsName(segment, cursor)) continue;
        const cGt = segment.indexOf('>', cursor);
        if (cGt < 0 || cGt > rowEnd) break;
        if (++elements + this.slots > maxCells) throw this.tooManyCells();
        const selfClosing = segment.charCodeAt(cGt - 1) === 47; /* / */
        // Fast path for what Excel writes (`<c r="B2" ...`): the column straight from the text, no slice.
        const fast = segment.startsWith(' r="', cursor) ? columnAt(segment, cursor + 4) : -1;
        let tag: string | null = null;
        if (fast >= 0) col = fast;
        else {
          tag = segment.slice(cAt, cGt);
          const ref = attr(tag, 'r');
          const at = ref === null ? null : parseCellRef(ref);
          col = at ? at.col : col + 1;
        }
        cursor = cGt + 1;
        if (selfClosing) continue; // <c r="B2" s="1"/>: styled, empty
        tag ??= segment.slice(cAt, cGt);
        let cEnd = segment.indexOf(cClose, cursor);
        if (cEnd < 0 || cEnd > rowEnd) cEnd = rowEnd;
        const type = attr(tag, 't');
        let value: CellValue = null;

        if (type === 'inlineStr') {
          const isAt = segment.indexOf(isOpen, cursor);
          if (isAt >= 0 && isAt < cEnd && endsName(segment, isAt + isOpen.length)) {
            const isGt = segment.indexOf('>', isAt);
            const isEnd = segment.indexOf(isClose, isGt);
            if (segment.charCodeAt(isGt - 1) !== 47 && isEnd >= 0 && isEnd <= cEnd) {
              value = stringItemText(segment.slice(isGt + 1, isEnd), p);
            } else {
              value = '';
            }
          }
        } else {
          // The cached value: a formula's (shared or not) is never evaluated, only its last result is read.
          let raw: string | null = null;
          let vAt = segment.indexOf(vOpen, cursor);
          while (vAt >= 0 && vAt < cEnd && !endsName(segment, vAt + vOpen.length)) {
            vAt = segment.indexOf(vOpen, vAt + vOpen.length);
          }
          if (vAt >= 0 && vAt < cEnd) {
            const vGt = segment.indexOf('>', vAt);
            if (segment.charCodeAt(vGt - 1) === 47) raw = '';
            else {
              const vEnd = segment.indexOf(vClose, vGt);
              raw = vEnd >= 0 && vEnd <= cEnd ? segment.slice(vGt + 1, vEnd) : null;
            }
          }
          if (raw !== null) {
            switch (type) {
              case 's': {
                const index = parseInt(raw, 10);
                const length = tooLongShared.get(index);
                if (length !== undefined) throw this.tooLong(row, col, length);
                value = shared[index] ?? null;
                break;
              }
              case 'b':
                value = raw === '1' || raw === 'true';
                break;
              case 'e':
              case 'str':
                value = decodeText(raw);
                break;
              case 'd':
                value = isoToSerial(raw.trim());
                break;
              default: {
                const trimmed = raw.trim();
                if (trimmed !== '') {
                  const n = Number(trimmed);
                  value = Number.isNaN(n)
                    ? decodeText(raw)
                    : this.dates1904?.isDate(Number(attr(tag, 's') ?? 0))
                      ? n + DAYS_1900_TO_1904
                      : n;
                }
              }
            }
          }
        }
        if (typeof value === 'string' && value.length > maxChars) throw this.tooLong(row, col, value.length);
        if (value !== null) {
          while (values.length < col) values.push(null);
          values[col] = value;
        }
        cursor = cEnd + cClose.length;
      }
      pos = rowEnd + rowClose.length;
      this.place(row, values, elements);
    }
  }

  private place(row: number, values: CellValue[], elements: number): void {
    const rows = this.rows;
    if (values.length === 0) {
      this.slots += elements;
      return;
    }
    if (row < rows.length) {
      // A row listed twice or out of order (not Excel, but generators do it): keep every value.
      const existing = rows[row]!;
      values.forEach((v, c) => {
        if (v === null) return;
        while (existing.length < c) existing.push(null);
        existing[c] = v;
      });
      return;
    }
    while (rows.length < row) {
      rows.push([]);
      this.slots++;
    }
    rows.push(values);
    this.slots += Math.max(values.length, elements);
    if (this.slots > this.limits.maxCells) throw this.tooManyCells();
  }

  private scanMerges(segment: string, p: string): void {
    for (const { tag } of startTags(segment, `${p}mergeCell`)) {
      const ref = attr(tag, 'ref'); // <mergeCells count=...> is not a mergeCell: startTags checks the name ends
      if (!ref) continue;
      const [a, b = a] = ref.split(':');
      const from = parseCellRef(a!);
      const to = parseCellRef(b!);
      if (!from || !to) continue;
      this.merges.push({
        top: Math.min(from.row, to.row),
        left: Math.min(from.col, to.col),
        bottom: Math.max(from.row, to.row),
        right: Math.max(from.col, to.col),
      });
    }
  }
}
