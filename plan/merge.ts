// The three-way merge of department copies into the master plan (SPEC 5). Pure and deterministic: the same
// submissions give the same report and edits whatever order they come in.
//
// Vocabulary as in diff3: `base` is the plan a copy was issued from (each submission carries its own, copies may
// be issued from different revisions), `current` is the master now (M), `submitted` is what the unit sent back.
//
// Decisions where SPEC 5 is silent (each one is tested):
// - A cell is changed when its value differs from the submission's own base after normalizeValue; for `status`, two
//   spellings of one status (`in curs`, `În curs`, `ÎN CURS.`) are the same value, and an applied status is written
//   as its canonical label.
// - A submitted value that equals what the master already holds is satisfied: nothing to write, no conflict.
// - A change is `coordinator-edit` (stale) when the master changed the cell since that submission's base to
//   another value, or removed the row since (then `current` is null). A stale value that ends up in the cell
//   anyway (another unit, issued after the coordinator's edit, set the same value) is not a conflict.
// - `concurrent-edit` is among the non-stale changes to one cell: two or more different values, all listed in one
//   conflict, the master's value kept. Values that agree are applied once (`agreedBy` names the others).
// - Units' status may not be cleared: an empty status is `invalid-value`, like an unknown one.
// - A column the master has no place for (an unprepared master without `Stare`) cannot take a value: such changes
//   are reported as `locked-column` proposals.
// - Scope 'partial' (JSON rows from the add-in): only the rows sent are compared; rows not sent are not deleted.
// - A deleted row (scope 'full') is reported only while the master still has it: when the coordinator removed
//   it too, both agree and there is nothing to decide.
// - A row id that appears more than once in a copy cannot be matched: every occurrence is one `unknown-row`.
// - A row a copy adds whose id the master has meanwhile given to a row of its own is still `row-added` (it was not
//   in the copy's base), with the master's action text as `current`.
// - A submission for another plan (its base's planId differs) or from a unit missing from its base's legend is
//   `refused` before anything else; every other submission is `merged`.
// - Several submissions of one unit: each is compared with its own base; where two change the same cell, the one
//   issued from the newer revision wins, on the same revision the one received later (then the higher id). The
//   changes that lose are listed in `overridden` with the submission that overrides them; the winner alone goes on
//   to the checks below (an overridden value is never a conflict of its own). This happens before the owner,
//   column and value checks: a unit's newest word on a cell is what it asks for, even when that is refused.
// - Applied text keeps its own line breaks (only trimmed and cedilla-folded): monitoring notes are often several
//   lines, and normalizeValue, which collapses them, is for comparison only.
import { z } from 'zod';
import { DEFAULT_EDITABLE, FIELD_LABELS, FIELDS, type Action, type Bilingual, type Field, type Plan } from './model';
import { ownerCodes } from './owners';
import {
  CONFLICT_KINDS,
  FieldName,
  MergeReport,
  REPORT_SCHEMA_VERSION,
  type AppliedChange,
  type Conflict,
  type ConflictKind,
  type ConflictValue,
  type OverriddenChange,
  type SubmissionSummary,
} from './report';
import { STATUSES, parseStatus, statusLabel } from './status';
import { cellText, normalizeValue, toCommaBelow } from './text';

/** Excel's limit on the characters of one cell. */
export const EXCEL_CELL_LIMIT = 32_767;

/** An id a unit could have meant as a new action: `criterion.subcriterion.number`. */
const WELL_FORMED_ID = /^\d{1,2}\.\d{1,2}\.\d{1,3}$/;

export const SubmittedRow = z.object({
  /** The action's id as the copy has it; null when its ID cell is empty. */
  id: z.string().nullable(),
  /** 0-based row in the submitted sheet, for messages only (rows are matched by id, never by position). */
  row: z.number().int().nonnegative().optional(),
  /** The columns the copy has; a column not sent is not compared. */
  values: z.partialRecord(FieldName, z.string()),
});
export type SubmittedRow = z.infer<typeof SubmittedRow>;

export interface SubmissionInput {
  id: string;
  unit: string;
  receivedAt: string;
  baseRevision: number;
  /** The plan the copy was issued from. */
  base: Plan;
  rows: SubmittedRow[];
  /** 'partial': rows not sent are not deletions (JSON rows from the add-in). */
  scope: 'full' | 'partial';
}

export interface MergeInput {
  planId: string;
  current: Plan;
  currentRevision: number;
  newRevision: number;
  mergedAt: string;
  /** Columns units may edit; DEFAULT_EDITABLE when absent. */
  editable?: Field[];
  submissions: SubmissionInput[];
}

/** One cell write on the current plan (0-based row and column of `current`). */
export interface MergeEdit {
  rowId: string;
  row: number;
  column: Field;
  col: number;
  value: string;
}

export interface MergeResult {
  report: MergeReport;
  edits: MergeEdit[];
}

const PLAIN_ID = /^[!-~]+$/;

/** normalizeValue for ids, skipped for the usual printable-ASCII id (200,000 rows in a nightly merge). */
function normalizeId(id: string): string {
  return PLAIN_ID.test(id) ? id : normalizeValue(id);
}

/** The id a plan's action is matched by, or null when it cannot be matched. */
function actionKey(plan: Plan, action: Action): string | null {
  // With an ID column, a row whose ID cell is empty cannot be matched: the id the reader derives from the row's
  // position (`1.1.3`) would match a sorted or edited copy's rows by position.
  // A bare number in the ID column (a `Nr.` column) is the action's number, which the reader already used.
  if (plan.columns.id !== undefined && cellText(action.values.id).trim() === '') return null;
  const id = normalizeId(action.id);
  return id === '' ? null : id;
}

/** A submitted workbook's action rows, as the merge takes them. */
export function rowsFromPlan(plan: Plan): SubmittedRow[] {
  const fields = FIELDS.filter((f) => f !== 'id' && plan.columns[f] !== undefined);
  return plan.actions.map((action) => {
    const values: Partial<Record<Field, string>> = {};
    for (const f of fields) values[f] = action.text[f];
    return { id: actionKey(plan, action), row: action.row, values };
  });
}

/**
 * Rows of a submission that cannot be matched to an action of its base: no id, an id the base does not have, or an
 * id seen already in the submission. The service bounds these before it stores anything.
 */
export function unmatchedRows(base: Plan, rows: readonly SubmittedRow[]): number {
  const { byId } = indexOf(base);
  const seen = new Set<string>();
  let count = 0;
  for (const row of rows) {
    const id = row.id === null ? '' : normalizeId(row.id);
    if (id === '' || !byId.has(id) || seen.has(id)) count++;
    else seen.add(id);
  }
  return count;
}

interface PlanIndex {
  byId: Map<string, Action>;
  owners: Map<string, string[]>;
}

// Copies issued from one revision share one base Plan object: index it once, not once per submission.
const indexes = new WeakMap<Plan, PlanIndex>();

function indexOf(plan: Plan): PlanIndex {
  let index = indexes.get(plan);
  if (!index) {
    const byId = new Map<string, Action>();
    for (const action of plan.actions) {
      const key = actionKey(plan, action);
      // Duplicate ids are a validation error; the first row keeps the id, as the reader reports.
      if (key !== null && !byId.has(key)) byId.set(key, action);
    }
    index = { byId, owners: new Map() };
    indexes.set(plan, index);
  }
  return index;
}

function ownersOf(plan: Plan, id: string, action: Action): string[] {
  const index = indexOf(plan);
  let codes = index.owners.get(id);
  if (!codes) {
    codes = ownerCodes(action.text.owners, plan.units);
    index.owners.set(id, codes);
  }
  return codes;
}

/** What two values of a column are compared by: a status by its code, any other text by normalizeValue. */
function compareKey(column: Field, text: string): string {
  if (column === 'status') {
    const status = parseStatus(text);
    if (status.kind === 'ok') return `status:${status.code}`;
  }
  return `text:${normalizeValue(text)}`;
}

function unchanged(column: Field, submitted: string, base: string): boolean {
  if (submitted === base) return true;
  return compareKey(column, submitted) === compareKey(column, base);
}

function short(text: string, max = 80): string {
  const one = normalizeValue(text);
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

function quoteRo(text: string): string {
  return text === '' ? '(gol)' : `„${short(text)}”`;
}

function quoteEn(text: string): string {
  return text === '' ? '(empty)' : `"${short(text)}"`;
}

/** Natural order of ids (`1.1.2` before `1.1.10`), so reports read in plan order. */
function compareIds(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (i % 2 === 1) return Number(x) - Number(y) || (x < y ? -1 : 1);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function time(receivedAt: string): number {
  const t = Date.parse(receivedAt);
  return Number.isNaN(t) ? -Infinity : t;
}

/** Submission ids: the service's are numbers ('9' before '10'), the command line's file names. */
function compareSubmissionIds(a: string, b: string): number {
  if (/^\d{1,15}$/.test(a) && /^\d{1,15}$/.test(b)) return Number(a) - Number(b);
  return compareStrings(a, b);
}

/** Newest first (SPEC 5): issued from the newer revision, then received later, then the higher id. */
function compareNewest(a: SubmissionInput, b: SubmissionInput): number {
  return (
    b.baseRevision - a.baseRevision ||
    time(b.receivedAt) - time(a.receivedAt) ||
    compareStrings(b.receivedAt, a.receivedAt) ||
    compareSubmissionIds(b.id, a.id)
  );
}

function bySubmission(a: { unit: string; submission: string }, b: { unit: string; submission: string }): number {
  return compareStrings(a.unit, b.unit) || compareStrings(a.submission, b.submission);
}

interface Proposal {
  submission: SubmissionInput;
  baseText: string;
  raw: string;
  key: string;
  /** What would be written: a status as its label, a text trimmed and cedilla-folded. */
  value: string;
}

/** A cell a submission changed from its own base, before the checks. */
interface CellChange {
  submission: SubmissionInput;
  id: string;
  column: Field;
  baseAction: Action;
  baseText: string;
  raw: string;
}

interface CellChanges {
  id: string;
  column: Field;
  proposals: Proposal[];
}

const STATUS_LIST_RO = STATUSES.map((s) => s.ro).join(', ');
const STATUS_LIST_EN = STATUSES.map((s) => s.en).join(', ');

function invalidReason(column: Field, raw: string): Bilingual | null {
  if (raw.length > EXCEL_CELL_LIMIT) {
    return {
      ro: `textul are ${raw.length} caractere, peste limita Excel de 32.767`,
      en: `the text has ${raw.length} characters, over Excel's limit of 32,767`,
    };
  }
  if (column === 'status') {
    const status = parseStatus(raw);
    if (status.kind === 'empty') {
      return { ro: 'starea nu poate fi golită', en: 'the status cannot be cleared' };
    }
    if (status.kind === 'invalid') {
      return {
        ro: `${quoteRo(raw)} nu este o stare cunoscută (${STATUS_LIST_RO})`,
        en: `${quoteEn(raw)} is not a known status (${STATUS_LIST_EN})`,
      };
    }
  }
  return null;
}

function writtenValue(column: Field, raw: string): string {
  if (column === 'status') {
    const status = parseStatus(raw);
    if (status.kind === 'ok') return statusLabel(status.code, 'ro');
  }
  return toCommaBelow(raw).trim();
}

export function mergePlans(input: MergeInput): MergeResult {
  const editable = new Set<Field>(input.editable ?? DEFAULT_EDITABLE);
  const current = input.current;
  const currentIndex = indexOf(current);
  const conflicts: Conflict[] = [];
  const summaries: SubmissionSummary[] = [];

  const accepted: SubmissionInput[] = [];
  for (const s of input.submissions) {
    const reason = refusal(s, input.planId);
    if (reason) {
      summaries.push(summary(s, 'refused', reason));
      continue;
    }
    accepted.push(s);
    summaries.push(summary(s, 'merged'));
  }

  // Every changed cell of every accepted submission; a unit's newest change to a cell stands for the unit.
  const changes: CellChange[] = [];
  for (const s of accepted) collectChanges(s, currentIndex, changes, conflicts);
  const overridden: OverriddenChange[] = [];
  const cells = new Map<string, CellChanges>();
  for (const change of newestOfEachUnit(changes, overridden)) judge(change, editable, current, cells, conflicts);

  const applied: AppliedChange[] = [];
  const edits: MergeEdit[] = [];
  for (const cell of cells.values()) resolveCell(cell, current, currentIndex, applied, edits, conflicts);

  return {
    report: buildReport(input, summaries, applied, conflicts, overridden),
    edits: sortEdits(applied, edits),
  };
}

function summary(s: SubmissionInput, outcome: SubmissionSummary['outcome'], reason?: Bilingual): SubmissionSummary {
  return {
    id: s.id,
    unit: s.unit,
    baseRevision: s.baseRevision,
    receivedAt: s.receivedAt,
    outcome,
    ...(reason ? { reason } : {}),
  };
}

function refusal(s: SubmissionInput, planId: string): Bilingual | null {
  const basePlanId = s.base.meta?.planId;
  if (basePlanId !== undefined && basePlanId !== planId) {
    return {
      ro: `Copia este a planului ${basePlanId}, nu a planului ${planId}.`,
      en: `The copy belongs to plan ${basePlanId}, not to plan ${planId}.`,
    };
  }
  if (s.base.units.length > 0 && !s.base.units.some((u) => u.code === s.unit)) {
    return {
      ro: `Unitatea ${s.unit} nu apare în legenda planului.`,
      en: `Unit ${s.unit} is not in the plan's legend.`,
    };
  }
  return null;
}

function collectChanges(
  s: SubmissionInput,
  currentIndex: PlanIndex,
  changes: CellChange[],
  conflicts: Conflict[],
): void {
  const base = indexOf(s.base);
  const value = (v: string): ConflictValue[] => [{ unit: s.unit, submission: s.id, value: v }];
  // One row per id in nearly every copy: arrays only for the ids that repeat.
  const byId = new Map<string, SubmittedRow | SubmittedRow[]>();
  for (const row of s.rows) {
    const id = row.id === null ? '' : normalizeId(row.id);
    if (id === '') {
      const where = row.row === undefined ? '' : ` ${row.row + 1}`;
      conflicts.push({
        kind: 'unknown-row',
        rowId: null,
        column: null,
        base: null,
        current: null,
        values: value(row.values.action ?? ''),
        message: {
          ro: `Rândul${where} din copia unității ${s.unit} nu are ID, deci nu poate fi potrivit cu nicio acțiune a planului; nu s-a preluat nimic din el.`,
          en: `Row${where} of unit ${s.unit}'s copy has no ID, so it cannot be matched to any action of the plan; nothing was taken from it.`,
        },
      });
      continue;
    }
    const seen = byId.get(id);
    if (seen === undefined) byId.set(id, row);
    else if (Array.isArray(seen)) seen.push(row);
    else byId.set(id, [seen, row]);
  }

  let matched = 0;
  for (const [id, entry] of byId) {
    const baseAction = base.byId.get(id);
    if (baseAction) matched++;
    if (Array.isArray(entry)) {
      const rows = entry;
      conflicts.push({
        kind: 'unknown-row',
        rowId: id,
        column: null,
        base: baseAction?.text.action ?? null,
        current: currentIndex.byId.get(id)?.text.action ?? null,
        values: rows.map((r) => ({ unit: s.unit, submission: s.id, value: r.values.action ?? '' })),
        message: {
          ro: `ID-ul ${id} apare de ${rows.length} ori în copia unității ${s.unit}, deci rândurile nu pot fi potrivite; nu s-a preluat nimic din ele.`,
          en: `ID ${id} appears ${rows.length} times in unit ${s.unit}'s copy, so its rows cannot be matched; nothing was taken from them.`,
        },
      });
      continue;
    }
    const row = entry;
    if (!baseAction) {
      const currentAction = currentIndex.byId.get(id);
      if (WELL_FORMED_ID.test(id)) {
        conflicts.push({
          kind: 'row-added',
          rowId: id,
          column: null,
          base: null,
          current: currentAction?.text.action ?? null,
          values: value(row.values.action ?? ''),
          message: {
            ro:
              `Copia unității ${s.unit} adaugă acțiunea ${id}; rândurile noi nu se preiau automat, le adaugă coordonatorul.` +
              (currentAction ? ' Planul master are între timp o acțiune cu același ID.' : ''),
            en:
              `Unit ${s.unit}'s copy adds action ${id}; new rows are never applied automatically, the coordinator adds them.` +
              (currentAction ? ' The master plan has meanwhile an action with the same ID.' : ''),
          },
        });
      } else {
        const where = row.row === undefined ? '' : ` (rândul ${row.row + 1})`;
        const whereEn = row.row === undefined ? '' : ` (row ${row.row + 1})`;
        conflicts.push({
          kind: 'unknown-row',
          rowId: id,
          column: null,
          base: null,
          current: currentAction?.text.action ?? null,
          values: value(row.values.action ?? ''),
          message: {
            ro: `ID-ul „${short(id)}”${where} din copia unității ${s.unit} nu există în plan și nu are forma criteriu.subcriteriu.număr; nu s-a preluat nimic din rând.`,
            en: `ID "${short(id)}"${whereEn} in unit ${s.unit}'s copy is not in the plan and is not of the form criterion.subcriterion.number; nothing was taken from the row.`,
          },
        });
      }
      continue;
    }
    for (const column of FIELDS) {
      if (column === 'id') continue;
      const raw = row.values[column];
      if (raw === undefined) continue;
      const baseText = baseAction.text[column];
      if (!unchanged(column, raw, baseText)) changes.push({ submission: s, id, column, baseAction, baseText, raw });
    }
  }

  // Only a copy that lacks some of its base's ids needs the walk over the base.
  if (s.scope === 'full' && matched < base.byId.size) {
    for (const [id, baseAction] of base.byId) {
      if (byId.has(id)) continue;
      const currentAction = currentIndex.byId.get(id);
      if (!currentAction) continue;
      conflicts.push({
        kind: 'row-deleted',
        rowId: id,
        column: null,
        base: baseAction.text.action,
        current: currentAction.text.action,
        values: value(''),
        message: {
          ro: `Copia unității ${s.unit} nu mai conține acțiunea ${id}; ștergerile nu se preiau automat, acțiunea rămâne în plan.`,
          en: `Unit ${s.unit}'s copy no longer has action ${id}; deletions are never applied automatically, the action stays in the plan.`,
        },
      });
    }
  }
}

/** Keeps, for each unit and cell, the change of the unit's newest submission; the others go to `overridden`. */
function newestOfEachUnit(changes: CellChange[], overridden: OverriddenChange[]): CellChange[] {
  const groups = new Map<string, CellChange[]>();
  for (const c of changes) {
    const key = `${c.submission.unit}\u0000${c.id}\u0000${c.column}`;
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  const kept: CellChange[] = [];
  for (const group of groups.values()) {
    group.sort((a, b) => compareNewest(a.submission, b.submission));
    const winner = group[0]!;
    kept.push(winner);
    for (const c of group.slice(1)) overridden.push(overriddenBy(c, winner));
  }
  return kept;
}

function overriddenBy(c: CellChange, winner: CellChange): OverriddenChange {
  const s = c.submission;
  const w = winner.submission;
  const label = FIELD_LABELS[c.column];
  const newer = w.baseRevision > s.baseRevision;
  const whyRo = newer
    ? `emisă dintr-o revizie mai nouă (${w.baseRevision}, față de ${s.baseRevision})`
    : `emisă din aceeași revizie ${w.baseRevision} și primită mai târziu (${w.receivedAt})`;
  const whyEn = newer
    ? `issued from a newer revision (${w.baseRevision}, against ${s.baseRevision})`
    : `issued from the same revision ${w.baseRevision} and received later (${w.receivedAt})`;
  return {
    rowId: c.id,
    column: c.column,
    unit: s.unit,
    submission: s.id,
    value: c.raw,
    by: w.id,
    message: {
      ro: `Valoarea ${quoteRo(c.raw)} pentru „${label.ro}” la acțiunea ${c.id} din trimiterea ${s.id} a unității ${s.unit} este înlocuită de trimiterea ${w.id} a aceleiași unități, ${whyRo}, care modifică aceeași celulă (${quoteRo(winner.raw)}).`,
      en: `The value ${quoteEn(c.raw)} for "${label.en}" of action ${c.id} in submission ${s.id} of unit ${s.unit} is overridden by submission ${w.id} of the same unit, ${whyEn}, which changes the same cell (${quoteEn(winner.raw)}).`,
    },
  };
}

/** The checks of SPEC 5 for one unit's change to one cell: a conflict, or a proposal for the cell. */
function judge(
  change: CellChange,
  editable: Set<Field>,
  current: Plan,
  cells: Map<string, CellChanges>,
  conflicts: Conflict[],
): void {
  const { submission: s, id, column, baseAction, baseText, raw } = change;
  const label = FIELD_LABELS[column];
  const currentText = indexOf(current).byId.get(id)?.text[column] ?? null;
  const refuse = (kind: ConflictKind, message: Bilingual): void => {
    conflicts.push({
      kind,
      rowId: id,
      column,
      base: baseText,
      current: currentText,
      values: [{ unit: s.unit, submission: s.id, value: raw }],
      message,
    });
  };

  const owners = ownersOf(s.base, id, baseAction);
  if (!owners.includes(s.unit)) {
    const list = owners.join(', ');
    refuse('not-owner', {
      ro: `Unitatea ${s.unit} a modificat „${label.ro}” la acțiunea ${id}, dar nu este responsabilă de ea (responsabili: ${list || 'niciunul'}); valoarea nu a fost preluată.`,
      en: `Unit ${s.unit} changed "${label.en}" of action ${id} but is not among its owners (${list || 'none'}); the value was not applied.`,
    });
    return;
  }
  if (!editable.has(column)) {
    refuse('locked-column', {
      ro: `Unitatea ${s.unit} propune pentru „${label.ro}” la acțiunea ${id} valoarea ${quoteRo(raw)}; coloana nu poate fi modificată de unități, propunerea rămâne la decizia coordonatorului.`,
      en: `Unit ${s.unit} proposes ${quoteEn(raw)} for "${label.en}" of action ${id}; units may not edit this column, the coordinator decides whether to take it.`,
    });
    return;
  }
  if (current.columns[column] === undefined) {
    refuse('locked-column', {
      ro: `Unitatea ${s.unit} propune pentru „${label.ro}” la acțiunea ${id} valoarea ${quoteRo(raw)}, dar planul master nu are această coloană; propunerea rămâne la decizia coordonatorului.`,
      en: `Unit ${s.unit} proposes ${quoteEn(raw)} for "${label.en}" of action ${id}, but the master plan has no such column; the coordinator decides.`,
    });
    return;
  }
  const invalid = invalidReason(column, raw);
  if (invalid) {
    refuse('invalid-value', {
      ro: `Valoarea trimisă de unitatea ${s.unit} pentru „${label.ro}” la acțiunea ${id} nu a fost preluată: ${invalid.ro}.`,
      en: `The value unit ${s.unit} sent for "${label.en}" of action ${id} was not applied: ${invalid.en}.`,
    });
    return;
  }

  const cellKey = `${id}\u0000${column}`;
  let cell = cells.get(cellKey);
  if (!cell) {
    cell = { id, column, proposals: [] };
    cells.set(cellKey, cell);
  }
  cell.proposals.push({
    submission: s,
    baseText,
    raw,
    key: compareKey(column, raw),
    value: writtenValue(column, raw),
  });
}

function resolveCell(
  cell: CellChanges,
  current: Plan,
  currentIndex: PlanIndex,
  applied: AppliedChange[],
  edits: MergeEdit[],
  conflicts: Conflict[],
): void {
  const { id, column } = cell;
  const label = FIELD_LABELS[column];
  const proposals = [...cell.proposals].sort((a, b) =>
    bySubmission(
      { unit: a.submission.unit, submission: a.submission.id },
      { unit: b.submission.unit, submission: b.submission.id },
    ),
  );
  const asValue = (p: Proposal): ConflictValue => ({
    unit: p.submission.unit,
    submission: p.submission.id,
    value: p.raw,
  });
  const action = currentIndex.byId.get(id);

  if (!action) {
    const units = proposals.map((p) => p.submission.unit).join(', ');
    conflicts.push({
      kind: 'coordinator-edit',
      rowId: id,
      column,
      base: proposals[0]!.baseText,
      current: null,
      values: proposals.map(asValue),
      message: {
        ro: `Acțiunea ${id} a fost scoasă din planul master după emiterea copiei; valoarea pentru „${label.ro}” trimisă de ${units} nu a fost preluată.`,
        en: `Action ${id} was removed from the master plan after the copy was issued; the value for "${label.en}" sent by ${units} was not applied.`,
      },
    });
    return;
  }

  const currentText = action.text[column];
  const currentKey = compareKey(column, currentText);
  const stale: Proposal[] = [];
  const fresh: Proposal[] = [];
  for (const p of proposals) {
    const baseKey = compareKey(column, p.baseText);
    if (currentKey !== baseKey && currentKey !== p.key) stale.push(p);
    else fresh.push(p);
  }

  let finalKey = currentKey;
  const freshKeys = new Set(fresh.map((p) => p.key));
  if (freshKeys.size > 1) {
    const units = [...new Set(fresh.map((p) => p.submission.unit))].join(', ');
    conflicts.push({
      kind: 'concurrent-edit',
      rowId: id,
      column,
      base: fresh[0]!.baseText,
      current: currentText,
      values: fresh.map(asValue),
      message: {
        ro: `Unitățile ${units} au completat „${label.ro}” la acțiunea ${id} cu valori diferite; rămâne valoarea din planul master până decide coordonatorul.`,
        en: `Units ${units} set "${label.en}" of action ${id} to different values; the master plan's value stays until the coordinator decides.`,
      },
    });
  } else if (freshKeys.size === 1 && fresh[0]!.key !== currentKey) {
    const chosen = fresh[0]!;
    finalKey = chosen.key;
    const others = proposals
      .filter((p) => p !== chosen && p.key === chosen.key)
      .map((p) => ({ unit: p.submission.unit, submission: p.submission.id }));
    applied.push({
      rowId: id,
      column,
      from: currentText,
      to: chosen.value,
      unit: chosen.submission.unit,
      submission: chosen.submission.id,
      ...(others.length > 0 ? { agreedBy: others } : {}),
    });
    edits.push({ rowId: id, row: action.row, column, col: current.columns[column]!, value: chosen.value });
  }

  const lost = stale.filter((p) => p.key !== finalKey);
  if (lost.length > 0) {
    const units = [...new Set(lost.map((p) => p.submission.unit))].join(', ');
    const values = lost.map((p) => p.value);
    const shown = [...new Set(values)];
    conflicts.push({
      kind: 'coordinator-edit',
      rowId: id,
      column,
      base: lost[0]!.baseText,
      current: currentText,
      values: lost.map(asValue),
      message: {
        ro: `Coordonatorul a modificat „${label.ro}” la acțiunea ${id} după emiterea copiei (acum ${quoteRo(currentText)}); valoarea trimisă de ${units} (${shown.map(quoteRo).join(', ')}) nu a fost preluată.`,
        en: `The coordinator changed "${label.en}" of action ${id} after the copy was issued (now ${quoteEn(currentText)}); the value sent by ${units} (${shown.map(quoteEn).join(', ')}) was not applied.`,
      },
    });
  }
}

function sortEdits(applied: AppliedChange[], edits: MergeEdit[]): MergeEdit[] {
  const order = (a: { rowId: string; column: Field }, b: { rowId: string; column: Field }): number =>
    compareIds(a.rowId, b.rowId) || FIELDS.indexOf(a.column) - FIELDS.indexOf(b.column);
  applied.sort(order);
  return edits.sort(order);
}

function conflictOrder(a: Conflict, b: Conflict): number {
  const columnIndex = (c: Conflict): number => (c.column === null ? -1 : FIELDS.indexOf(c.column));
  const first = (c: Conflict): ConflictValue => c.values[0]!;
  return (
    compareIds(a.rowId, b.rowId) ||
    columnIndex(a) - columnIndex(b) ||
    CONFLICT_KINDS.indexOf(a.kind) - CONFLICT_KINDS.indexOf(b.kind) ||
    bySubmission(first(a), first(b)) ||
    compareStrings(first(a).value, first(b).value) ||
    compareStrings(a.message.en, b.message.en)
  );
}

function buildReport(
  input: MergeInput,
  summaries: SubmissionSummary[],
  applied: AppliedChange[],
  conflicts: Conflict[],
  overridden: OverriddenChange[],
): MergeReport {
  overridden.sort(
    (a, b) =>
      compareIds(a.rowId, b.rowId) ||
      FIELDS.indexOf(a.column) - FIELDS.indexOf(b.column) ||
      compareStrings(a.unit, b.unit) ||
      compareSubmissionIds(a.submission, b.submission),
  );
  for (const c of conflicts) c.values.sort((a, b) => bySubmission(a, b) || compareStrings(a.value, b.value));
  conflicts.sort(conflictOrder);
  summaries.sort(
    (a, b) =>
      compareStrings(a.unit, b.unit) ||
      time(a.receivedAt) - time(b.receivedAt) ||
      compareStrings(a.receivedAt, b.receivedAt) ||
      compareStrings(a.id, b.id),
  );

  const byKind = Object.fromEntries(CONFLICT_KINDS.map((k) => [k, 0])) as Record<ConflictKind, number>;
  const byUnit: Record<string, { applied: number; conflicts: number }> = {};
  for (const s of summaries) byUnit[s.unit] ??= { applied: 0, conflicts: 0 };
  for (const a of applied) {
    for (const unit of new Set([a.unit, ...(a.agreedBy ?? []).map((x) => x.unit)])) byUnit[unit]!.applied++;
  }
  for (const c of conflicts) {
    byKind[c.kind]++;
    for (const unit of new Set(c.values.map((v) => v.unit))) byUnit[unit]!.conflicts++;
  }

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    planId: input.planId,
    currentRevision: input.currentRevision,
    newRevision: input.newRevision,
    mergedAt: input.mergedAt,
    submissions: summaries,
    applied,
    conflicts,
    overridden,
    counts: { applied: applied.length, conflicts: conflicts.length, byKind, byUnit },
  };
}
