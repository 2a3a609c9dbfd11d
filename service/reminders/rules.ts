// Which reminders a unit is due on a given day (pure: the plan, the day, the plan's settings and what was sent before
// in, the items out). Each item names its rule and a key; the log of sent items is what makes "once" and "weekly" true.
import { addDays, daysBetween, lastDayOfMonth } from '../../plan/date';
import { deadlineDue, parseDeadline, type RecurringPeriod } from '../../plan/deadline';
import type { Action, LocalDate, Plan } from '../../plan/model';
import { ownerCodes } from '../../plan/owners';
import { deadlineState, type DeadlineState } from '../../plan/state';
import type { MergeReport } from '../../plan/report';
import { z } from 'zod';

/** The unit rules, and `digest` for the coordinator's weekly message. */
export const RULES = ['due-soon', 'due-today', 'overdue', 'recurring', 'merge-receipt', 'digest'] as const;
export type Rule = (typeof RULES)[number];

const Days = z.number().int().min(0).max(365);

/** The plan's reminder rules (stored per plan; every field has a default, so `{}` is the default settings). */
export const ReminderSettings = z.strictObject({
  /** Off: no message at all for this plan (the calendar feeds still work). */
  enabled: z.boolean().default(true),
  /** Days before a due date for the one "due soon" message; 0 turns the rule off. */
  dueSoonDays: Days.default(14),
  dueToday: z.boolean().default(true),
  overdue: z.boolean().default(true),
  /** An overdue action is recalled at most once in this many days, until it is done. */
  overdueEveryDays: z.number().int().min(1).max(365).default(7),
  recurring: z.boolean().default(true),
  /** Days before the end of each period (month, quarter, ...) of a recurring action. */
  recurringDaysBefore: Days.default(7),
  receipts: z.boolean().default(true),
  digest: z.boolean().default(true),
  /** ISO weekday of the coordinator's digest (1 = Monday); a missed day is made up later that week. */
  digestWeekday: z.number().int().min(1).max(7).default(1),
  coordinatorEmails: z.array(z.email().max(254)).max(20).default([]),
});
export type ReminderSettings = z.output<typeof ReminderSettings>;
export const DEFAULT_SETTINGS: ReminderSettings = ReminderSettings.parse({});

/** An action as a message or a calendar shows it. */
export interface ActionLine {
  id: string;
  text: string;
  deadline: string;
  due: LocalDate | null;
  status: string;
  state: DeadlineState;
  owners: string[];
}

export interface ReminderItem {
  rule: Rule;
  /** What "once" is about: `1.3.2@2023-06-30`, the period end of a recurring action, `merge-4`. */
  key: string;
  action?: ActionLine;
  /** Overdue: days past the due date. */
  daysLate?: number;
  /** Recurring: the end of the current period. */
  periodEnd?: LocalDate;
  /** Merge receipt: what the merge did with this unit's cells. */
  receipt?: {
    mergeId: number;
    revision: number;
    applied: { rowId: string; column: string; to: string }[];
    refused: { rowId: string | null; column: string | null; kind: string; value: string }[];
  };
}

/** What was sent before: the last day an item (unit, rule, key) went out, from the reminder log. */
export type SentBefore = (unit: string, rule: Rule, key: string) => LocalDate | undefined;

export function actionLine(action: Action, plan: Plan, today: LocalDate, soonDays: number): ActionLine {
  return {
    id: action.id,
    text: action.text.action,
    deadline: action.text.deadline,
    due: deadlineDue(parseDeadline(action.values.deadline ?? action.text.deadline)),
    status: action.text.status,
    state: deadlineState(action, today, soonDays),
    owners: ownerCodes(action.text.owners, plan.units),
  };
}

const PERIOD_MONTHS: Partial<Record<RecurringPeriod, number>> = { monthly: 1, quarterly: 3, semiannual: 6, annual: 12 };

/** The last day of the period (month, quarter, half-year, year) of a recurring deadline that holds `day`. */
export function periodEnd(period: RecurringPeriod, day: LocalDate): LocalDate | null {
  const months = PERIOD_MONTHS[period];
  if (!months) return null;
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  return lastDayOfMonth(year, Math.ceil(month / months) * months);
}

export function recurringPeriod(action: Action): RecurringPeriod | null {
  const d = parseDeadline(action.values.deadline ?? action.text.deadline);
  return d.kind === 'recurring' && PERIOD_MONTHS[d.period] ? d.period : null;
}

/** A unit's deadline reminders on `today` (merge receipts come from `receiptItems`). */
export function unitItems(
  plan: Plan,
  unit: string,
  today: LocalDate,
  settings: ReminderSettings,
  sentBefore: SentBefore,
  soonDays: number,
): ReminderItem[] {
  const items: ReminderItem[] = [];
  for (const action of plan.actions) {
    const line = actionLine(action, plan, today, soonDays);
    if (!line.owners.includes(unit) || line.state === 'done') continue;
    const due = line.due;
    if (due) {
      const key = `${action.id}@${due}`;
      const ahead = daysBetween(today, due);
      if (ahead > 0 && ahead <= settings.dueSoonDays && !sentBefore(unit, 'due-soon', key)) {
        items.push({ rule: 'due-soon', key, action: line });
      } else if (ahead === 0 && settings.dueToday && !sentBefore(unit, 'due-today', key)) {
        items.push({ rule: 'due-today', key, action: line });
      } else if (ahead < 0 && settings.overdue) {
        const last = sentBefore(unit, 'overdue', action.id);
        if (!last || last <= addDays(today, -settings.overdueEveryDays)) {
          items.push({ rule: 'overdue', key: action.id, action: line, daysLate: -ahead });
        }
      }
      continue;
    }
    const period = recurringPeriod(action);
    if (period && settings.recurring) {
      const end = periodEnd(period, today)!;
      const key = `${action.id}@${end}`;
      if (daysBetween(today, end) <= settings.recurringDaysBefore && !sentBefore(unit, 'recurring', key)) {
        items.push({ rule: 'recurring', key, action: line, periodEnd: end });
      }
    }
  }
  return items;
}

/** A short receipt per merge that touched the unit's cells, not sent before. */
export function receiptItems(
  unit: string,
  merges: { id: number; report: MergeReport }[],
  sentBefore: SentBefore,
): ReminderItem[] {
  const items: ReminderItem[] = [];
  for (const { id, report } of merges) {
    const applied = report.applied.filter((a) => a.unit === unit || (a.agreedBy ?? []).some((b) => b.unit === unit));
    const refused = report.conflicts.flatMap((c) =>
      c.values
        .filter((v) => v.unit === unit)
        .map((v) => ({ rowId: c.rowId, column: c.column, kind: c.kind, value: v.value })),
    );
    if (applied.length === 0 && refused.length === 0) continue;
    const key = `merge-${id}`;
    if (sentBefore(unit, 'merge-receipt', key)) continue;
    items.push({
      rule: 'merge-receipt',
      key,
      receipt: {
        mergeId: id,
        revision: report.newRevision,
        applied: applied.map((a) => ({ rowId: a.rowId, column: a.column, to: a.to })),
        refused,
      },
    });
  }
  return items;
}
