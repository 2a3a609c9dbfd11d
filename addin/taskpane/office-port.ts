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
        { unit: choice.unit, criterion: choice.criterion, state: choice.state },
        { today, soonDays },
      ),
    clearFilter: (plan) => excel.clearFilter(plan.sheet),
    lastFilter: () => {
      const last = excel.lastFilter();
      return last ? { unit: last.unit ?? null, criterion: last.criterion ?? null, state: last.state ?? null } : null;
    },
    selectCell: (sheet, address) => excel.selectCell(sheet, address),
    onPlanEdited: (plan, handler) => excel.onPlanEdited(plan, () => handler()),
    saveColumnChoice: (choice) => excel.saveColumnChoice(choice),
  };
}
