// A fake Excel for tests of addin/excel and of the task pane: `installFakeOffice(globalThis, workbook)` sets the
// `Excel`, `Office` and `OfficeExtension` globals over a FakeWorkbook. No Node APIs, so it bundles into a page.
// The conditional-format evaluator (HyperFormula) is in ./evaluate, imported only by tests that need it.
export { FakeWorkbook, FakeSheet, FakeOfficeError, WEB_PAYLOAD_LIMIT, parseRangeAddress, wildcardMatch } from './model';
export { WEB_READ_CELL_LIMIT, convertInput } from './model';
export type { SyncStats, Rect, FakeConditionalFormat, FilterCriteria, FakeComment, FakeNote, FakeHost } from './model';
export { installFakeOffice, FakeContext, FakeSettings, type FakeOffice } from './office';
