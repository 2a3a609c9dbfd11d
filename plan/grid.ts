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
  type Column,
  type Criterion,
  type Field,
  type Finding,
  type Plan,
  type PlanMeta,
  type SheetGrid,
  type Subcriterion,
  type Unit,
  type WorkbookGrid,
} from './model';
import { finding, quote } from './rules';
import { cellText, foldKey } from './text';

/** The header row must be among the first rows of the sheet (title rows above it are common, tables are not). */
export const HEADER_SEARCH_ROWS = 30;
/** How far down the second pass looks when no sheet has a header in its first rows. */
export const DEEP_HEADER_SEARCH_ROWS = 1000;
/** Excel's limit for the text of one cell. */
export const MAX_CELL_CHARS = 32_767;

// Whole-header synonyms (SPEC 2), compared on headerKey(): `Stadiu realizare` is the status, `Stadiu` monitoring.
const HEADER_SYNONYMS: Record<Column, readonly string[]> = {
  id: [ADDED_HEADERS.id, 'Cod', 'Nr', 'Nr. crt', 'Nr crt', 'Nr.crt', 'Număr', 'Cod acțiune'],
  action: [
    'Acțiuni necesare',
    'Acțiune',
    'Acțiuni',
    'Acțiunea',
    'Acțiuni de îmbunătățire',
    'Măsura',
    'Măsură',
    'Măsuri',
    'Măsuri necesare',
    'Activitate',
    'Activități',
  ],
  result: ['Rezultate măsurabile', 'Rezultate', 'Rezultat', 'Indicatori', 'Rezultat așteptat', 'Rezultate așteptate'],
  owners: ['Responsabil pentru îndeplinirea acțiunilor', 'Responsabil', 'Responsabili'],
  deadline: ['Termen de realizare', 'Termen', 'Termene', 'Termene de realizare'],
  monitoring: ['Monitorizare și evaluare', 'Monitorizare', 'Stadiu', 'Observații'],
  resources: ['Resurse necesare', 'Resurse'],
  status: [ADDED_HEADERS.status, 'Status', 'Stadiu realizare'],
  dueDate: [ADDED_HEADERS.dueDate],
  ownerCodes: [ADDED_HEADERS.ownerCodes],
};

const TRAILING_PUNCT_RE = /[\s:.]+$/;

/** The key a header cell is matched on: folded case, diacritics and whitespace, trailing `:` / `.` dropped. */
export function headerKey(text: string): string {
  return foldKey(text).replace(TRAILING_PUNCT_RE, '');
}

const HEADER_KEYS: ReadonlyMap<string, Column> = (() => {
  const map = new Map<string, Column>();
  for (const [column, names] of Object.entries(HEADER_SYNONYMS) as [Column, readonly string[]][]) {
    for (const name of names) map.set(headerKey(name), column);
  }
  return map;
})();

// Headers are short; folding every long data cell would cost time on 50,000-row plans for nothing.
const MAX_HEADER_CHARS = 60;

/** The column a header cell names, or null. */
export function headerColumn(value: CellValue | undefined): Column | null {
  if (typeof value !== 'string' || value.length > MAX_HEADER_CHARS) return null;
  return HEADER_KEYS.get(headerKey(value)) ?? null;
}

/** Columns of a row when it is a header row (an action column and at least one other plan column), else null. */
function matchHeader(row: readonly CellValue[]): Partial<Record<Column, number>> | null {
  let columns: Partial<Record<Column, number>> | null = null;
  let count = 0;
  for (let c = 0; c < row.length; c++) {
    const column = headerColumn(row[c]);
    if (column === null) continue;
    columns ??= {};
    if (columns[column] === undefined) {
      columns[column] = c;
      count++;
    }
  }
  return columns && columns.action !== undefined && count >= 2 ? columns : null;
}

function findHeader(
  sheet: SheetGrid,
  from: number,
  to: number,
): { row: number; columns: Partial<Record<Column, number>> } | null {
  const last = Math.min(sheet.rows.length, to);
  for (let r = from; r < last; r++) {
    const row = sheet.rows[r];
    if (!Array.isArray(row)) continue;
    const columns = matchHeader(row);
    if (columns) return { row: r, columns };
  }
  return null;
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
  return rows;
}

function readMeta(sheet: SheetGrid): { meta: PlanMeta | null; findings: Finding[] } {
  const record: Record<string, string> = {};
  for (const row of sheet.rows) {
    if (!Array.isArray(row)) continue;
    const key = text(row[0]);
    const value = text(row[1]);
    if (key && value && !(key in record)) record[key] = value;
  }
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
    return { meta, findings: [] };
  }
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '?'}: ${i.message}`).join('; ');
  return {
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
  };
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
  idNumber: number | null;
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

function readTable(
  sheet: SheetGrid,
  headerRow: number,
  columns: Partial<Record<Column, number>>,
  legend: Legend,
): Pick<Plan, 'repeatedHeaderRows' | 'criteria' | 'subcriteria' | 'actions' | 'findings'> {
  const findings: Finding[] = [];
  const criteria: Criterion[] = [];
  const subcriteria: Subcriterion[] = [];
  const repeatedHeaderRows: number[] = [];
  const drafts: Draft[] = [];
  const seenSubcriteria = new Set<string>();

  const fieldColumns = FIELDS.filter((f) => columns[f] !== undefined).map((f) => [f, columns[f]!] as const);
  const valueColumns = (Object.entries(columns) as [Column, number][]).filter(([, c]) => c !== undefined);
  const actionCol = columns.action!;
  const idCol = columns.id;

  let criterion: string | null = null;
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
    if (r === headerRow) continue;
    const lead = leadColumn(row);
    if (lead < 0) continue;
    const leadText = text(row[lead]);

    // Title rows above the table are prose, except the criterion the first table belongs to.
    const first = leadText.charCodeAt(0) | 0x20; // lower-case ASCII letter; the regexes below only run when it can match
    const criterionMatch =
      first === 0x63 /* c */ && leadText.length < 500 && onlyLead(row, lead) ? CRITERION_RE.exec(leadText) : null;
    if (r < headerRow) {
      // Only the last one counts: an introduction may list every criterion (a table of contents).
      if (criterionMatch) {
        criterion = criterionMatch[1]!.replace(/^0+(?=\d)/, '');
        criteria.length = 0;
        criteria.push({ code: criterion, title: criterionMatch[2]!.trim(), row: r });
      }
      continue;
    }

    const actionCell = row[actionCol];
    if (
      typeof actionCell === 'string' &&
      !startsWithDigit(actionCell) &&
      headerColumn(actionCell) === 'action' &&
      matchHeader(row)
    ) {
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

    if (criterionMatch) {
      commitPending();
      last = null;
      criterion = criterionMatch[1]!.replace(/^0+(?=\d)/, '');
      subcriterion = null;
      subcriterionOf = null;
      criteria.push({ code: criterion, title: criterionMatch[2]!.trim(), row: r });
      continue;
    }

    const subLike = startsWithDigit(leadText) || first === 0x73; /* s */
    if (
      subLike &&
      ((leadText.length < 2000 && onlyLead(row, lead)) || (lead !== actionCol && onlyTitleAfter(row, lead)))
    ) {
      const sub = SUBCRITERION_RE.exec(leadText);
      if (sub) {
        commitPending();
        last = null;
        const c = sub[1]!.replace(/^0+(?=\d)/, '');
        const code = `${c}.${sub[2]!.replace(/^0+(?=\d)/, '')}`;
        let title = sub[3]!.trim();
        if (!title && lead + 1 < row.length) title = text(row[lead + 1]);
        subcriterion = code;
        subcriterionOf = c;
        if (!seenSubcriteria.has(code)) {
          seenSubcriteria.add(code);
          subcriteria.push({ code, criterion: c, title, row: r });
        }
        continue;
      }
    }

    const actionText = typeof actionCell === 'string' ? actionCell : cellText(actionCell);
    const idText = idCol !== undefined ? text(row[idCol]) : null;
    let number: number | null = null;
    const full = ACTION_FULL_ID_RE.exec(actionText);
    if (full) number = Number(full[3]);
    else {
      const m = ACTION_NUMBER_RE.exec(actionText);
      if (m) number = Number(m[1]);
    }
    let otherFilled = false;
    for (const [field, c] of fieldColumns) {
      if (field !== 'action' && field !== 'id' && field !== 'status' && isFilled(row[c])) {
        otherFilled = true;
        break;
      }
    }
    const actionFilled = isFilled(actionCell);
    const isAction =
      number !== null || (idText !== null && idText !== '' && !isPlaceholder(idText)) || (actionFilled && otherFilled);

    if (isAction) {
      commitPending();
      const t = emptyText();
      for (const [field, c] of fieldColumns) t[field] = cellText(row[c]);
      const values: Action['values'] = {};
      for (const [column, c] of valueColumns) values[column] = row[c] ?? null;
      const idNumber = idText !== null && BARE_NUMBER_RE.test(idText) ? Number(idText) : null;
      const action: Action = {
        id: '',
        idFromColumn: false,
        row: r,
        criterion: subcriterionOf ?? criterion ?? '',
        subcriterion: subcriterion ?? '',
        number: number ?? idNumber,
        text: t,
        values,
        continuationRows: [],
      };
      last = { action, idText, idNumber };
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

  // Ids: the id column wins; otherwise criterion.subcriterion.number.
  const actions: Action[] = drafts.map(({ action, idText, idNumber }) => {
    if (idText !== null && idNumber === null) {
      action.id = idText;
      action.idFromColumn = true;
    } else if (action.subcriterion && action.number !== null) {
      action.id = `${action.subcriterion}.${idNumber ?? action.number}`;
    }
    return action;
  });

  return { repeatedHeaderRows, criteria, subcriteria, actions, findings };
}

/** `1.1` alone in a cell (an id-like column at the left) with the title in the next cell and nothing else. */
function onlyTitleAfter(row: readonly CellValue[], lead: number): boolean {
  return (
    lead + 1 < row.length && isFilled(row[lead + 1]) && onlyLead(row, lead + 1) && BARE_SUB_RE.test(text(row[lead]))
  );
}
const BARE_SUB_RE = /^\d{1,2}\.\d{1,2}$/;

// --- Entry point ----------------------------------------------------------------------------------------------

/** Reads the plan from a workbook's cell values. Never throws: what it cannot understand becomes a finding. */
export function readPlan(workbook: WorkbookGrid): Plan {
  try {
    return readPlanUnsafe(workbook);
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

function readPlanUnsafe(workbook: WorkbookGrid): Plan {
  const sheets = Array.isArray(workbook?.sheets) ? workbook.sheets.filter((s) => s && Array.isArray(s.rows)) : [];
  const metaSheet = sheets.find((s) => s.name === META_SHEET);
  const content = sheets.filter((s) => s.name !== META_SHEET);

  const findings: Finding[] = [];
  let meta: PlanMeta | null = null;
  if (metaSheet) {
    const read = readMeta(metaSheet);
    meta = read.meta;
    findings.push(...read.findings);
  }

  let planSheet: SheetGrid | undefined;
  let header: ReturnType<typeof findHeader> = null;
  // SPEC 2 puts the header in the first 30 rows; a plan pasted whole from Word (the seed) has two pages of
  // introduction above it, so a second, deeper pass looks further down before giving up.
  for (const [from, to] of [
    [0, HEADER_SEARCH_ROWS],
    [HEADER_SEARCH_ROWS, DEEP_HEADER_SEARCH_ROWS],
  ] as const) {
    for (const sheet of content) {
      header = findHeader(sheet, from, to);
      if (header) {
        planSheet = sheet;
        break;
      }
    }
    if (header) break;
  }

  const legend = new Legend();
  if (!planSheet || !header) {
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

  const table = readTable(planSheet, header.row, header.columns, legend);
  for (const sheet of content) {
    if (sheet === planSheet) continue;
    readLegendSheet(sheet, legend);
    // One plan per workbook: a second table (one sheet per criterion, an old version kept beside) is not read.
    if (findHeader(sheet, 0, HEADER_SEARCH_ROWS)) {
      findings.push(
        finding(
          'other-plan-sheet',
          {
            ro: `Foaia ${quote(sheet.name)} pare să conțină tot un tabel al planului; se citește doar foaia ${quote(planSheet.name)}.`,
            en: `Sheet ${quote(sheet.name)} also looks like a plan table; only sheet ${quote(planSheet.name)} is read.`,
          },
          { sheet: sheet.name },
        ),
      );
    }
  }

  const missing = (['action', 'owners', 'deadline'] as const).filter((f) => header.columns[f] === undefined);
  if (missing.length > 0) {
    findings.push(
      finding(
        'column-missing',
        {
          ro: `Antetul de pe rândul ${header.row + 1} nu are coloanele: ${missing.map((f) => HEADER_SYNONYMS[f][0]).join(', ')}.`,
          en: `The header on row ${header.row + 1} lacks the columns: ${missing.map((f) => HEADER_SYNONYMS[f][0]).join(', ')}.`,
        },
        { sheet: planSheet.name, cell: cellAddress(header.row, header.columns.action ?? 0) },
      ),
    );
  }
  if (header.columns.result === undefined) {
    findings.push(
      finding(
        'result-column-missing',
        {
          ro: `Antetul de pe rândul ${header.row + 1} nu are coloana ${HEADER_SYNONYMS.result[0]}.`,
          en: `The header on row ${header.row + 1} has no ${HEADER_SYNONYMS.result[0]} column.`,
        },
        { sheet: planSheet.name, cell: cellAddress(header.row, header.columns.action ?? 0) },
      ),
    );
  }

  return {
    sheet: planSheet.name,
    headerRow: header.row,
    repeatedHeaderRows: table.repeatedHeaderRows,
    columns: header.columns,
    criteria: table.criteria,
    subcriteria: table.subcriteria,
    actions: table.actions,
    units: legend.units,
    meta,
    findings: [...findings, ...table.findings, ...legend.findings],
  };
}
