// The plan's progress as open data: one row per action with its deadline state on a given day, as JSON or CSV,
// plus the counts per criterion and per unit that the coordinator's charts draw.
import { deadlineDue, parseDeadline } from '../../plan/deadline';
import type { LocalDate, Plan } from '../../plan/model';
import { ownerCodes } from '../../plan/owners';
import { deadlineState, type DeadlineState } from '../../plan/state';
import { parseStatus, statusLabel } from '../../plan/status';

export interface ProgressRow {
  id: string;
  criterion: string;
  subcriterion: string;
  owners: string;
  deadline: string;
  dueDate: string;
  status: string;
  state: DeadlineState;
}

export interface Progress {
  planId: string;
  revision: number;
  today: LocalDate;
  rows: ProgressRow[];
  byCriterion: Record<string, Partial<Record<DeadlineState, number>>>;
  byUnit: Record<string, Partial<Record<DeadlineState, number>>>;
}

export function progressOf(planId: string, revision: number, plan: Plan, today: LocalDate, soonDays: number): Progress {
  const rows: ProgressRow[] = [];
  const byCriterion: Progress['byCriterion'] = {};
  const byUnit: Progress['byUnit'] = {};
  for (const action of plan.actions) {
    const owners = ownerCodes(action.text.owners, plan.units);
    const status = parseStatus(action.text.status);
    const state = deadlineState(action, today, soonDays);
    rows.push({
      id: action.id,
      criterion: action.criterion,
      subcriterion: action.subcriterion,
      owners: owners.join(';'),
      deadline: action.text.deadline,
      dueDate: deadlineDue(parseDeadline(action.values.deadline ?? action.text.deadline)) ?? '',
      status: status.kind === 'ok' ? statusLabel(status.code) : action.text.status,
      state,
    });
    const c = (byCriterion[action.criterion] ??= {});
    c[state] = (c[state] ?? 0) + 1;
    for (const unit of owners) {
      const u = (byUnit[unit] ??= {});
      u[state] = (u[state] ?? 0) + 1;
    }
  }
  return { planId, revision, today, rows, byCriterion, byUnit };
}

const CSV_COLUMNS: (keyof ProgressRow)[] = [
  'id',
  'criterion',
  'subcriterion',
  'owners',
  'deadline',
  'dueDate',
  'status',
  'state',
];

/**
 * A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab / carriage return before one)
 * gets a leading apostrophe: the OWASP defence against CSV injection.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 with CRLF, and a byte order mark so Excel opens the Romanian letters right. */
export function progressCsv(progress: Progress): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of progress.rows) lines.push(CSV_COLUMNS.map((c) => csvCell(String(row[c]))).join(','));
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
