// A filter of several units, criteria and deadline states, as AutoFilter criteria per column: what the task pane
// applies with Excel's own AutoFilter (so Excel's "Clear filter" undoes it). One or two values of a kind fit a
// custom criterion (`*;DI;*` or `*;SIC;*`); more become a list of the cell values that match, which Excel's
// AutoFilter takes for any count. A mix of several states and criteria cannot be said column by column (a state
// reads two columns): it becomes the list of the matching action ids.
import { cellText } from './text';
import { criterionCriteria, stateCriteria, unitCriteria, type FilterCriteria, type TableLayout } from './highlight';
import type { Action, LocalDate, Plan } from './model';
import { ownerCodes, parseOwnerCodesCell } from './owners';
import { deadlineState, DEFAULT_SOON_DAYS, type DeadlineState } from './state';

export interface MultiFilter {
  units: readonly string[];
  /** CAF criterion codes (`1`..`9`) or subcriterion codes (`1.2`). */
  criteria: readonly string[];
  states: readonly DeadlineState[];
}

export const NO_FILTER: MultiFilter = { units: [], criteria: [], states: [] };

export function isNoFilter(f: MultiFilter): boolean {
  return f.units.length === 0 && f.criteria.length === 0 && f.states.length === 0;
}

/** The actions the filter leaves visible, computed from the plan (what the pane reports as "12 of 72"). */
export function multiFilterMatches(
  plan: Plan,
  f: MultiFilter,
  today: LocalDate,
  soonDays = DEFAULT_SOON_DAYS,
): Action[] {
  return plan.actions.filter((a) => {
    if (f.units.length > 0) {
      const codes = ownerCodes(a.text.owners, plan.units);
      if (!f.units.some((u) => codes.includes(u))) return false;
    }
    if (f.criteria.length > 0 && !f.criteria.some((c) => a.id.startsWith(`${c}.`))) return false;
    if (f.states.length > 0 && !f.states.includes(deadlineState(a, today, soonDays))) return false;
    return true;
  });
}

function either(parts: FilterCriteria[]): FilterCriteria {
  const [a, b] = parts as [FilterCriteria & { criterion1: string }, FilterCriteria & { criterion1: string }];
  return { filterOn: 'Custom', criterion1: a.criterion1, criterion2: b.criterion1, operator: 'Or' };
}

/** The AutoFilter criteria, by absolute sheet column, for a filter on a prepared plan. */
export function multiFilterCriteria(
  plan: Plan,
  layout: TableLayout,
  f: MultiFilter,
  today: LocalDate,
  soonDays = DEFAULT_SOON_DAYS,
): [number, FilterCriteria][] {
  const out: [number, FilterCriteria][] = [];
  const units = [...new Set(f.units)];
  if (units.length === 1 || units.length === 2) {
    const parts = units.map(unitCriteria);
    out.push([layout.columns.ownerCodes, parts.length === 1 ? parts[0]! : either(parts)]);
  } else if (units.length > 2) {
    const cells = new Set<string>();
    for (const a of plan.actions) {
      const text = cellText(a.values.ownerCodes ?? null);
      if (parseOwnerCodesCell(text).some((c) => units.includes(c))) cells.add(text);
    }
    out.push([layout.columns.ownerCodes, { filterOn: 'Values', values: [...cells] }]);
  }
  const criteria = [...new Set(f.criteria)];
  const states = [...new Set(f.states)];
  if (criteria.length <= 2 && states.length <= 1) {
    if (criteria.length > 0) {
      const parts = criteria.map(criterionCriteria);
      out.push([layout.columns.id, parts.length === 1 ? parts[0]! : either(parts)]);
    }
    if (states.length === 1) {
      const byColumn = stateCriteria(states[0]!, today, soonDays);
      if (byColumn.dueDate) out.push([layout.columns.dueDate, byColumn.dueDate]);
      out.push([layout.columns.status, byColumn.status]);
    }
  } else {
    const ids = multiFilterMatches(plan, { units: [], criteria, states }, today, soonDays).map((a) => a.id);
    out.push([layout.columns.id, { filterOn: 'Values', values: ids }]);
  }
  return out;
}
