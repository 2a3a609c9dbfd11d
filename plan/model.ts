// The shapes every part of caf-plan shares: the grid a host hands to the reader, and the Plan it gets back.
// Pure data, no behaviour: the add-in builds a WorkbookGrid from the cell values of the used range, the service from an
// .xlsx file, and both pass it to `readPlan` (plan/grid.ts).

/** One cell as both hosts see it: the add-in's range values and the xlsx reader give the same kinds. */
export type CellValue = string | number | boolean | null;

/** A rectangle of cells, 0-based and inclusive on both ends. */
export interface CellRange {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export type SheetState = 'visible' | 'hidden' | 'veryHidden';

export interface SheetGrid {
  name: string;
  state: SheetState;
  /** rows[r][c], 0-based; rows may be ragged and shorter than the sheet. A merged area's value is in its top-left cell only. */
  rows: CellValue[][];
  merges: CellRange[];
}

export interface WorkbookGrid {
  sheets: SheetGrid[];
}

/** The columns of the team's table (SPEC 2), in the words of the spec. */
export const FIELDS = ['id', 'action', 'result', 'owners', 'deadline', 'monitoring', 'resources', 'status'] as const;
export type Field = (typeof FIELDS)[number];

/** What each column is called where a person reads it (merge messages, the pane), as the plan's headers say it. */
export const FIELD_LABELS: Record<Field, Bilingual> = {
  id: { ro: 'ID', en: 'ID' },
  action: { ro: 'Acțiuni necesare', en: 'Action' },
  result: { ro: 'Rezultate măsurabile', en: 'Measurable results' },
  owners: { ro: 'Responsabil', en: 'Owners' },
  deadline: { ro: 'Termen de realizare', en: 'Deadline' },
  monitoring: { ro: 'Monitorizare și evaluare', en: 'Monitoring and evaluation' },
  resources: { ro: 'Resurse necesare', en: 'Resources' },
  status: { ro: 'Stare', en: 'Status' },
};

/** The hidden helper columns `prepare` adds so that Excel keeps highlighting and filtering live without the add-in. */
export const HELPER_FIELDS = ['dueDate', 'ownerCodes'] as const;
export type HelperField = (typeof HELPER_FIELDS)[number];
export type Column = Field | HelperField;

/**
 * Columns that shape the table rather than hold an action's fields (SPEC 2 layouts): the team's running numbers
 * (`Nr. crt.`), a level column (`Nivel`), criterion and subcriterion columns, the year beside a period deadline.
 */
export const LAYOUT_COLUMNS = ['number', 'level', 'criterion', 'subcriterion', 'year'] as const;
export type LayoutColumn = (typeof LAYOUT_COLUMNS)[number];
export type MappedColumn = Column | LayoutColumn;
/** A column chosen by the user for a field (0-based), overriding the reader's guess; stored in `_caf_plan`. */
export type ColumnChoice = Partial<Record<MappedColumn, number>>;

/** Headers written by `prepare` for the columns it adds (they are also accepted by the reader). */
export const ADDED_HEADERS: Record<'id' | 'status' | HelperField, string> = {
  id: 'ID',
  status: 'Stare',
  dueDate: 'Termen calculat',
  ownerCodes: 'Coduri responsabili',
};

/**
 * What the due-date helper column holds when a deadline has no fixed date, so that conditional formats can tell
 * a recurring deadline from an invalid one without the add-in.
 */
export const DUE_HELPER_RECURRING = 'recurent';
export const DUE_HELPER_INVALID = 'invalid';

/** Columns a department may edit unless the coordinator says otherwise (SPEC 5). */
export const DEFAULT_EDITABLE: readonly Field[] = ['status', 'monitoring'];

/** A calendar day with no time zone, as `YYYY-MM-DD`. */
export type LocalDate = string;

export interface Bilingual {
  ro: string;
  en: string;
}

export type Severity = 'error' | 'warning';

export interface Finding {
  /** Stable rule id, e.g. `deadline-format`. */
  rule: string;
  severity: Severity;
  /** The action's id, when the finding is about one action. */
  rowId?: string;
  sheet?: string;
  /** A1-style address of the cell, e.g. `D12`. */
  cell?: string;
  message: Bilingual;
}

/** Key/value rows of the very hidden `_caf_plan` sheet. */
export interface PlanMeta {
  planId: string;
  revision: number;
  /** Set on department copies only: the unit code the copy was issued to. */
  unit?: string;
  issuedAt?: string;
  schemaVersion: number;
  /** Columns departments may edit; absent means DEFAULT_EDITABLE. */
  editable?: Field[];
  /** The coordinator's corrections of the column mapping (`deadline=F,owners=E`). */
  columns?: ColumnChoice;
}

export const META_SHEET = '_caf_plan';
export const SCHEMA_VERSION = 1;

/** A unit of the city hall, from the legend (`CODE - Full name`). */
export interface Unit {
  code: string;
  name: string;
  /** Addresses from the legend's optional `E-mail` column (cells of the unit's row that hold addresses). */
  emails?: string[];
}

export interface Criterion {
  code: string; // '1'
  title: string;
  row: number;
  /** Set when the plan spans several sheets and this one is not `Plan.sheet`. */
  sheet?: string;
}

export interface Subcriterion {
  code: string; // '1.1'
  criterion: string; // '1'
  title: string;
  row: number;
  /** Set when the plan spans several sheets and this one is not `Plan.sheet`. */
  sheet?: string;
}

export interface Action {
  /** `criterion.subcriterion.number` (`1.1.1`) unless the sheet has an ID column; then that column's value. */
  id: string;
  idFromColumn: boolean;
  /** 0-based row of the action in its sheet. */
  row: number;
  /** The sheet the action is on, when the plan spans several sheets and it is not `Plan.sheet`. */
  sheet?: string;
  criterion: string;
  subcriterion: string;
  /** The number the action cell starts with (`4.Revizuirea` gives 4); null when it has none. */
  number: number | null;
  /** Each column's text as the user sees it ('' when empty), continuation rows appended on new lines. */
  text: Record<Field, string>;
  /** The raw values of the action's own row, for columns where the type matters (an Excel date in Termen). */
  values: Partial<Record<Column, CellValue>>;
  /** 0-based rows whose text belongs to this action (SPEC 2 continuation rows). */
  continuationRows: number[];
}

/** Where one sheet of a multi-sheet plan keeps its table. */
export interface PlanSheet {
  sheet: string;
  headerRow: number;
  repeatedHeaderRows: number[];
  columns: Partial<Record<Column, number>>;
  layoutColumns: Partial<Record<LayoutColumn, number>>;
}

export interface Plan {
  /** Name of the sheet that holds the table. */
  sheet: string;
  /** 0-based row of the first header row. */
  headerRow: number;
  /** Repeated header rows (page breaks of the original document), 0-based. */
  repeatedHeaderRows: number[];
  /** 0-based column index of each recognised column. */
  columns: Partial<Record<Column, number>>;
  /** Layout columns of the table (running numbers, level, criterion, subcriterion, year), 0-based. */
  layoutColumns?: Partial<Record<LayoutColumn, number>>;
  /** The header text of each recognised column, as the sheet writes it (what `validate` shows). */
  headers?: Partial<Record<MappedColumn, string>>;
  /** The header row's cell texts by column ('' for empty), the choices a user can map a field to. */
  headerTexts?: string[];
  /** The column choice in force (CLI `--columns` over `_caf_plan`'s `columns`), to keep when writing metadata. */
  columnChoice?: ColumnChoice;
  /** Further sheets of the same plan (one per criterion, an annex), read after `sheet`. */
  moreSheets?: PlanSheet[];
  criteria: Criterion[];
  subcriteria: Subcriterion[];
  actions: Action[];
  /** The legend: the unit registry. */
  units: Unit[];
  meta: PlanMeta | null;
  /** What the reader could not understand, as findings (it never throws). */
  findings: Finding[];
}
