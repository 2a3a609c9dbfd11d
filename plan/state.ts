// The deadline state of an action on a given day (SPEC 3): what the add-in highlights and the report counts.
import { addDays } from './date';
import { parseDeadline } from './deadline';
import type { Action, LocalDate } from './model';
import { parseStatus } from './status';

export type DeadlineState = 'done' | 'overdue' | 'due-soon' | 'on-track' | 'recurring' | 'invalid';

export const DEADLINE_STATES: readonly { code: DeadlineState; ro: string; en: string }[] = [
  { code: 'done', ro: 'Realizat', en: 'Done' },
  { code: 'overdue', ro: 'Termen depășit', en: 'Overdue' },
  { code: 'due-soon', ro: 'Termen apropiat', en: 'Due soon' },
  { code: 'on-track', ro: 'În termen', en: 'On track' },
  { code: 'recurring', ro: 'Recurent', en: 'Recurring' },
  { code: 'invalid', ro: 'Termen invalid', en: 'Invalid deadline' },
];

export const DEFAULT_SOON_DAYS = 30;
/** The longest "due soon" window a user may choose (the pane's setting, the CLI's --soon-days). */
export const MAX_SOON_DAYS = 365;

/** The label a deadline state is shown with. */
export function deadlineStateLabel(state: DeadlineState, lang: 'ro' | 'en' = 'ro'): string {
  const entry = DEADLINE_STATES.find((s) => s.code === state);
  if (!entry) throw new RangeError(`unknown deadline state: ${state}`);
  return entry[lang];
}

/**
 * - `done`: status Realizat or Anulat, whatever the deadline;
 * - `recurring`: a recurring or legal deadline (no fixed date);
 * - `invalid`: an empty or unreadable deadline;
 * - `overdue`: the due date is before `today` (the due day itself is still in time);
 * - `due-soon`: due within `soonDays` days from `today`, both ends inclusive;
 * - `on-track`: later.
 * The raw cell value wins over the text, so a real Excel date in Termen is read as a date.
 */
export function deadlineState(action: Action, today: LocalDate, soonDays = DEFAULT_SOON_DAYS): DeadlineState {
  const status = parseStatus(action.text.status);
  if (status.kind === 'ok' && (status.code === 'done' || status.code === 'cancelled')) return 'done';
  const deadline = parseDeadline(action.values.deadline ?? action.text.deadline);
  switch (deadline.kind) {
    case 'recurring':
    case 'legal':
      return 'recurring';
    case 'empty':
    case 'invalid':
      return 'invalid';
    default:
      if (deadline.due < today) return 'overdue';
      return deadline.due <= addDays(today, soonDays) ? 'due-soon' : 'on-track';
  }
}
