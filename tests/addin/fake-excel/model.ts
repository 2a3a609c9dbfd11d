// The state of a fake Excel workbook: cells, merges, conditional formats, validation, AutoFilter, protection.
// It behaves like Excel for what the add-in does (value conversion on write, AutoFilter wildcard matching, locked
// cells on protected sheets) so that tests of addin/excel fail where Excel would. Plain TypeScript, no Node APIs:
// the task-pane tests bundle it into a page.
import type { CellValue, WorkbookGrid } from '../../../plan/model';

export const MAX_ROWS = 1_048_576;
export const MAX_COLUMNS = 16_384;
/** Largest rectangle a write may touch cell by cell; Excel copes with more, but the add-in never should (GUIDE.md). */
const MAX_WRITE_CELLS = 2_000_000;

/** An error shaped like OfficeExtension.Error (`code`, `message`, `debugInfo`). */
export class FakeOfficeError extends Error {
  readonly code: string;
  readonly debugInfo: { code: string; message: string; errorLocation?: string };
  constructor(code: string, message: string, location?: string) {
    super(message);
    this.name = 'RichApi.Error';
    this.code = code;
    this.debugInfo = { code, message, errorLocation: location };
  }
}

export interface Rect {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export type Scalar = string | number | boolean;

export interface Cell {
  value: Scalar | '';
  formula?: string;
  numberFormat?: string;
  /** How Excel read the text it was given, when it did not keep it as text. */
  parsedAs?: ParsedAs;
  fill?: string;
  fontColor?: string;
  bold?: boolean;
  locked?: boolean;
}

export interface FakeConditionalFormat {
  id: string;
  /** The first area; `areas` lists every area when the rule covers several (a team's rule on `A2:A9,C2:C9`). */
  rect: Rect;
  areas?: Rect[];
  type: 'Custom';
  formula: string;
  fill: string | null;
  fontColor: string | null;
  stopIfTrue: boolean;
}

export interface ListRule {
  list: { inCellDropDown: boolean; source: string };
}

export interface FilterCriteria {
  filterOn: string;
  criterion1?: string;
  criterion2?: string;
  operator?: string;
  values?: string[];
}

export interface ProtectionOptions {
  allowAutoFilter?: boolean;
  allowFormatCells?: boolean;
  allowFormatColumns?: boolean;
  allowFormatRows?: boolean;
  allowSort?: boolean;
  allowInsertRows?: boolean;
  allowDeleteRows?: boolean;
  selectionMode?: string;
  [key: string]: unknown;
}

export interface ChangedEvent {
  type: 'WorksheetChanged';
  changeType: 'RangeEdited';
  source: 'Local';
  worksheetId: string;
  address: string;
}

export type Visibility = 'Visible' | 'Hidden' | 'VeryHidden';

/** A note (ExcelApi 1.18; the "comment" of older Excel and of .xlsx files): one per cell, separate from threads. */
export interface FakeNote {
  sheet: FakeSheet;
  row: number;
  col: number;
  content: string;
}

/** A threaded comment (ExcelApi 1.10): one per cell, as in Excel. */
export interface FakeComment {
  id: string;
  sheet: FakeSheet;
  row: number;
  col: number;
  content: string;
}

/** Whether a rule (on one area or several) touches `rect`. */
export const cfIntersects = (cf: FakeConditionalFormat, rect: Rect): boolean =>
  (cf.areas ?? [cf.rect]).some((a) => intersects(a, rect));
export const rectArea = (r: Rect): number => (r.bottom - r.top + 1) * (r.right - r.left + 1);
export const intersects = (a: Rect, b: Rect): boolean =>
  a.top <= b.bottom && b.top <= a.bottom && a.left <= b.right && b.left <= a.right;
export function intersection(a: Rect, b: Rect): Rect | null {
  if (!intersects(a, b)) return null;
  return {
    top: Math.max(a.top, b.top),
    left: Math.max(a.left, b.left),
    bottom: Math.min(a.bottom, b.bottom),
    right: Math.min(a.right, b.right),
  };
}

export function columnLetters(col: number): string {
  let n = col + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

function lettersToColumn(letters: string): number {
  let col = 0;
  for (const ch of letters.toUpperCase()) col = col * 26 + (ch.charCodeAt(0) - 64);
  return col - 1;
}

export function quoteSheetName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
}

export function rectAddress(rect: Rect): string {
  const a = `${columnLetters(rect.left)}${rect.top + 1}`;
  const b = `${columnLetters(rect.right)}${rect.bottom + 1}`;
  return a === b ? a : `${a}:${b}`;
}

/** `A1`, `A1:C5`, `$A$1`, `A:C`, `5:7`, optionally `Sheet!` or `'My sheet'!` first. */
export function parseRangeAddress(address: string): { sheet?: string; rect: Rect } {
  let text = address.trim();
  let sheet: string | undefined;
  const bang = text.lastIndexOf('!');
  if (bang >= 0) {
    sheet = text.slice(0, bang);
    if (sheet.startsWith("'")) sheet = sheet.slice(1, -1).replace(/''/g, "'");
    text = text.slice(bang + 1);
  }
  const parts = text.replace(/\$/g, '').split(':');
  if (parts.length > 2 || parts.some((p) => p === ''))
    throw new FakeOfficeError('InvalidArgument', `Bad address ${address}`);
  const points = parts.map((p) => {
    const m = /^([A-Za-z]{1,3})?(\d{1,7})?$/.exec(p);
    if (!m || (!m[1] && !m[2])) throw new FakeOfficeError('InvalidArgument', `Bad address ${address}`);
    return { col: m[1] ? lettersToColumn(m[1]) : null, row: m[2] ? Number(m[2]) - 1 : null };
  });
  const [a, b = a] = points as [(typeof points)[0], (typeof points)[0]?];
  const bb = b ?? a;
  const rect: Rect = {
    top: a!.row ?? 0,
    left: a!.col ?? 0,
    bottom: bb!.row ?? (a!.row === null ? MAX_ROWS - 1 : a!.row),
    right: bb!.col ?? (a!.col === null ? MAX_COLUMNS - 1 : a!.col),
  };
  if (a!.row === null && a!.col !== null) rect.bottom = MAX_ROWS - 1;
  if (a!.col === null && a!.row !== null) rect.right = MAX_COLUMNS - 1;
  const norm: Rect = {
    top: Math.min(rect.top, rect.bottom),
    bottom: Math.max(rect.top, rect.bottom),
    left: Math.min(rect.left, rect.right),
    right: Math.max(rect.left, rect.right),
  };
  if (norm.bottom >= MAX_ROWS || norm.right >= MAX_COLUMNS)
    throw new FakeOfficeError('InvalidArgument', `Bad address ${address}`);
  return sheet === undefined ? { rect: norm } : { sheet, rect: norm };
}

/** Excel's wildcard text match: `*` any run, `?` one character, `~` escapes; case-insensitive, whole text. */
export function wildcardMatch(pattern: string, text: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '~' && i + 1 < pattern.length && '*?~'.includes(pattern[i + 1]!)) {
      re += '\\' + pattern[++i]!;
    } else if (ch === '*') re += '[\\s\\S]*';
    else if (ch === '?') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'iu').test(text);
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Whether one cell passes one custom criterion (`=*;DI;*`, `<45108`, `<>Realizat`), as Excel's AutoFilter decides. */
export function passesCustom(criterion: string, value: Scalar | ''): boolean {
  const m = /^(<>|>=|<=|=|>|<)?([\s\S]*)$/.exec(criterion)!;
  const op = m[1] ?? '=';
  const operand = m[2]!;
  if (NUMBER_RE.test(operand.trim())) {
    const n = Number(operand);
    const isNum = typeof value === 'number';
    switch (op) {
      case '=':
        return isNum && value === n;
      case '<>':
        return !(isNum && value === n);
      case '<':
        return isNum && value < n;
      case '<=':
        return isNum && value <= n;
      case '>':
        return isNum && value > n;
      case '>=':
        return isNum && value >= n;
    }
  }
  const text = cellDisplay(value);
  if (op === '=') return operand === '' ? text === '' : wildcardMatch(operand, text);
  if (op === '<>') return operand === '' ? text !== '' : !wildcardMatch(operand, text);
  if (typeof value !== 'string' || value === '') return false;
  const c = value.localeCompare(operand, undefined, { sensitivity: 'base' });
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

export function passesCriteria(criteria: FilterCriteria, value: Scalar | ''): boolean {
  if (criteria.filterOn === 'Values') {
    const text = cellDisplay(value).toLocaleLowerCase();
    return (criteria.values ?? []).some((v) => String(v).toLocaleLowerCase() === text);
  }
  if (criteria.filterOn !== 'Custom') throw new FakeOfficeError('NotImplemented', `filterOn ${criteria.filterOn}`);
  const one = criteria.criterion1 === undefined ? true : passesCustom(criteria.criterion1, value);
  if (criteria.criterion2 === undefined) return one;
  const two = passesCustom(criteria.criterion2, value);
  return criteria.operator === 'Or' ? one || two : one && two;
}

export function cellDisplay(value: Scalar | ''): string {
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}

const key = (r: number, c: number): number => r * MAX_COLUMNS + c;

export class FakeSheet {
  readonly id: string;
  name: string;
  visibility: Visibility = 'Visible';
  readonly cells = new Map<number, Cell>();
  merges: Rect[] = [];
  conditionalFormats: FakeConditionalFormat[] = [];
  validations: { rect: Rect; rule: ListRule }[] = [];
  /** Error alerts set on validated ranges, by address. */
  readonly validationAlerts = new Map<string, unknown>();
  autoFilter: { rect: Rect; criteria: (FilterCriteria | null)[] } | null = null;
  readonly hiddenColumns = new Set<number>();
  readonly hiddenRows = new Set<number>();
  readonly filteredRows = new Set<number>();
  protection: { protected: boolean; options: ProtectionOptions; password?: string } = {
    protected: false,
    options: {},
  };
  readonly changedHandlers = new Set<(event: ChangedEvent) => unknown>();

  constructor(
    readonly workbook: FakeWorkbook,
    name: string,
    id: string,
  ) {
    this.name = name;
    this.id = id;
  }

  cell(r: number, c: number): Cell | undefined {
    return this.cells.get(key(r, c));
  }

  private ensure(r: number, c: number): Cell {
    let cell = this.cells.get(key(r, c));
    if (!cell) this.cells.set(key(r, c), (cell = { value: '' }));
    return cell;
  }

  value(r: number, c: number): Scalar | '' {
    return this.cell(r, c)?.value ?? '';
  }

  locked(r: number, c: number): boolean {
    return this.cell(r, c)?.locked ?? true;
  }

  /** The bounding box of cells with a value (or also with formatting), null when the sheet is empty. */
  usedRect(valuesOnly: boolean, within?: Rect): Rect | null {
    let out: Rect | null = null;
    for (const [k, cell] of this.cells) {
      const used =
        cell.value !== '' ||
        cell.formula !== undefined ||
        (!valuesOnly &&
          (cell.numberFormat !== undefined ||
            cell.fill !== undefined ||
            cell.fontColor !== undefined ||
            cell.bold !== undefined ||
            cell.locked !== undefined));
      if (!used) continue;
      const r = Math.floor(k / MAX_COLUMNS);
      const c = k % MAX_COLUMNS;
      if (within && (r < within.top || r > within.bottom || c < within.left || c > within.right)) continue;
      if (!out) out = { top: r, left: c, bottom: r, right: c };
      else {
        out.top = Math.min(out.top, r);
        out.bottom = Math.max(out.bottom, r);
        out.left = Math.min(out.left, c);
        out.right = Math.max(out.right, c);
      }
    }
    return out;
  }

  values(rect: Rect): (Scalar | '')[][] {
    const out: (Scalar | '')[][] = [];
    for (let r = rect.top; r <= rect.bottom; r++) {
      const row: (Scalar | '')[] = [];
      for (let c = rect.left; c <= rect.right; c++) row.push(this.value(r, c));
      out.push(row);
    }
    return out;
  }

  formulas(rect: Rect): (Scalar | '')[][] {
    return this.mapRect(rect, (r, c) => this.cell(r, c)?.formula ?? this.value(r, c));
  }

  numberFormats(rect: Rect): string[][] {
    return this.mapRect(rect, (r, c) => this.cell(r, c)?.numberFormat ?? 'General');
  }

  private mapRect<T>(rect: Rect, f: (r: number, c: number) => T): T[][] {
    const out: T[][] = [];
    for (let r = rect.top; r <= rect.bottom; r++) {
      const row: T[] = [];
      for (let c = rect.left; c <= rect.right; c++) row.push(f(r, c));
      out.push(row);
    }
    return out;
  }

  /** A property that is the same over the rectangle, else null (as Office.js reports mixed formats). */
  uniform<T>(rect: Rect, f: (r: number, c: number) => T): T | null {
    if (rectArea(rect) > MAX_WRITE_CELLS) throw new FakeOfficeError('NotImplemented', 'fake: range too large to read');
    let first: T | undefined;
    for (let r = rect.top; r <= rect.bottom; r++)
      for (let c = rect.left; c <= rect.right; c++) {
        const v = f(r, c);
        if (first === undefined) first = v;
        else if (v !== first) return null;
      }
    return first ?? null;
  }

  assertEditable(rect: Rect, what: 'cells' | 'format' | 'columns' | 'rows' | 'objects'): void {
    if (!this.protection.protected) return;
    const o = this.protection.options;
    const allowed =
      what === 'format'
        ? o.allowFormatCells
        : what === 'columns'
          ? o.allowFormatColumns
          : what === 'rows'
            ? o.allowFormatRows
            : false;
    if (allowed) return;
    if (what === 'cells') {
      for (let r = rect.top; r <= rect.bottom; r++)
        for (let c = rect.left; c <= rect.right; c++) if (this.locked(r, c)) throw protectedError();
      return;
    }
    throw protectedError();
  }

  /** Writes values as Excel does when an add-in sets `range.values`: null leaves a cell, '' clears it, text converts. */
  writeValues(rect: Rect, input: unknown): void {
    const grid = shapeInput(rect, input, 'values');
    this.assertEditable(rect, 'cells');
    for (let i = 0; i < grid.length; i++)
      for (let j = 0; j < grid[i]!.length; j++) {
        const v = grid[i]![j];
        if (v === null || v === undefined) continue;
        const r = rect.top + i;
        const c = rect.left + j;
        const cell = this.ensure(r, c);
        const converted = convertInput(v, cell.numberFormat);
        cell.value = converted.value;
        if (converted.formula !== undefined) cell.formula = converted.formula;
        else delete cell.formula;
        if (converted.parsedAs) cell.parsedAs = converted.parsedAs;
        else delete cell.parsedAs;
        // A date or a percentage typed into a General cell gives the cell that format, as in Excel.
        if (converted.numberFormat && (cell.numberFormat ?? 'General') === 'General')
          cell.numberFormat = converted.numberFormat;
      }
    this.workbook.noteChange(this, rect);
  }

  writeFormulas(rect: Rect, input: unknown): void {
    const grid = shapeInput(rect, input, 'formulas');
    this.assertEditable(rect, 'cells');
    for (let i = 0; i < grid.length; i++)
      for (let j = 0; j < grid[i]!.length; j++) {
        const v = grid[i]![j];
        if (v === null || v === undefined) continue;
        const cell = this.ensure(rect.top + i, rect.left + j);
        if (typeof v === 'string' && v.startsWith('=')) {
          cell.formula = v;
          cell.value = '';
        } else {
          const converted = convertInput(v, cell.numberFormat);
          cell.value = converted.value;
          delete cell.formula;
        }
      }
    this.workbook.noteChange(this, rect);
  }

  writeNumberFormat(rect: Rect, input: unknown): void {
    const grid = shapeInput(rect, input, 'numberFormat');
    this.assertEditable(rect, 'format');
    for (let i = 0; i < grid.length; i++)
      for (let j = 0; j < grid[i]!.length; j++) {
        const v = grid[i]![j];
        if (v === null || v === undefined) continue;
        this.ensure(rect.top + i, rect.left + j).numberFormat = String(v);
      }
  }

  setCellProps(rect: Rect, props: Partial<Pick<Cell, 'fill' | 'fontColor' | 'bold' | 'locked'>>, check = true): void {
    if (rectArea(rect) > MAX_WRITE_CELLS)
      throw new FakeOfficeError('NotImplemented', 'fake: formatting a whole column or sheet cell by cell');
    if (check) this.assertEditable(rect, 'format');
    for (let r = rect.top; r <= rect.bottom; r++)
      for (let c = rect.left; c <= rect.right; c++) Object.assign(this.ensure(r, c), props);
  }

  clear(rect: Rect): void {
    this.assertEditable(rect, 'cells');
    for (const k of [...this.cells.keys()]) {
      const r = Math.floor(k / MAX_COLUMNS);
      const c = k % MAX_COLUMNS;
      if (r >= rect.top && r <= rect.bottom && c >= rect.left && c <= rect.right) this.cells.delete(k);
    }
    this.merges = this.merges.filter((m) => !intersects(m, rect));
    this.validations = this.validations.filter((v) => !intersects(v.rect, rect));
    this.conditionalFormats = this.conditionalFormats.filter((cf) => !cfIntersects(cf, rect));
  }

  merge(rect: Rect): void {
    if (this.merges.some((m) => intersects(m, rect)))
      throw new FakeOfficeError('InvalidOperation', 'Cannot merge over a merged area');
    this.merges.push(rect);
  }

  setValidation(rect: Rect, rule: ListRule): void {
    this.assertEditable(rect, 'objects');
    if (!rule?.list || typeof rule.list.source !== 'string')
      throw new FakeOfficeError('InvalidArgument', 'Only list rules are faked');
    // Excel refuses a new rule over cells that already hold a different one: clear() first.
    if (this.validations.some((v) => intersects(v.rect, rect) && JSON.stringify(v.rule) !== JSON.stringify(rule)))
      throw new FakeOfficeError(
        'InvalidOperation',
        'The range already has data validation of another kind; clear it first.',
      );
    this.validations = this.validations.filter((v) => !intersects(v.rect, rect));
    this.validations.push({ rect, rule: structuredCloneRule(rule) });
  }

  clearValidation(rect: Rect): void {
    this.assertEditable(rect, 'objects');
    const kept: { rect: Rect; rule: ListRule }[] = [];
    for (const v of this.validations) {
      if (!intersects(v.rect, rect)) kept.push(v);
      else for (const piece of subtract(v.rect, rect)) kept.push({ rect: piece, rule: v.rule });
    }
    this.validations = kept;
  }

  validationAt(r: number, c: number): ListRule | null {
    const v = this.validations.find(
      (x) => r >= x.rect.top && r <= x.rect.bottom && c >= x.rect.left && c <= x.rect.right,
    );
    return v ? v.rule : null;
  }

  applyAutoFilter(rect: Rect | null, columnIndex?: number, criteria?: FilterCriteria): void {
    if (this.protection.protected && !this.protection.options.allowAutoFilter) throw protectedError();
    if (!rect) {
      if (!this.autoFilter) throw new FakeOfficeError('InvalidArgument', 'AutoFilter.apply needs a range');
      rect = this.autoFilter.rect;
    }
    if (!this.autoFilter || JSON.stringify(this.autoFilter.rect) !== JSON.stringify(rect)) {
      if (this.protection.protected) throw protectedError();
      this.autoFilter = { rect, criteria: [] };
    }
    if (columnIndex !== undefined) {
      if (columnIndex < 0 || columnIndex > rect.right - rect.left)
        throw new FakeOfficeError('InvalidArgument', 'The column index is outside the AutoFilter range.');
      if (!criteria) throw new FakeOfficeError('InvalidArgument', 'criteria required with a column index');
      this.autoFilter.criteria[columnIndex] = { ...criteria };
    }
    this.refilter();
  }

  clearFilterCriteria(): void {
    if (!this.autoFilter) throw new FakeOfficeError('InvalidOperation', 'The worksheet has no AutoFilter.');
    if (this.protection.protected && !this.protection.options.allowAutoFilter) throw protectedError();
    this.autoFilter.criteria = [];
    this.refilter();
  }

  removeAutoFilter(): void {
    if (this.protection.protected) throw protectedError();
    this.autoFilter = null;
    this.filteredRows.clear();
  }

  private refilter(): void {
    this.filteredRows.clear();
    const af = this.autoFilter;
    if (!af) return;
    for (let r = af.rect.top + 1; r <= af.rect.bottom; r++) {
      const pass = af.criteria.every((cr, i) => !cr || passesCriteria(cr, this.value(r, af.rect.left + i)));
      if (!pass) this.filteredRows.add(r);
    }
  }

  rowVisible(r: number): boolean {
    return !this.filteredRows.has(r) && !this.hiddenRows.has(r);
  }

  protect(options: ProtectionOptions = {}, password?: string): void {
    if (this.protection.protected) throw new FakeOfficeError('InvalidOperation', 'The worksheet is already protected.');
    this.protection = { protected: true, options: { ...options }, ...(password ? { password } : {}) };
  }

  unprotect(password?: string): void {
    if (!this.protection.protected) return;
    if (this.protection.password !== undefined && this.protection.password !== password)
      throw new FakeOfficeError('BadPassword', 'The password is not correct.');
    this.protection = { protected: false, options: {} };
  }
}

function protectedError(): FakeOfficeError {
  return new FakeOfficeError('AccessDenied', "The cell or chart you're trying to change is on a protected sheet.");
}

function structuredCloneRule(rule: ListRule): ListRule {
  return { list: { inCellDropDown: rule.list.inCellDropDown !== false, source: rule.list.source } };
}

/** `a` minus `b` as up to four rectangles. */
function subtract(a: Rect, b: Rect): Rect[] {
  const i = intersection(a, b);
  if (!i) return [a];
  const out: Rect[] = [];
  if (a.top < i.top) out.push({ ...a, bottom: i.top - 1 });
  if (i.bottom < a.bottom) out.push({ ...a, top: i.bottom + 1 });
  if (a.left < i.left) out.push({ top: i.top, bottom: i.bottom, left: a.left, right: i.left - 1 });
  if (i.right < a.right) out.push({ top: i.top, bottom: i.bottom, left: i.right + 1, right: a.right });
  return out;
}

/** Office.js takes a 2-D array of exactly the range's size, or one value for every cell. */
function shapeInput(rect: Rect, input: unknown, what: string): unknown[][] {
  const rows = rect.bottom - rect.top + 1;
  const cols = rect.right - rect.left + 1;
  if (!Array.isArray(input)) {
    if (rows * cols > MAX_WRITE_CELLS)
      throw new FakeOfficeError('NotImplemented', 'fake: writing a whole column or sheet cell by cell');
    return Array.from({ length: rows }, () => Array.from({ length: cols }, () => input));
  }
  if (input.length !== rows || input.some((row) => !Array.isArray(row) || row.length !== cols))
    throw new FakeOfficeError(
      'InvalidArgument',
      `The number of rows or columns in the input array doesn't match the size or dimensions of the range (${what}).`,
    );
  return input as unknown[][];
}

/** How Excel read a text it was given (undefined: kept as text). */
export type ParsedAs = 'number' | 'percent' | 'currency' | 'date' | 'time' | 'boolean' | 'error' | 'formula';

/**
 * What Excel stores when an add-in writes a value: a leading apostrophe forces text; `=`/`+`/`-`/`@` followed by
 * more text starts a formula (stored as one, showing #NAME? when it is not one); otherwise the text is parsed as if
 * typed, and numbers, percentages, currency, accounting negatives `(100)`, dates and times (the common English and
 * Romanian forms: `12/31/2024`, `Dec 2024`, `Sep-24`, `31-Dec-2024`, `30.06.2023`, `iunie 2023`), booleans and
 * error literals (`#N/A`) stop being text. None of this happens when the cell's number format is Text (`@`).
 */
export function convertInput(
  v: unknown,
  numberFormat: string | undefined,
): { value: Scalar | ''; formula?: string; parsedAs?: ParsedAs; numberFormat?: string } {
  if (typeof v === 'number' || typeof v === 'boolean') return { value: v };
  const text = String(v);
  if (text === '') return { value: '' };
  if (numberFormat === '@') return { value: text };
  if (text.startsWith("'")) return { value: text.slice(1) };
  const parsed = parseTyped(text);
  if (parsed) return parsed;
  if (/^[=+\-@]./s.test(text))
    return { value: '#NAME?', formula: text.startsWith('=') ? text : `=${text}`, parsedAs: 'formula' };
  return { value: text };
}

const ERROR_LITERALS = [
  '#NULL!',
  '#DIV/0!',
  '#VALUE!',
  '#REF!',
  '#NAME?',
  '#NUM!',
  '#N/A',
  '#GETTING_DATA',
  '#SPILL!',
  '#CALC!',
];
const MONTHS: Record<string, number> = {};
[
  ['jan', 'january', 'ian', 'ianuarie'],
  ['feb', 'february', 'februarie'],
  ['mar', 'march', 'martie'],
  ['apr', 'april', 'aprilie'],
  ['may', 'mai'],
  ['jun', 'june', 'iun', 'iunie'],
  ['jul', 'july', 'iul', 'iulie'],
  ['aug', 'august'],
  ['sep', 'sept', 'september', 'septembrie'],
  ['oct', 'october', 'octombrie'],
  ['nov', 'november', 'noi', 'noiembrie'],
  ['dec', 'december', 'decembrie'],
].forEach((names, i) => names.forEach((n) => (MONTHS[n] = i + 1)));
const MONTH = '([a-zăâîșşțţ]{3,10})\\.?';
/** The year the fake lives in, for dates typed without one (`Sep-24` is 24 September of this year). */
const CURRENT_YEAR = 2026;

function serial(y: number, m: number, d: number): number | null {
  if (m < 1 || m > 12 || d < 1 || y < 1900 || y > 9999) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1) return null;
  return Math.round((date.getTime() - Date.UTC(1899, 11, 30)) / 86_400_000);
}
const year = (y: string): number => (y.length <= 2 ? (Number(y) < 30 ? 2000 : 1900) + Number(y) : Number(y));
const month = (name: string): number | undefined => MONTHS[name.toLowerCase().replace(/\.$/, '')];

function parseDate(t: string): number | null {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t))) return serial(+m[1]!, +m[2]!, +m[3]!);
  // m/d/y (en-US); d/m/y when the first number cannot be a month (a Romanian Excel reads 30/06/2023 as a date).
  if ((m = /^(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2}|\d{4}))?$/.exec(t))) {
    const [a, b, y] = [+m[1]!, +m[2]!, m[3] ? year(m[3]) : CURRENT_YEAR];
    return a <= 12 ? serial(y, a, b) : serial(y, b, a);
  }
  // d.m.y, m.y (Romanian)
  if ((m = /^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$/.exec(t))) return serial(year(m[3]!), +m[2]!, +m[1]!);
  if ((m = /^(\d{1,2})\.(\d{4})$/.exec(t))) return serial(+m[2]!, +m[1]!, 1);
  // 31-Dec-2024, 31 Dec 2024, 16 decembrie 2022, 31-Dec
  if ((m = new RegExp(`^(\\d{1,2})[- ]${MONTH}(?:[- ,]+(\\d{2}|\\d{4}))?$`, 'i').exec(t))) {
    const mo = month(m[2]!);
    return mo ? serial(m[3] ? year(m[3]) : CURRENT_YEAR, mo, +m[1]!) : null;
  }
  // Dec 31, 2024; Dec 2024; Dec-24; Sep-24; iunie 2023
  if ((m = new RegExp(`^${MONTH}[- ](\\d{1,2})(?:,\\s*(\\d{4}))?$`, 'i').exec(t))) {
    const mo = month(m[1]!);
    if (!mo) return null;
    if (m[3]) return serial(+m[3], mo, +m[2]!);
    const n = +m[2]!;
    return n >= 1 && n <= 31 && serial(CURRENT_YEAR, mo, n) !== null
      ? serial(CURRENT_YEAR, mo, n)
      : serial(year(m[2]!), mo, 1);
  }
  if ((m = new RegExp(`^${MONTH}[- ,]+(\\d{4})$`, 'i').exec(t))) {
    const mo = month(m[1]!);
    return mo ? serial(+m[2]!, mo, 1) : null;
  }
  return null;
}

function parseTyped(text: string): ReturnType<typeof convertInput> | null {
  const t = text.trim();
  if (t === '') return null;
  if (ERROR_LITERALS.includes(t.toUpperCase())) return { value: t.toUpperCase(), parsedAs: 'error' };
  if (/^(true|false)$/i.test(t)) return { value: t.toLowerCase() === 'true', parsedAs: 'boolean' };
  const plain = (s: string): number | null =>
    /^(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$/.test(s) && /\d/.test(s) ? Number(s.replace(/,/g, '')) : null;
  let m = /^([+-]?)\s*([$€£]?)\s*([\d.,eE+-]+)\s*(%?)$/.exec(t);
  let negative = false;
  if (!m) {
    const paren = /^\(\s*([$€£]?)\s*([\d.,]+)\s*\)$/.exec(t);
    if (paren) {
      m = ['', '', paren[1]!, paren[2]!, ''] as unknown as RegExpExecArray;
      negative = true;
    }
  }
  if (m) {
    const n = plain(m[3]!);
    if (n !== null) {
      const sign = m[1] === '-' || negative ? -1 : 1;
      if (m[4]) return { value: (sign * n) / 100, parsedAs: 'percent', numberFormat: '0%' };
      if (m[2]) return { value: sign * n, parsedAs: 'currency', numberFormat: `${m[2]}#,##0.00` };
      return { value: sign * n, parsedAs: 'number' };
    }
  }
  const date = parseDate(t);
  if (date !== null) return { value: date, parsedAs: 'date', numberFormat: 'm/d/yyyy' };
  const time = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?$/i.exec(t);
  if (time && +time[1]! < 24 && +time[2]! < 60)
    return {
      value:
        ((+time[1]! % 12) +
          (time[4]?.toLowerCase() === 'pm' || (!time[4] && +time[1]! === 12) ? 12 : 0) +
          +time[2]! / 60) /
        24,
      parsedAs: 'time',
      numberFormat: 'h:mm',
    };
  return null;
}

export interface SyncStats {
  /** Round trips: syncs that carried at least one queued operation. */
  syncs: number;
  /** Excel.run calls. */
  runs: number;
  /** Bytes (UTF-8 JSON) of the largest request, and of the largest response (loaded properties). */
  largestRequestBytes: number;
  largestResponseBytes: number;
  totalRequestBytes: number;
}

/**
 * Which Excel the fake plays: the requirement sets it supports and its limits. Excel 2021 (perpetual, Windows/Mac)
 * stops at ExcelApi 1.14; Microsoft 365 and Excel on the web have 1.18 (notes). Only the web host has the 5 MB
 * request/response limit and the 5,000,000-cell read limit.
 */
export type FakeHost = 'web' | 'm365' | 'excel2021';
export const HOST_API: Record<FakeHost, string> = { web: '1.18', m365: '1.18', excel2021: '1.14' };

/** `1.9` < `1.10` < `1.18`: requirement set versions compare by minor number, not as decimals. */
export function apiVersionAtMost(version: string, max: string): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  const [c = 0, d = 0] = max.split('.').map(Number);
  return a < c || (a === c && b <= d);
}

export interface FakeWorkbookOptions {
  host?: FakeHost;
  /** Excel on the web refuses requests and responses over 5 MB (RequestPayloadSizeLimitExceeded). */
  payloadLimitBytes?: number;
}

export const WEB_PAYLOAD_LIMIT = 5 * 1024 * 1024;
/** Excel on the web refuses to read a range of more cells than this in one request. */
export const WEB_READ_CELL_LIMIT = 5_000_000;

export class FakeWorkbook {
  readonly sheets: FakeSheet[] = [];
  /** Office.context.document.settings as saved in the document (saveAsync). */
  savedSettings: Record<string, unknown> = {};
  stats: SyncStats = { syncs: 0, runs: 0, largestRequestBytes: 0, largestResponseBytes: 0, totalRequestBytes: 0 };
  /** Every sync's request size, in order. */
  readonly syncLog: { requestBytes: number; responseBytes: number; operations: number }[] = [];
  activeSheet: FakeSheet | null = null;
  comments: FakeComment[] = [];
  notes: FakeNote[] = [];
  selection: { sheet: string; rect: Rect } | null = null;
  readonly payloadLimitBytes: number;
  readonly host: FakeHost;
  private nextId = 1;
  private pendingEvents: { sheet: FakeSheet; rect: Rect }[] = [];

  constructor(options: FakeWorkbookOptions = {}) {
    this.host = options.host ?? 'web';
    this.payloadLimitBytes = options.payloadLimitBytes ?? (this.host === 'web' ? WEB_PAYLOAD_LIMIT : Infinity);
  }

  supports(set: string, version = '1.1'): boolean {
    return set === 'ExcelApi' && apiVersionAtMost(version, HOST_API[this.host]);
  }

  /** Loading the values (or formats) of this many cells in one request: refused on the web host. */
  assertReadable(cells: number): void {
    if (this.host === 'web' && cells > WEB_READ_CELL_LIMIT)
      throw new FakeOfficeError(
        'ResponsePayloadSizeLimitExceeded',
        `The range has ${cells} cells: Excel on the web reads at most ${WEB_READ_CELL_LIMIT} in one request.`,
      );
  }

  static fromGrid(grid: WorkbookGrid, options?: FakeWorkbookOptions): FakeWorkbook {
    const wb = new FakeWorkbook(options);
    for (const s of grid.sheets) {
      const sheet = wb.addSheet(s.name);
      s.rows.forEach((row, r) =>
        row.forEach((v, c) => {
          if (v !== null && v !== '') sheet.cells.set(key(r, c), { value: v as Scalar });
        }),
      );
      sheet.merges = s.merges.map((m) => ({ ...m }));
      sheet.visibility = s.state === 'veryHidden' ? 'VeryHidden' : s.state === 'hidden' ? 'Hidden' : 'Visible';
    }
    wb.activeSheet = wb.sheets.find((s) => s.visibility === 'Visible') ?? null;
    return wb;
  }

  newId(prefix: string): string {
    return `{${prefix}-${this.nextId++}}`;
  }

  addSheet(name: string): FakeSheet {
    if (!name || name.length > 31 || /[[\]:*?/\\]/.test(name))
      throw new FakeOfficeError('InvalidArgument', `Invalid sheet name ${name}`);
    if (this.sheet(name)) throw new FakeOfficeError('ItemAlreadyExists', `A sheet named ${name} already exists.`);
    const sheet = new FakeSheet(this, name, this.newId('sheet'));
    this.sheets.push(sheet);
    return sheet;
  }

  sheet(name: string): FakeSheet | undefined {
    const lower = name.toLocaleLowerCase();
    return this.sheets.find((s) => s.name.toLocaleLowerCase() === lower);
  }

  requireSheet(name: string): FakeSheet {
    const s = this.sheet(name);
    if (!s) throw new FakeOfficeError('ItemNotFound', `The requested resource doesn't exist (sheet ${name}).`);
    return s;
  }

  setVisibility(sheet: FakeSheet, visibility: Visibility): void {
    if (!['Visible', 'Hidden', 'VeryHidden'].includes(visibility))
      throw new FakeOfficeError('InvalidArgument', `visibility ${visibility}`);
    if (visibility !== 'Visible' && this.sheets.filter((s) => s !== sheet && s.visibility === 'Visible').length === 0)
      throw new FakeOfficeError('InvalidOperation', 'A workbook must contain at least one visible worksheet.');
    sheet.visibility = visibility;
  }

  noteChange(sheet: FakeSheet, rect: Rect): void {
    this.pendingEvents.push({ sheet, rect });
  }

  /** Fires worksheet onChanged for the writes of the last sync, asynchronously as Excel does. */
  flushEvents(): void {
    const events = this.pendingEvents;
    this.pendingEvents = [];
    for (const { sheet, rect } of events) {
      const event: ChangedEvent = {
        type: 'WorksheetChanged',
        changeType: 'RangeEdited',
        source: 'Local',
        worksheetId: sheet.id,
        address: rectAddress(rect),
      };
      for (const handler of sheet.changedHandlers) setTimeout(() => void handler(event), 0);
    }
  }

  /** A user typing into the sheet (not through the add-in): honours protection, fires onChanged. */
  userEdit(sheetName: string, address: string, values: CellValue[][]): void {
    const sheet = this.requireSheet(sheetName);
    const { rect } = parseRangeAddress(address);
    sheet.writeValues(
      rect,
      values.map((row) => row.map((v) => (v === null ? '' : v))),
    );
    this.flushEvents();
  }

  resetStats(): void {
    this.stats = { syncs: 0, runs: 0, largestRequestBytes: 0, largestResponseBytes: 0, totalRequestBytes: 0 };
    this.syncLog.length = 0;
  }

  /** The workbook as a grid (what readWorkbook should give back): '' cells as null, trailing empties trimmed. */
  toGrid(): WorkbookGrid {
    return {
      sheets: this.sheets.map((s) => {
        const used = s.usedRect(true);
        const rows: CellValue[][] = [];
        if (used)
          for (let r = 0; r <= used.bottom; r++) {
            const row: CellValue[] = [];
            for (let c = 0; c <= used.right; c++) {
              const v = s.value(r, c);
              row.push(v === '' ? null : v);
            }
            rows.push(row);
          }
        return {
          name: s.name,
          state: s.visibility === 'VeryHidden' ? 'veryHidden' : s.visibility === 'Hidden' ? 'hidden' : 'visible',
          rows,
          merges: s.merges.map((m) => ({ ...m })),
        };
      }),
    };
  }
}
