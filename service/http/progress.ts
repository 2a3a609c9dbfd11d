// The plan's progress as open data: one row per action with its deadline state on a given day, as JSON or CSV,
// plus the counts per criterion and per unit that the coordinator's charts draw and the report prints.
import { deadlineDue, parseDeadline } from '../../plan/deadline';
import type { LocalDate, Plan } from '../../plan/model';
import { FIELD_LABELS } from '../../plan/model';
import { ownerCodes } from '../../plan/owners';
import { deadlineState, deadlineStateLabel, type DeadlineState } from '../../plan/state';
import { parseStatus, statusLabel, type StatusCode } from '../../plan/status';

export interface ProgressRow {
  id: string;
  criterion: string;
  subcriterion: string;
  /** The action's text (`Acțiuni necesare`). */
  action: string;
  result: string;
  owners: string;
  deadline: string;
  dueDate: string;
  status: string;
  /** The status as a code when it is one of the six, else null (free text or empty). */
  statusCode: StatusCode | null;
  monitoring: string;
  state: DeadlineState;
  /** Days past the due date on `today` (overdue rows only), or days left (due-soon rows); null otherwise. */
  daysLate: number | null;
  daysLeft: number | null;
}

export type StateCounts = Partial<Record<DeadlineState, number>>;

export interface Progress {
  planId: string;
  revision: number;
  today: LocalDate;
  rows: ProgressRow[];
  byCriterion: Record<string, StateCounts>;
  byUnit: Record<string, StateCounts>;
  /** Actions whose owners name no unit of the legend: counted here rather than dropped from the unit chart. */
  unowned: StateCounts;
}

const dayNumber = (d: LocalDate): number => Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / 86_400_000;

export function progressOf(planId: string, revision: number, plan: Plan, today: LocalDate, soonDays: number): Progress {
  const rows: ProgressRow[] = [];
  const byCriterion: Progress['byCriterion'] = {};
  const byUnit: Progress['byUnit'] = {};
  const unowned: StateCounts = {};
  for (const action of plan.actions) {
    const owners = ownerCodes(action.text.owners, plan.units);
    const status = parseStatus(action.text.status);
    const state = deadlineState(action, today, soonDays);
    const dueDate = deadlineDue(parseDeadline(action.values.deadline ?? action.text.deadline)) ?? '';
    const delta = dueDate ? dayNumber(today) - dayNumber(dueDate) : null;
    rows.push({
      id: action.id,
      criterion: action.criterion,
      subcriterion: action.subcriterion,
      action: action.text.action,
      result: action.text.result,
      owners: owners.join(';'),
      deadline: action.text.deadline,
      dueDate,
      status: status.kind === 'ok' ? statusLabel(status.code) : action.text.status,
      statusCode: status.kind === 'ok' ? status.code : null,
      monitoring: action.text.monitoring,
      state,
      daysLate: state === 'overdue' && delta !== null ? delta : null,
      daysLeft: state === 'due-soon' && delta !== null ? -delta : null,
    });
    const c = (byCriterion[action.criterion] ??= {});
    c[state] = (c[state] ?? 0) + 1;
    for (const unit of owners) {
      const u = (byUnit[unit] ??= {});
      u[state] = (u[state] ?? 0) + 1;
    }
    if (owners.length === 0) unowned[state] = (unowned[state] ?? 0) + 1;
  }
  return { planId, revision, today, rows, byCriterion, byUnit, unowned };
}

type CsvLang = 'ro' | 'en';

/** The CSV's columns, headed as the plan's own headers name them (Romanian) or in English. */
const CSV_COLUMNS: { key: keyof ProgressRow; ro: string; en: string }[] = [
  { key: 'id', ...FIELD_LABELS.id },
  { key: 'criterion', ro: 'Criteriu', en: 'Criterion' },
  { key: 'subcriterion', ro: 'Subcriteriu', en: 'Subcriterion' },
  { key: 'action', ...FIELD_LABELS.action },
  { key: 'owners', ...FIELD_LABELS.owners },
  { key: 'deadline', ...FIELD_LABELS.deadline },
  { key: 'dueDate', ro: 'Data scadentă', en: 'Due date' },
  { key: 'status', ...FIELD_LABELS.status },
  { key: 'state', ro: 'Starea termenului', en: 'Deadline state' },
  { key: 'daysLate', ro: 'Zile de întârziere', en: 'Days late' },
  { key: 'monitoring', ...FIELD_LABELS.monitoring },
];

/**
 * A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab / carriage return before one)
 * gets a leading apostrophe: the OWASP defence against CSV injection. Quoted when it holds the separator, a quote
 * or a line break.
 */
export function csvCell(value: string, separator = ';'): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return safe.includes(separator) || /["\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * For Excel as Romanian offices have it: `;` separated (the list separator of the Romanian locale), CRLF, a byte
 * order mark so the diacritics open right; headers and deadline states in the chosen language, the status as the
 * workbook writes it.
 */
export function progressCsv(progress: Progress, lang: CsvLang = 'ro'): string {
  const lines = [CSV_COLUMNS.map((c) => csvCell(c[lang])).join(';')];
  for (const row of progress.rows) {
    lines.push(
      CSV_COLUMNS.map(({ key }) => {
        const v = row[key];
        if (key === 'state') return csvCell(deadlineStateLabel(row.state, lang));
        if (key === 'status' && lang === 'en' && row.statusCode) return csvCell(statusLabel(row.statusCode, 'en'));
        return csvCell(v === null ? '' : String(v));
      }).join(';'),
    );
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

/** Today in the service's time zone, as YYYY-MM-DD. */
export function localToday(timezone: string, now = new Date()): LocalDate {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}
