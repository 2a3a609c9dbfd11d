// The one reader both hosts use (SPEC 2): a grid of cell values in, the Plan out. It reads the workbook as the
// team has it (a Word table pasted into Excel, with page headers, repeated header rows and continuation rows)
// and never throws: whatever it cannot understand becomes a finding.
import { z } from 'zod';
import { cellAddress } from './address';
import {
  ADDED_HEADERS,
  FIELDS,
  META_SHEET,
  SCHEMA_VERSION,
  type Action,
  type CellValue,
  LAYOUT_COLUMNS,
  type Column,
  type ColumnChoice,
  type Criterion,
  type LayoutColumn,
  type MappedColumn,
  type PlanSheet,
  type Field,
  type Finding,
  type Plan,
  type PlanMeta,
  type SheetGrid,
  type Subcriterion,
  type Unit,
  type WorkbookGrid,
} from './model';
import { parseResources } from './resources';
import { finding, quote } from './rules';
import { cellText, foldKey } from './text';

/** The header row must be among the first rows of the sheet (title rows above it are common, tables are not). */
export const HEADER_SEARCH_ROWS = 30;
/** How far down the second pass looks when no sheet has a header in its first rows. */
export const DEEP_HEADER_SEARCH_ROWS = 1000;
/** Excel's limit for the text of one cell. */
export const MAX_CELL_CHARS = 32_767;

// --- Header recognition by meaning (SPEC 2) -------------------------------------------------------------------

/** Field names shown in messages and the mapping, as the seed writes them. */
export const FIELD_HEADERS: Record<MappedColumn, string> = {
  id: ADDED_HEADERS.id,
  action: 'Acțiuni necesare',
  result: 'Rezultate măsurabile',
  owners: 'Responsabil',
  deadline: 'Termen de realizare',
  monitoring: 'Monitorizare și evaluare',
  resources: 'Resurse necesare',
  status: ADDED_HEADERS.status,
  dueDate: ADDED_HEADERS.dueDate,
  ownerCodes: ADDED_HEADERS.ownerCodes,
  number: 'Nr. crt.',
  level: 'Nivel',
  criterion: 'Criteriu',
  subcriterion: 'Subcriteriu',
  year: 'An',
};

// Headers matched whole before any head word: the ones prepare writes and a few whose head word misleads.
const EXACT_HEADERS: Record<string, MappedColumn> = {};
for (const [column, name] of Object.entries(ADDED_HEADERS)) EXACT_HEADERS[foldKey(name)] = column as MappedColumn;

// The head word (first word after folding, qualifiers in parentheses dropped) of each field's headers.
const HEAD_WORDS: readonly [MappedColumn, readonly string[]][] = [
  ['id', ['id', 'cod', 'codul']],
  ['number', ['nr', 'numar', 'numarul', 'crt', 'pozitia']],
  [
    'action',
    [
      'actiune',
      'actiuni',
      'actiunea',
      'actiunile',
      'subactiuni',
      'masura',
      'masuri',
      'masurii',
      'masurile',
      'activitate',
      'activitati',
      'activitatea',
      'activitatile',
      'denumire',
      'denumirea',
      'descriere',
      'descrierea',
    ],
  ],
  [
    'result',
    [
      'rezultat',
      'rezultate',
      'rezultatul',
      'rezultatele',
      'indicator',
      'indicatori',
      'indicatorul',
      'indicatorii',
      'tinta',
      'tinte',
    ],
  ],
  ['owners', ['responsabil', 'responsabili', 'responsabilul', 'responsabilii', 'responsabilitate', 'responsabilitati']],
  [
    'deadline',
    [
      'termen',
      'termene',
      'termenul',
      'termenele',
      'perioada',
      'trimestrul',
      'trimestru',
      'semestrul',
      'luna',
      'scadenta',
    ],
  ],
  [
    'monitoring',
    [
      'monitorizare',
      'monitorizarea',
      'stadiu',
      'stadiul',
      'observatii',
      'observatie',
      'evaluare',
      'mentiuni',
      'comentarii',
    ],
  ],
  ['resources', ['resurse', 'resursa', 'resursele', 'buget', 'bugetul', 'surse', 'sursa']],
  ['status', ['stare', 'starea', 'status']],
  ['level', ['nivel', 'nivelul']],
  ['criterion', ['criteriu', 'criteriul', 'criterii']],
  ['subcriterion', ['subcriteriu', 'subcriteriul', 'subcriterii']],
  ['year', ['an', 'anul']],
];
const HEAD_WORD: ReadonlyMap<string, MappedColumn> = new Map(
  HEAD_WORDS.flatMap(([column, words]) => words.map((w) => [w, column] as const)),
);
// `Stadiu realizare` / `Stadiul implementării` is the status; `Stadiu` alone is monitoring.
const STATUS_AFTER_STADIU = /^stadiu[l]? (?:de )?(?:realizar|implementar|indeplinir)/;
const PARENS_RE = /\([^)]*\)?|\[[^\]]*\]?/g;
const TRAILING_PUNCT_RE = /[\s:.]+$/;

/** The key a header cell is matched on: folded case, diacritics and whitespace, trailing `:` / `.` dropped. */
export function headerKey(text: string): string {
  return foldKey(text).replace(TRAILING_PUNCT_RE, '');
}

// Headers are short; folding every long data cell would cost time on 50,000-row plans for nothing.
const MAX_HEADER_CHARS = 100;

/** The fields a header cell names, by meaning: usually one, two for `Responsabili / Resurse`; [] for none. */
export function headerFields(value: CellValue | undefined): MappedColumn[] {
  if (typeof value !== 'string' || value.length > MAX_HEADER_CHARS) return [];
  // Header cells carry no numbers: `CRITERIUL 1: LEADERSHIP` is a title, `2023` a year's value.
  if (/\d/.test(value)) return [];
  const key = headerKey(value);
  const exact = EXACT_HEADERS[key];
  if (exact) return [exact];
  const out: MappedColumn[] = [];
  for (const part of key.replace(PARENS_RE, ' ').split(/[/|]/)) {
    const words = part.trim().match(/[a-z0-9]+/g);
    if (!words) continue;
    let column = HEAD_WORD.get(words[0]!);
    if (column === 'monitoring' && STATUS_AFTER_STADIU.test(words.join(' '))) column = 'status';
    // `Nr. crt.` / `Nr. ord.` / `Nr.or`: numbering whatever follows; `Cod acțiune` an id.
    if (column && !out.includes(column)) out.push(column);
  }
  return out;
}

/** The one field a header cell names, or null (a header naming two fields gives the first). */
export function headerColumn(value: CellValue | undefined): MappedColumn | null {
  return headerFields(value)[0] ?? null;
}

const SCORE: Record<MappedColumn, number> = {
  action: 4,
  owners: 3,
  deadline: 3,
  result: 2,
  monitoring: 1,
  resources: 1,
  status: 1,
  id: 1,
  number: 1,
  level: 1,
  criterion: 1,
  subcriterion: 1,
  year: 1,
  dueDate: 1,
  ownerCodes: 1,
};

export interface HeaderMatch {
  /** First and last header rows (0-based): a milestone table has two. */
  top: number;
  row: number;
  columns: Partial<Record<MappedColumn, number>>;
  headers: Partial<Record<MappedColumn, string>>;
  score: number;
}

function addColumn(match: HeaderMatch, value: CellValue | undefined, c: number): void {
  for (const column of headerFields(value)) {
    if (match.columns[column] !== undefined) continue;
    match.columns[column] = c;
    match.headers[column] = text(value);
    match.score += SCORE[column];
  }
}

/** A header row needs an action column and one of the columns that make it a plan (results, owners, deadline). */
function isPlanHeader(match: HeaderMatch): boolean {
  const c = match.columns;
  return c.action !== undefined && (c.owners !== undefined || c.deadline !== undefined || c.result !== undefined);
}

function matchRows(rows: readonly CellValue[][], top: number, depth: 1 | 2): HeaderMatch | null {
  const first = rows[top];
  if (!Array.isArray(first)) return null;
  const second = depth === 2 ? rows[top + 1] : undefined;
  if (depth === 2 && !Array.isArray(second)) return null;
  const match: HeaderMatch = { top, row: top + depth - 1, columns: {}, headers: {}, score: 0 };
  const width = Math.max(first.length, second?.length ?? 0);
  for (let c = 0; c < width; c++) {
    // The lower row names the column when it can (`Termen` over `Trimestrul | Anul`).
    if (second && headerFields(second[c]).length > 0) addColumn(match, second[c], c);
    else addColumn(match, first[c], c);
  }
  return isPlanHeader(match) ? match : null;
}

/** The best header among rows [from, to): every candidate scored, one or two rows deep; the first of the best wins. */
export function findHeader(sheet: SheetGrid, from: number, to: number): HeaderMatch | null {
  let best: HeaderMatch | null = null;
  const last = Math.min(sheet.rows.length, to);
  let one = last > from ? matchRows(sheet.rows, from, 1) : null;
  for (let r = from; r < last; r++) {
    const below = r + 1 < sheet.rows.length ? matchRows(sheet.rows, r + 1, 1) : null;
    let pick = one;
    // Two rows only when both hold nothing but header words and together they say more than either alone.
    if (onlyHeaderWords(sheet.rows[r]) && onlyHeaderWords(sheet.rows[r + 1])) {
      const two = matchRows(sheet.rows, r, 2);
      if (two && two.score > (one?.score ?? 0) && two.score > (below?.score ?? 0)) pick = two;
    }
    if (pick && (!best || pick.score > best.score)) best = pick;
    one = below;
  }
  return best;
}

/** True when every filled cell of the row is a header word (never an action's text, a title or a number). */
function onlyHeaderWords(row: readonly CellValue[] | undefined): boolean {
  if (!Array.isArray(row)) return false;
  let named = 0;
  for (const v of row) {
    if (v === null || v === undefined || v === '') continue;
    if (headerFields(v).length === 0) return false;
    named++;
  }
  return named > 0;
}

/** Applies the user's corrections: a field moved to another column leaves the one the reader guessed. */
function applyChoice(match: HeaderMatch, choice: ColumnChoice | undefined, sheet: SheetGrid): HeaderMatch {
  if (!choice) return match;
  const columns = { ...match.columns };
  const headers = { ...match.headers };
  const chosen = Object.entries(choice).filter(([, c]) => Number.isInteger(c) && c >= 0) as [MappedColumn, number][];
  // A column the user gave to a field no longer feeds the field the reader had guessed for it.
  for (const [guessed, c] of Object.entries(columns) as [MappedColumn, number][]) {
    if (choice[guessed] === undefined && chosen.some(([, cc]) => cc === c)) {
      delete columns[guessed];
      delete headers[guessed];
    }
  }
  for (const [column, c] of chosen) {
    columns[column] = c;
    headers[column] = text(sheet.rows[match.row]?.[c]) || text(sheet.rows[match.top]?.[c]);
  }
  return { ...match, columns, headers };
}

// --- Row shapes -------------------------------------------------------------------------------------------------

// `CRITERIUL 1: LEADERSHIP`, `Criteriul 6 - Rezultate ...`, `Criteriul nr. 2. Strategie`.
const CRITERION_RE = /^\s*criteriul\s*(?:nr\.?\s*)?(\d{1,2})(?!\d)\s*(?:[:.\-–—)]\s*)?(.*)$/isu;
// `1.1: Liderii ...`, `1.1 Liderii ...`, `1.1. Liderii`, `Subcriteriul 1.1 - ...`; never `1.1.1 ...` (an action id).
const SUBCRITERION_RE =
  /^\s*(?:subcriteriul\s*)?(\d{1,2})\s*\.\s*(\d{1,2})(?![\d])(?!\.\d)\s*(?:[:.\-–—)]\s*)?(.*)$/isu;
// `1. Comunicarea`, `4.Revizuirea`, `2) ...`; not `2014-2020` nor `1.1: ...`.
const ACTION_NUMBER_RE = /^\s*(\d{1,4})\s*[.)](?!\d)/u;
// `1.1.3 Comunicarea` or `1.1.3. Comunicarea`: a number given as a full id.
const ACTION_FULL_ID_RE = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{1,4})(?!\d)/u;
const ACTION_ID_RE = /^\d{1,2}\.\d{1,2}\.\d{1,4}$/;
/** A well-formed action id (`1.1.1`): what a merge can match rows by. */
export function isActionId(id: string): boolean {
  return ACTION_ID_RE.test(id);
}
const BARE_NUMBER_RE = /^\d{1,4}$/;
const LEGEND_HEAD_RE = /^\s*legend[aă](?![\p{L}\p{N}])\s*:?\s*(.*)$/isu;
// `CMON - Comisia de Monitorizare ... - PSI;` (codes are capitals and digits; the name runs to the end).
const LEGEND_LINE_RE = /^\s*([A-ZĂÂÎȘȚŞŢ][A-Z0-9ĂÂÎȘȚŞŢ]{1,11})\s*[-–—:=]\s*(.*?\p{L}.*?)[\s;.,]*$/su;
const CODE_RE = /^[A-ZĂÂÎȘȚŞŢ][A-Z0-9ĂÂÎȘȚŞŢ]{1,11}$/u;
const LEGEND_SPLIT_RE = /[;\n]+/;
const LOWERCASE_RE = /\p{Ll}/u;
const LEGEND_SHEET_KEYS = new Set(['legenda', 'unitati', 'compartimente', 'structuri', 'responsabili']);

function startsWithDigit(s: string): boolean {
  const code = s.trimStart().charCodeAt(0);
  return code >= 48 && code <= 57;
}

function text(value: CellValue | undefined): string {
  return cellText(value).trim();
}

/** `-`, `--`, `—`: what the team writes in a cell that has nothing to say. */
function isPlaceholder(t: string): boolean {
  if (t.length === 0 || t.length > 3) return t.length === 0;
  for (const ch of t) if (ch !== '-' && ch !== '–' && ch !== '—') return false;
  return true;
}

function isFilled(value: CellValue | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value !== 'string') return true;
  return !isPlaceholder(value.trim());
}

/** A row's first filled cell, or -1 when it has none (blank or only placeholders). */
function leadColumn(row: readonly CellValue[]): number {
  for (let c = 0; c < row.length; c++) if (isFilled(row[c])) return c;
  return -1;
}

/** True when no cell but `lead` is filled; a host that repeats a merged area's value in every cell still counts. */
function onlyLead(row: readonly CellValue[], lead: number): boolean {
  const leadText = row[lead];
  for (let c = lead + 1; c < row.length; c++) {
    const v = row[c];
    if (isFilled(v) && v !== leadText) return false;
  }
  return true;
}

const EMAIL_RE = /^[^\s@<>;,()"]+@[^\s@<>;,()"]+\.[^\s@<>;,()"]+$/;

/** The addresses in the cells of a legend row from `from` on (`a@x.ro; b@x.ro` in one cell, or one per cell). */
function withEmails(unit: Unit, row: readonly CellValue[], from: number): Unit {
  const emails: string[] = [];
  for (let c = from; c < row.length; c++) {
    for (const part of text(row[c]).split(/[\s;,]+/)) {
      const address = part.replace(/^mailto:/i, '').toLowerCase();
      if (EMAIL_RE.test(address) && !emails.includes(address)) emails.push(address);
    }
  }
  return emails.length > 0 ? { ...unit, emails } : unit;
}

function parseLegendLine(line: string): Unit | null {
  const m = LEGEND_LINE_RE.exec(line);
  if (!m) return null;
  return { code: m[1]!, name: m[2]!.trim() };
}

// --- Metadata -------------------------------------------------------------------------------------------------

const nonEmpty = z.string().trim().min(1);
const wholeNumber = z
  .string()
  .trim()
  .regex(/^\d+$/, 'expected a whole number')
  .transform((s) => Number(s));

/** The `_caf_plan` sheet's rows (`key | value`), every value read as text. */
export const PlanMetaRows = z.object({
  planId: nonEmpty,
  revision: wholeNumber,
  unit: nonEmpty.optional(),
  issuedAt: nonEmpty.optional(),
  schemaVersion: wholeNumber.pipe(
    z.number().int().min(1).max(SCHEMA_VERSION, `written by a newer caf-plan (schema version above ${SCHEMA_VERSION})`),
  ),
  editable: z
    .string()
    .transform((s) =>
      s
        .split(/[,;\s]+/)
        .map((f) => f.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(FIELDS)))
    .optional(),
});

/** The rows `prepare` writes into `_caf_plan`, in the form `readPlan` reads back. */
export function metaRows(meta: PlanMeta): [string, string][] {
  const rows: [string, string][] = [
    ['planId', meta.planId],
    ['revision', String(meta.revision)],
  ];
  if (meta.unit) rows.push(['unit', meta.unit]);
  if (meta.issuedAt) rows.push(['issuedAt', meta.issuedAt]);
  rows.push(['schemaVersion', String(meta.schemaVersion)]);
  if (meta.editable) rows.push(['editable', meta.editable.join(',')]);
  if (meta.columns && Object.keys(meta.columns).length > 0) rows.push(['columns', formatColumnChoice(meta.columns)]);
  return rows;
}

const MAPPED_COLUMNS: readonly MappedColumn[] = [...FIELDS, 'dueDate', 'ownerCodes', ...LAYOUT_COLUMNS];

/** Column letters (`F`, `AB`) to a 0-based index, or null. */
export function columnIndex(letters: string): number | null {
  const t = letters.trim().toUpperCase();
  if (!/^[A-Z]{1,3}$/.test(t)) return null;
  let n = 0;
  for (const ch of t) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** A 0-based column index as its letters (`5` -> `F`). */
export function columnLetters(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/**
 * A column mapping as the user writes it (`deadline=F,owners=E`, CLI `--columns`, `_caf_plan` key `columns`):
 * the choice, and the parts that are not `field=LETTER` with a known field.
 */
export function parseColumnChoice(textValue: string): { choice: ColumnChoice; bad: string[] } {
  const choice: ColumnChoice = {};
  const bad: string[] = [];
  for (const part of textValue.split(/[,;\s]+/)) {
    if (!part) continue;
    const m = /^([A-Za-z]+)=([A-Za-z]+)$/.exec(part);
    const field = m ? MAPPED_COLUMNS.find((f) => f.toLowerCase() === m[1]!.toLowerCase()) : undefined;
    const index = m ? columnIndex(m[2]!) : null;
    if (!field || index === null) bad.push(part);
    else choice[field] = index;
  }
  return { choice, bad };
}

/** The stored form of a column choice (`deadline=F,owners=E`). */
export function formatColumnChoice(choice: ColumnChoice): string {
  return (Object.entries(choice) as [MappedColumn, number][])
    .filter(([, c]) => Number.isInteger(c) && c >= 0)
    .map(([f, c]) => `${f}=${columnLetters(c)}`)
    .join(',');
}

function readMeta(sheet: SheetGrid): { meta: PlanMeta | null; columns?: ColumnChoice; findings: Finding[] } {
  const record: Record<string, string> = {};
  for (const row of sheet.rows) {
    if (!Array.isArray(row)) continue;
    const key = text(row[0]);
    const value = text(row[1]);
    if (key && value && !(key in record)) record[key] = value;
  }
  // The coordinator's column choice stands on its own: a plan not prepared yet may carry it.
  const columns = record.columns ? parseColumnChoice(record.columns).choice : undefined;
  delete record.columns;
  if (Object.keys(record).length === 0) return { meta: null, ...(columns ? { columns } : {}), findings: [] };
  const withColumns = <T extends object>(x: T): T & { columns?: ColumnChoice } => (columns ? { ...x, columns } : x);
  const parsed = PlanMetaRows.safeParse(record);
  if (parsed.success) {
    const meta: PlanMeta = {
      planId: parsed.data.planId,
      revision: parsed.data.revision,
      schemaVersion: parsed.data.schemaVersion,
    };
    if (parsed.data.unit) meta.unit = parsed.data.unit;
    if (parsed.data.issuedAt) meta.issuedAt = parsed.data.issuedAt;
    if (parsed.data.editable) meta.editable = parsed.data.editable;
    if (columns) meta.columns = columns;
    return withColumns({ meta, findings: [] });
  }
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '?'}: ${i.message}`).join('; ');
  return withColumns({
    meta: null,
    findings: [
      finding(
        'meta-invalid',
        {
          ro: `Metadatele din foaia ${META_SHEET} nu sunt valide (${problems}); fișierul nu poate fi comasat până nu este pregătit din nou.`,
          en: `The metadata in the ${META_SHEET} sheet is invalid (${problems}); the file cannot be merged until it is prepared again.`,
        },
        { sheet: sheet.name },
      ),
    ],
  });
}

// --- Legend -----------------------------------------------------------------------------------------------------

class Legend {
  readonly units: Unit[] = [];
  readonly findings: Finding[] = [];
  private readonly byCode = new Map<string, Unit>();

  add(unit: Unit, sheet: string, row: number, col: number): void {
    const known = this.byCode.get(unit.code);
    if (!known) {
      this.byCode.set(unit.code, unit);
      this.units.push(unit);
    } else if (foldKey(known.name) !== foldKey(unit.name)) {
      this.findings.push(
        finding(
          'legend-duplicate',
          {
            ro: `Codul ${unit.code} apare de două ori în legendă: ${quote(known.name)} și ${quote(unit.name)}; se folosește primul.`,
            en: `Code ${unit.code} appears twice in the legend: ${quote(known.name)} and ${quote(unit.name)}; the first is used.`,
          },
          { sheet, cell: cellAddress(row, col) },
        ),
      );
    }
  }

  /** Reads the legend lines held in one cell (`CL - Consiliul Local; DI - Direcția Investiții`). */
  addText(raw: string, sheet: string, row: number, col: number): boolean {
    let any = false;
    for (const part of raw.split(LEGEND_SPLIT_RE)) {
      if (!part.trim()) continue;
      const unit = parseLegendLine(part);
      if (unit) {
        this.add(unit, sheet, row, col);
        any = true;
      } else {
        this.badLine(part, sheet, row, col);
      }
    }
    return any;
  }

  /**
   * One row of a legend: `CODE - Name` in one cell, or the code in one cell and the name in the next; the cells after
   * them that hold e-mail addresses (the optional `E-mail` column) are the unit's contacts.
   */
  addRow(row: readonly CellValue[], lead: number, sheet: string, r: number): boolean {
    const first = text(row[lead]);
    const next = lead + 1 < row.length ? text(row[lead + 1]) : '';
    if (CODE_RE.test(first) && next && !isPlaceholder(next) && !EMAIL_RE.test(next)) {
      this.add(withEmails({ code: first, name: next.replace(/[\s;.,]+$/, '') }, row, lead + 2), sheet, r, lead);
      return true;
    }
    const unit = parseLegendLine(first);
    if (!unit) return false;
    this.add(withEmails(unit, row, lead + 1), sheet, r, lead);
    return true;
  }

  badLine(line: string, sheet: string, row: number, col: number): void {
    this.findings.push(
      finding(
        'legend-line',
        {
          ro: `Rândul de legendă ${quote(line)} nu are forma COD - Denumire.`,
          en: `The legend line ${quote(line)} is not of the form CODE - Name.`,
        },
        { sheet, cell: cellAddress(row, col) },
      ),
    );
  }
}

/** A legend on its own sheet: after a `Legendă` row, or every row when the sheet is named like one. */
function readLegendSheet(sheet: SheetGrid, legend: Legend): void {
  // A sheet named like a legend is one whole (with a `Cod | Denumire` header, notes...); elsewhere a legend runs
  // from its `Legendă` row to the first row that is not `CODE - Name`.
  const wholeSheet = LEGEND_SHEET_KEYS.has(headerKey(sheet.name));
  let inLegend = wholeSheet;
  for (let r = 0; r < sheet.rows.length; r++) {
    const row = sheet.rows[r];
    if (!Array.isArray(row)) continue;
    const lead = leadColumn(row);
    if (lead < 0) continue;
    const first = text(row[lead]);
    const head = first.length < 2000 ? LEGEND_HEAD_RE.exec(first) : null;
    if (head) {
      inLegend = true;
      if (head[1]!.trim()) legend.addText(head[1]!, sheet.name, r, lead);
      continue;
    }
    if (inLegend && !legend.addRow(row, lead, sheet.name, r)) inLegend = wholeSheet;
  }
}

// --- The plan sheet -------------------------------------------------------------------------------------------

interface Draft {
  action: Action;
  /** The raw id column text when the sheet has one, to tell a malformed id from a composed one. */
  idText: string | null;
  /** A full code (`1.1.3`) found in the number column, the level column or the action cell. */
  code: string | null;
  /** The team's running number (`Nr. crt.`) when the table has a number column. */
  running: number | null;
}

interface PendingRow {
  row: number;
  cells: [Field, string][];
}

/** Continuation rows may sit one blank row below their action (a Word cell split over two paragraphs), not more. */
const MAX_BLANKS_BEFORE_CONTINUATION = 1;

function emptyText(): Record<Field, string> {
  return { id: '', action: '', result: '', owners: '', deadline: '', monitoring: '', resources: '', status: '' };
}

// `1.1.3` / `1.1.3.` alone (a number column) and `Măsura 1.1.3` (a level column).
const FULL_CODE_RE = /(?:^|\s)(\d{1,2})\.(\d{1,2})\.(\d{1,4})\.?(?!\d)/u;
const SUB_CODE_RE = /(?:^|\s)(\d{1,2})\.(\d{1,2})\.?(?![\d.])/u;
const CRIT_CODE_RE = /(\d{1,2})(?!\d|\.\d)/u;
const YEAR_IN_TEXT_RE = /\b\d{4}\b/;
const LEVEL_CRITERION_RE = /^criteri/;
const LEVEL_SUB_RE = /^subcriteri/;

/** What one sheet's table gives: its rows as actions, criteria and subcriteria in reading order. */
interface TableRead {
  repeatedHeaderRows: number[];
  criteria: Criterion[];
  subcriteria: Subcriterion[];
  drafts: Draft[];
  findings: Finding[];
}

/** The plan-wide state the sheets of one plan share: subcriteria seen, and each subcriterion's action count. */
interface ReadState {
  seenSubcriteria: Set<string>;
}

function readTable(
  sheet: SheetGrid,
  header: HeaderMatch,
  legend: Legend,
  state: ReadState,
  sheetName: string | undefined,
): TableRead {
  const findings: Finding[] = [];
  const criteria: Criterion[] = [];
  const subcriteria: Subcriterion[] = [];
  const repeatedHeaderRows: number[] = [];
  const drafts: Draft[] = [];
  const all = header.columns;
  const columns: Partial<Record<Column, number>> = {};
  for (const [k, c] of Object.entries(all) as [MappedColumn, number][]) {
    if (!(LAYOUT_COLUMN_SET as Set<string>).has(k)) columns[k as Column] = c;
  }
  const headerRow = header.row;

  const fieldColumns = FIELDS.filter((f) => columns[f] !== undefined).map((f) => [f, columns[f]!] as const);
  const valueColumns = (Object.entries(columns) as [Column, number][]).filter(([, c]) => c !== undefined);
  const actionCol = columns.action!;
  const idCol = columns.id;
  const numberCol = all.number;
  const levelCol = all.level;
  const criterionCol = all.criterion;
  const subCol = all.subcriterion;
  const yearCol = all.year;
  const sharedOwnersResources = columns.owners !== undefined && columns.owners === columns.resources;
  // The header's own cells: a row that repeats them is a page break of the original document.
  const signatures = [header.top, header.row].map((r) => headerSignature(sheet.rows[r]));

  // A sheet named after its criterion (`Criteriul 2`, `C2 Strategie`) starts in it.
  const fromName = /^\s*(?:criteriul|criteriu|c)\s*(\d{1,2})(?!\d)/iu.exec(sheet.name);
  let criterion: string | null = fromName ? fromName[1]!.replace(/^0+(?=\d)/, '') : null;
  let subcriterion: string | null = null;
  let subcriterionOf: string | null = null;
  let last: Draft | null = null;
  let lastContentRow = -1;
  let pending: PendingRow[] = [];
  let inLegend = false;

  const commitPending = (): void => {
    if (last) {
      for (const p of pending) {
        for (const [field, t] of p.cells) {
          const prev = last.action.text[field];
          last.action.text[field] = prev ? `${prev}\n${t}` : t;
        }
        last.action.continuationRows.push(p.row);
      }
    }
    pending = [];
  };
  const enterCriterion = (code: string, title: string, r: number): void => {
    commitPending();
    last = null;
    criterion = code.replace(/^0+(?=\d)/, '');
    subcriterion = null;
    subcriterionOf = null;
    if (!criteria.some((c) => c.code === criterion)) {
      const entry: Criterion = { code: criterion, title, row: r };
      if (sheetName !== undefined) entry.sheet = sheetName;
      criteria.push(entry);
    }
  };
  const enterSubcriterion = (c: string, s: string, title: string, r: number): void => {
    commitPending();
    last = null;
    const crit = c.replace(/^0+(?=\d)/, '');
    const code = `${crit}.${s.replace(/^0+(?=\d)/, '')}`;
    subcriterion = code;
    subcriterionOf = crit;
    if (!state.seenSubcriteria.has(code)) {
      state.seenSubcriteria.add(code);
      const entry: Subcriterion = { code, criterion: crit, title, row: r };
      if (sheetName !== undefined) entry.sheet = sheetName;
      subcriteria.push(entry);
    }
  };

  const rows = sheet.rows;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) continue;
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (typeof v === 'string' && v.length > MAX_CELL_CHARS) {
        findings.push(
          finding(
            'cell-too-long',
            {
              ro: `Celula are ${v.length} caractere, peste limita Excel de ${MAX_CELL_CHARS}: ${quote(v, 40)}.`,
              en: `The cell holds ${v.length} characters, over Excel's limit of ${MAX_CELL_CHARS}: ${quote(v, 40)}.`,
            },
            { sheet: sheet.name, cell: cellAddress(r, c) },
          ),
        );
      }
    }
    if (r >= header.top && r <= headerRow) continue;
    const lead = leadColumn(row);
    if (lead < 0) continue;
    const leadText = text(row[lead]);

    // Title rows above the table are prose, except the criterion the first table belongs to.
    const first = leadText.charCodeAt(0) | 0x20; // lower-case ASCII letter; the regexes below only run when it can match
    const criterionMatch =
      first === 0x63 /* c */ && leadText.length < 500 && onlyLead(row, lead) ? CRITERION_RE.exec(leadText) : null;
    if (r < header.top) {
      // Only the last one counts: an introduction may list every criterion (a table of contents).
      if (criterionMatch) {
        criterion = criterionMatch[1]!.replace(/^0+(?=\d)/, '');
        criteria.length = 0;
        const entry: Criterion = { code: criterion, title: criterionMatch[2]!.trim(), row: r };
        if (sheetName !== undefined) entry.sheet = sheetName;
        criteria.push(entry);
      }
      continue;
    }

    if (signatures.some((sig) => repeatsHeader(row, sig))) {
      // A page break of the original document: text between the last action and this header was a page header.
      repeatedHeaderRows.push(r);
      pending = [];
      inLegend = false;
      // A Word row split by a page break goes on below the repeated header: the header is no gap.
      if (last) lastContentRow = r;
      continue;
    }

    const legendHead = first === 0x6c /* l */ && leadText.length < 2000 ? LEGEND_HEAD_RE.exec(leadText) : null;
    if (legendHead) {
      pending = [];
      last = null;
      inLegend = true;
      if (legendHead[1]!.trim()) legend.addText(legendHead[1]!, sheet.name, r, lead);
      continue;
    }
    if (inLegend) {
      if (legend.addRow(row, lead, sheet.name, r)) continue;
      inLegend = false;
    }

    // A level column says what the row is (`Criteriul 1`, `Subcriteriul 1.1.`, `Măsura 1.1.1`).
    let levelCode: string | null = null;
    if (levelCol !== undefined && typeof row[levelCol] === 'string') {
      const levelText = text(row[levelCol]);
      // Only `Criteriul ...` / `Subcriteriul ...` need folding; `Măsura 1.1.1` rows (most of them) do not.
      const firstLetter = levelText.charCodeAt(0) | 0x20;
      const levelKey = firstLetter === 0x63 || firstLetter === 0x73 ? foldKey(levelText) : '';
      const title = text(row[actionCol]);
      const numberText = numberCol !== undefined ? text(row[numberCol]) : '';
      if (LEVEL_SUB_RE.test(levelKey)) {
        const m = SUB_CODE_RE.exec(levelText) ?? SUB_CODE_RE.exec(numberText) ?? SUB_CODE_RE.exec(title);
        if (m) {
          enterSubcriterion(m[1]!, m[2]!, title.replace(SUB_CODE_RE, '').replace(/^[\s:.\-–]+/, ''), r);
          continue;
        }
      } else if (LEVEL_CRITERION_RE.test(levelKey)) {
        const m = CRIT_CODE_RE.exec(levelText) ?? CRIT_CODE_RE.exec(numberText) ?? CRIT_CODE_RE.exec(title);
        if (m) {
          enterCriterion(m[1]!, title, r);
          continue;
        }
      } else {
        const m = FULL_CODE_RE.exec(levelText);
        if (m) levelCode = `${Number(m[1])}.${Number(m[2])}.${Number(m[3])}`;
      }
    }

    if (criterionMatch) {
      enterCriterion(criterionMatch[1]!, criterionMatch[2]!.trim(), r);
      continue;
    }

    const subLike = startsWithDigit(leadText) || first === 0x73; /* s */
    if (
      subLike &&
      ((leadText.length < 2000 && onlyLead(row, lead)) || (lead !== actionCol && onlyTitleAfter(row, lead)))
    ) {
      const sub = SUBCRITERION_RE.exec(leadText);
      if (sub) {
        let title = sub[3]!.trim();
        if (!title && lead + 1 < row.length) title = text(row[lead + 1]);
        enterSubcriterion(sub[1]!, sub[2]!, title, r);
        continue;
      }
    }

    // Criterion and subcriterion columns: a filled cell moves on, an empty one (a merged area) keeps the last.
    if (criterionCol !== undefined && isFilled(row[criterionCol])) {
      const t = text(row[criterionCol]);
      const m = CRIT_CODE_RE.exec(t);
      if (m && m[1]!.replace(/^0+(?=\d)/, '') !== criterion) {
        const code = m[1]!;
        const saved: Draft | null = last;
        enterCriterion(code, t.replace(/^\s*(?:criteriul\s*)?\d{1,2}\s*[.:\-–]?\s*/iu, ''), r);
        last = saved;
      }
    }
    if (subCol !== undefined && isFilled(row[subCol])) {
      const t = text(row[subCol]);
      const m = SUB_CODE_RE.exec(t);
      if (m && `${Number(m[1])}.${Number(m[2])}` !== subcriterion) {
        const saved: Draft | null = last;
        enterSubcriterion(m[1]!, m[2]!, t.replace(SUB_CODE_RE, '').replace(/^[\s:.\-–]+/, ''), r);
        last = saved;
      }
    }

    const actionCell = row[actionCol];
    const actionText = typeof actionCell === 'string' ? actionCell : cellText(actionCell);
    const idText = idCol !== undefined ? text(row[idCol]) : null;
    const numberValue = numberCol !== undefined ? row[numberCol] : undefined;
    // A running number is mostly a real number: no text to parse.
    const numberText = typeof numberValue === 'number' || numberCol === undefined ? '' : text(numberValue);
    let number: number | null = null;
    let code: string | null = levelCode;
    const numberFull = numberText ? FULL_CODE_RE.exec(numberText) : null;
    if (numberFull) code ??= `${Number(numberFull[1])}.${Number(numberFull[2])}.${Number(numberFull[3])}`;
    const full = ACTION_FULL_ID_RE.exec(actionText);
    if (full) {
      number = Number(full[3]);
      code ??= `${Number(full[1])}.${Number(full[2])}.${number}`;
    } else {
      const m = ACTION_NUMBER_RE.exec(actionText);
      if (m) number = Number(m[1]);
    }
    const bare = numberText.endsWith('.') ? numberText.slice(0, -1) : numberText;
    const running =
      typeof numberValue === 'number'
        ? Number.isInteger(numberValue) && numberValue > 0
          ? numberValue
          : null
        : BARE_NUMBER_RE.test(bare)
          ? Number(bare)
          : null;
    let otherFilled = false;
    for (const [field, c] of fieldColumns) {
      if (field !== 'action' && field !== 'id' && field !== 'status' && isFilled(row[c])) {
        otherFilled = true;
        break;
      }
    }
    const actionFilled = isFilled(actionCell);
    const isAction =
      number !== null ||
      code !== null ||
      (running !== null && actionFilled) ||
      (idText !== null && idText !== '' && !isPlaceholder(idText)) ||
      (actionFilled && otherFilled);

    if (isAction) {
      commitPending();
      const t = emptyText();
      for (const [field, c] of fieldColumns) t[field] = cellText(row[c]);
      const values: Action['values'] = {};
      for (const [column, c] of valueColumns) values[column] = row[c] ?? null;
      if (yearCol !== undefined) withYear(t, values, row[yearCol]);
      if (sharedOwnersResources) splitOwnersResources(t);
      const action: Action = {
        id: '',
        idFromColumn: false,
        row: r,
        criterion: subcriterionOf ?? criterion ?? '',
        subcriterion: subcriterion ?? '',
        number: number ?? running,
        text: t,
        values,
        continuationRows: [],
      };
      if (sheetName !== undefined) action.sheet = sheetName;
      last = { action, idText, code, running: numberCol !== undefined ? running : null };
      drafts.push(last);
      lastContentRow = r;
      continue;
    }

    // No number: a continuation of the action above, or prose between tables (page headers such as
    // `UNIUNEA EUROPEANĂ`), which has no lower-case letters or sits further down than one blank row.
    if (last && r - lastContentRow - 1 <= MAX_BLANKS_BEFORE_CONTINUATION) {
      const cells: [Field, string][] = [];
      for (const [field, c] of fieldColumns) {
        if (field === 'id' || !isFilled(row[c])) continue;
        cells.push([field, cellText(row[c])]);
      }
      // Text outside the table's columns (left of it) still belongs to the action cell.
      if (cells.length === 0 && !valueColumns.some(([, c]) => c === lead)) cells.push(['action', leadText]);
      const prose = cells.length === 1 && cells[0]![0] === 'action' && !LOWERCASE_RE.test(cells[0]![1]);
      if (cells.length > 0 && !prose) {
        pending.push({ row: r, cells });
        lastContentRow = r;
        continue;
      }
    }
    // Prose: it does not break the table, but nothing after it continues the action above.
    commitPending();
    last = null;
  }
  commitPending();
  return { repeatedHeaderRows, criteria, subcriteria, drafts, findings };
}

const LAYOUT_COLUMN_SET: ReadonlySet<string> = new Set<LayoutColumn>(LAYOUT_COLUMNS);

/** A header row's cells by column: the folded text, and the raw length to rule out most body rows cheaply. */
interface HeaderSignature {
  keys: Map<number, string>;
  lengths: Map<number, number>;
}

function headerSignature(row: readonly CellValue[] | undefined): HeaderSignature {
  const keys = new Map<number, string>();
  const lengths = new Map<number, number>();
  if (Array.isArray(row)) {
    row.forEach((v, c) => {
      if (typeof v === 'string' && v.length <= MAX_HEADER_CHARS && headerFields(v).length > 0) {
        keys.set(c, headerKey(v));
        lengths.set(c, v.trim().length);
      }
    });
  }
  return { keys, lengths };
}

/** True when the row repeats at least two of the header's cells and holds no other text. */
function repeatsHeader(row: readonly CellValue[], sig: HeaderSignature): boolean {
  if (sig.keys.size < 2) return false;
  // Cheap test first: a body row's cells seldom have the header's lengths (folding every cell would be slow).
  for (let c = 0; c < row.length; c++) {
    const v = row[c];
    if (v === null || v === undefined || v === '') continue;
    const len = sig.lengths.get(c);
    if (len === undefined || typeof v !== 'string' || Math.abs(v.trim().length - len) > 4) {
      if (isFilled(v)) return false;
    }
  }
  let same = 0;
  for (let c = 0; c < row.length; c++) {
    const v = row[c];
    if (!isFilled(v)) continue;
    if (typeof v !== 'string' || sig.keys.get(c) !== headerKey(v)) return false;
    same++;
  }
  return same >= 2;
}

/** A period deadline (`TRIM. IV`) beside a year column (`2023`) reads as one (`TRIM. IV 2023`). */
function withYear(t: Record<Field, string>, values: Action['values'], yearValue: CellValue | undefined): void {
  const year = text(yearValue);
  if (!/^\d{4}$/.test(year)) return;
  const period = t.deadline.trim();
  if (period !== '' && YEAR_IN_TEXT_RE.test(period)) return;
  if (typeof values.deadline === 'number') return;
  t.deadline = period === '' ? year : `${period} ${year}`;
  values.deadline = t.deadline;
}

/** One `Responsabili / Resurse` cell feeds both fields: the parts the resources vocabulary knows go to resources. */
function splitOwnersResources(t: Record<Field, string>): void {
  const owners: string[] = [];
  const resources: string[] = [];
  for (const part of t.owners.split(/[;\n]+/)) {
    const p = part.trim();
    if (!p) continue;
    const parsed = parseResources(p);
    if (parsed.kinds.length > 0 && parsed.unknown.length === 0) resources.push(p);
    else owners.push(p);
  }
  t.owners = owners.join('; ');
  t.resources = resources.join('; ');
}

/** Ids (SPEC 2): an id column wins; then a full code; then criterion.subcriterion.rank; then the action's number. */
function assignIds(drafts: readonly Draft[]): Action[] {
  const rank = new Map<string, number>();
  return drafts.map(({ action, idText, code, running }) => {
    if (idText !== null) {
      action.id = idText;
      action.idFromColumn = true;
      const m = /^(\d{1,2})\.(\d{1,2})\.\d{1,4}$/.exec(idText);
      if (m && !action.subcriterion) {
        action.criterion = m[1]!;
        action.subcriterion = `${m[1]}.${m[2]}`;
      }
      return action;
    }
    if (code !== null) {
      const [c, s, n] = code.split('.');
      action.criterion = c!;
      action.subcriterion = `${c}.${s}`;
      action.number = Number(n);
      action.id = code;
      return action;
    }
    if (!action.subcriterion) return action;
    const n = (rank.get(action.subcriterion) ?? 0) + 1;
    rank.set(action.subcriterion, n);
    // Running numbers (`Nr. crt.` 1..72 or restarting) are the team's; the id is the action's rank in its subcriterion.
    if (running !== null) {
      action.number = n;
      action.id = `${action.subcriterion}.${n}`;
      return action;
    }
    if (action.number === null) return action;
    action.id = `${action.subcriterion}.${action.number}`;
    return action;
  });
}

/** Plans that carry full codes and no heading rows still have criteria and subcriteria: the codes name them. */
function codesWithoutHeadings(actions: readonly Action[], criteria: Criterion[], subcriteria: Subcriterion[]): void {
  const knownCriteria = new Set(criteria.map((c) => c.code));
  const knownSubs = new Set(subcriteria.map((s) => s.code));
  for (const a of actions) {
    if (a.criterion && !knownCriteria.has(a.criterion)) {
      knownCriteria.add(a.criterion);
      const entry: Criterion = { code: a.criterion, title: '', row: a.row };
      if (a.sheet !== undefined) entry.sheet = a.sheet;
      criteria.push(entry);
    }
    if (a.subcriterion && !knownSubs.has(a.subcriterion)) {
      knownSubs.add(a.subcriterion);
      const entry: Subcriterion = { code: a.subcriterion, criterion: a.criterion, title: '', row: a.row };
      if (a.sheet !== undefined) entry.sheet = a.sheet;
      subcriteria.push(entry);
    }
  }
}

/** `1.1` alone in a cell (an id-like column at the left) with the title in the next cell and nothing else. */
function onlyTitleAfter(row: readonly CellValue[], lead: number): boolean {
  return (
    lead + 1 < row.length && isFilled(row[lead + 1]) && onlyLead(row, lead + 1) && BARE_SUB_RE.test(text(row[lead]))
  );
}
const BARE_SUB_RE = /^\d{1,2}\.\d{1,2}\.?$/;

// --- Entry point ----------------------------------------------------------------------------------------------

export interface ReadOptions {
  /** Columns the user chose (CLI `--columns`); they win over `_caf_plan`'s `columns`, which win over the guess. */
  columns?: ColumnChoice;
}

/** Reads the plan from a workbook's cell values. Never throws: what it cannot understand becomes a finding. */
export function readPlan(workbook: WorkbookGrid, options: ReadOptions = {}): Plan {
  try {
    return readPlanUnsafe(workbook, options);
  } catch (error) {
    // A bug of ours must not take the add-in or the nightly merge down: report it as a finding.
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ...emptyPlan(''),
      findings: [
        finding('no-header', {
          ro: `Planul nu a putut fi citit (eroare internă: ${detail}).`,
          en: `The plan could not be read (internal error: ${detail}).`,
        }),
      ],
    };
  }
}

function emptyPlan(sheet: string): Plan {
  return {
    sheet,
    headerRow: -1,
    repeatedHeaderRows: [],
    columns: {},
    criteria: [],
    subcriteria: [],
    actions: [],
    units: [],
    meta: null,
    findings: [],
  };
}

/** Each column's header as the user reads it: the lower header row's text, else the upper one's. */
function headerTexts(sheet: SheetGrid, header: HeaderMatch): string[] {
  const lower = sheet.rows[header.row] ?? [];
  const upper = header.top < header.row ? (sheet.rows[header.top] ?? []) : [];
  const width = Math.max(lower.length, upper.length);
  return Array.from({ length: width }, (_, c) => text(lower[c]) || text(upper[c]));
}

function splitColumns(all: Partial<Record<MappedColumn, number>>): {
  columns: Partial<Record<Column, number>>;
  layoutColumns: Partial<Record<LayoutColumn, number>>;
} {
  const columns: Partial<Record<Column, number>> = {};
  const layoutColumns: Partial<Record<LayoutColumn, number>> = {};
  for (const [k, c] of Object.entries(all) as [MappedColumn, number][]) {
    if (LAYOUT_COLUMN_SET.has(k)) layoutColumns[k as LayoutColumn] = c;
    else columns[k as Column] = c;
  }
  return { columns, layoutColumns };
}

function readPlanUnsafe(workbook: WorkbookGrid, options: ReadOptions): Plan {
  const sheets = Array.isArray(workbook?.sheets) ? workbook.sheets.filter((s) => s && Array.isArray(s.rows)) : [];
  const metaSheet = sheets.find((s) => s.name === META_SHEET);
  const content = sheets.filter((s) => s.name !== META_SHEET);

  const findings: Finding[] = [];
  let meta: PlanMeta | null = null;
  let storedChoice: ColumnChoice | undefined;
  if (metaSheet) {
    const read = readMeta(metaSheet);
    meta = read.meta;
    storedChoice = read.columns;
    findings.push(...read.findings);
  }
  const choice = options.columns || storedChoice ? { ...storedChoice, ...options.columns } : undefined;

  // Every sheet whose first rows hold a plan header is part of the plan (one sheet per criterion, an annex).
  // SPEC 2 puts the header in the first 30 rows; a plan pasted whole from Word (the seed) has two pages of
  // introduction above it, so a second, deeper pass looks further down when no sheet has one.
  let found: { sheet: SheetGrid; header: HeaderMatch }[] = [];
  for (const [from, to] of [
    [0, HEADER_SEARCH_ROWS],
    [HEADER_SEARCH_ROWS, DEEP_HEADER_SEARCH_ROWS],
  ] as const) {
    for (const sheet of content) {
      const header = findHeader(sheet, from, to);
      if (header) found.push({ sheet, header });
    }
    if (found.length > 0) {
      if (from > 0) found = found.slice(0, 1);
      break;
    }
  }

  const legend = new Legend();
  if (found.length === 0) {
    for (const sheet of content) readLegendSheet(sheet, legend);
    return {
      ...emptyPlan(content[0]?.name ?? ''),
      units: legend.units,
      meta,
      findings: [
        finding(
          'no-header',
          {
            ro: `Nu s-a găsit rândul de antet al planului (Acțiuni necesare, Rezultate măsurabile, Responsabil, Termen de realizare ...) în primele ${HEADER_SEARCH_ROWS} de rânduri ale niciunei foi.`,
            en: `No plan header row (Acțiuni necesare, Rezultate măsurabile, Responsabil, Termen de realizare ...) was found in the first ${HEADER_SEARCH_ROWS} rows of any sheet.`,
          },
          content[0] ? { sheet: content[0].name } : {},
        ),
        ...findings,
        ...legend.findings,
      ],
    };
  }

  // Visible sheets are the plan; a hidden one (an old version kept aside) is not read, and said so.
  const visible = found.filter((f) => f.sheet.state === 'visible');
  const read = visible.length > 0 ? visible : found.slice(0, 1);
  const state: ReadState = { seenSubcriteria: new Set() };
  const parts: { sheet: SheetGrid; header: HeaderMatch; table: TableRead }[] = [];
  for (const [i, f] of read.entries()) {
    const header = applyChoice(f.header, choice, f.sheet);
    parts.push({
      sheet: f.sheet,
      header,
      table: readTable(f.sheet, header, legend, state, i === 0 ? undefined : f.sheet.name),
    });
  }
  const main = parts[0]!;
  for (const sheet of content) {
    if (parts.some((p) => p.sheet === sheet)) continue;
    readLegendSheet(sheet, legend);
    const skipped = found.find((f) => f.sheet === sheet);
    if (skipped) {
      const unread = readTable(sheet, skipped.header, new Legend(), { seenSubcriteria: new Set() }, sheet.name);
      const n = unread.drafts.length;
      findings.push({
        ...finding(
          'plan-sheet-unread',
          {
            ro: `Foaia ascunsă ${quote(sheet.name)} pare să conțină tot un tabel al planului (${n} acțiuni) și nu este citită; afișați-o pentru a o include sau ștergeți-o.`,
            en: `Hidden sheet ${quote(sheet.name)} also looks like a plan table (${n} actions) and is not read; unhide it to include it, or delete it.`,
          },
          { sheet: sheet.name },
        ),
        severity: n > 0 ? 'error' : 'warning',
      });
    }
  }

  for (const part of parts) {
    const { header, sheet } = part;
    const missing = (['action', 'owners', 'deadline'] as const).filter((f) => header.columns[f] === undefined);
    if (missing.length > 0) {
      findings.push(
        finding(
          'column-missing',
          {
            ro: `Antetul de pe rândul ${header.row + 1} nu are coloanele: ${missing.map((f) => FIELD_HEADERS[f]).join(', ')}.`,
            en: `The header on row ${header.row + 1} lacks the columns: ${missing.map((f) => FIELD_HEADERS[f]).join(', ')}.`,
          },
          { sheet: sheet.name, cell: cellAddress(header.row, header.columns.action ?? 0) },
        ),
      );
    }
    if (header.columns.result === undefined) {
      findings.push(
        finding(
          'result-column-missing',
          {
            ro: `Antetul de pe rândul ${header.row + 1} nu are coloana ${FIELD_HEADERS.result}.`,
            en: `The header on row ${header.row + 1} has no ${FIELD_HEADERS.result} column.`,
          },
          { sheet: sheet.name, cell: cellAddress(header.row, header.columns.action ?? 0) },
        ),
      );
    }
  }

  const actions = assignIds(parts.flatMap((p) => p.table.drafts));
  const criteria = parts.flatMap((p) => p.table.criteria);
  const subcriteria = parts.flatMap((p) => p.table.subcriteria);
  codesWithoutHeadings(actions, criteria, subcriteria);
  const { columns, layoutColumns } = splitColumns(main.header.columns);
  const plan: Plan = {
    sheet: main.sheet.name,
    headerRow: main.header.row,
    repeatedHeaderRows: main.table.repeatedHeaderRows,
    columns,
    criteria,
    subcriteria,
    actions,
    units: legend.units,
    meta,
    findings: [...findings, ...parts.flatMap((p) => p.table.findings), ...legend.findings],
  };
  if (Object.keys(layoutColumns).length > 0) plan.layoutColumns = layoutColumns;
  plan.headers = main.header.headers;
  plan.headerTexts = headerTexts(main.sheet, main.header);
  if (choice) plan.columnChoice = choice;
  if (parts.length > 1) {
    plan.moreSheets = parts.slice(1).map((p): PlanSheet => {
      const split = splitColumns(p.header.columns);
      return {
        sheet: p.sheet.name,
        headerRow: p.header.row,
        repeatedHeaderRows: p.table.repeatedHeaderRows,
        columns: split.columns,
        layoutColumns: split.layoutColumns,
      };
    });
  }
  return plan;
}

/** One line of what the reader understood: a field, its column's letter and the header text it was recognised by. */
export interface MappedField {
  field: MappedColumn;
  column: string;
  header: string;
}

export interface ColumnMapping {
  sheet: string;
  /** 1-based, as Excel numbers rows; -1 when no header was found. */
  headerRow: number;
  /** The other sheets read as part of the plan, each with its header row (1-based). */
  moreSheets: { sheet: string; headerRow: number }[];
  fields: MappedField[];
  /** Every column of the header row a field can be moved to: its letter and header text. */
  choices: { column: string; index: number; header: string }[];
}

/** What `validate` and the add-in's Validate view show: the header row used and each field's column (SPEC 2). */
export function columnMapping(plan: Plan): ColumnMapping {
  const all: Partial<Record<MappedColumn, number>> = { ...plan.columns, ...plan.layoutColumns };
  const fields = MAPPED_COLUMNS.filter((f) => all[f] !== undefined)
    .map((f) => ({ field: f, column: columnLetters(all[f]!), header: plan.headers?.[f] ?? '' }))
    .sort((a, b) => all[a.field]! - all[b.field]!);
  return {
    sheet: plan.sheet,
    headerRow: plan.headerRow < 0 ? -1 : plan.headerRow + 1,
    moreSheets: (plan.moreSheets ?? []).map((s) => ({ sheet: s.sheet, headerRow: s.headerRow + 1 })),
    fields,
    choices: (plan.headerTexts ?? [])
      .map((header, index) => ({ column: columnLetters(index), index, header }))
      .filter((c) => c.header !== ''),
  };
}

/**
 * A multi-sheet plan as one Plan per sheet (each with its own header row, columns and actions), for the writers
 * that work on one sheet at a time (prepare, copy, the merged workbook). A one-sheet plan is returned as it is.
 */
export function planSheets(plan: Plan): Plan[] {
  if (!plan.moreSheets || plan.moreSheets.length === 0) return [plan];
  const { moreSheets, ...single } = plan;
  const strip = (a: Action): Action => {
    const { sheet: _sheet, ...rest } = a;
    return rest;
  };
  const main: Plan = { ...single, actions: plan.actions.filter((a) => a.sheet === undefined) };
  const rest = moreSheets.map((s): Plan => ({
    ...single,
    sheet: s.sheet,
    headerRow: s.headerRow,
    repeatedHeaderRows: s.repeatedHeaderRows,
    columns: s.columns,
    layoutColumns: s.layoutColumns,
    actions: plan.actions.filter((a) => a.sheet === s.sheet).map(strip),
  }));
  return [main, ...rest];
}
