// The pane's ExcelPort on addin/excel: argument shapes adapted, nothing else. addin/excel does the Office.js work.
import * as excel from '../excel/index';
import type { ExcelPort } from './port';
import { officeReady } from './ready';

export function createOfficePort(): ExcelPort {
  return {
    ready: officeReady,
    readWorkbook: () => excel.readWorkbook(),
    preparePlan: async (plan) => {
      await excel.preparePlan(plan);
    },
    applyHighlighting: (plan, soonDays) => excel.applyHighlighting(plan, { soonDays }),
    applyFilter: (plan, choice, today, soonDays) =>
      excel.applyFilter(
        plan,
        { units: choice.units, criteria: choice.criteria, states: choice.states },
        { today, soonDays },
      ),
    clearFilter: (plan) => excel.clearFilter(plan.sheet),
    lastFilter: () => {
      const last = excel.lastFilter();
      return last
        ? { units: [...(last.units ?? [])], criteria: [...(last.criteria ?? [])], states: [...(last.states ?? [])] }
        : null;
    },
    selectCell: (sheet, address) => excel.selectCell(sheet, address),
    onPlanEdited: (plan, handler) => excel.onPlanEdited(plan, () => handler()),
    saveColumnChoice: (choice) => excel.saveColumnChoice(choice),
  };
}
