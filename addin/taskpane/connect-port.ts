// The "Service" section's ConnectPort on addin/excel: argument shapes adapted, nothing else. No filterUnit: the
// pane's main controller opens a department copy on its unit's filter.
import * as excel from '../excel/index';
import { applySyncPatch } from '../excel/sync';
import type { ConnectPort } from '../service/connect';

export function createConnectPort(): ConnectPort {
  return {
    readWorkbook: () => excel.readWorkbook(),
    applySyncPatch: (patch) => applySyncPatch(patch),
  };
}
