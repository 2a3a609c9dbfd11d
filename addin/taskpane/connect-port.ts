// The "Service" section's ConnectPort on addin/excel: argument shapes adapted, nothing else.
import * as excel from '../excel/index';
import { applySyncPatch } from '../excel/sync';
import type { ConnectPort } from '../service/connect';

export function createConnectPort(): ConnectPort {
  return {
    readWorkbook: () => excel.readWorkbook(),
    applySyncPatch: (patch) => applySyncPatch(patch),
    filterUnit: async (plan, unit, today) => {
      await excel.applyFilter(plan, { unit }, { today });
    },
  };
}
