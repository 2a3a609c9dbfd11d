// Plan objects built directly from rows, for merge tests that need plans of a precise shape (a coordinator's
// edit, a removed row, a plan without a Stare column) rather than what the reader makes of a workbook.
import { metaRows, readPlan } from '../../plan/grid';
import {
  ADDED_HEADERS,
  FIELDS,
  META_SHEET,
  SCHEMA_VERSION,
  type Action,
  type Field,
  type Plan,
  type Unit,
} from '../../plan/model';
import { seedGrid } from './seed';

/** The legend of the seed plan (Sector 1). */
export const SEED_UNITS: Unit[] = [
  { code: 'CL', name: 'Consiliul Local' },
  { code: 'CMON', name: 'Comisia de Monitorizare' },
  { code: 'CSDDPP', name: 'Compartimentul de Strategii de Dezvoltare Durabilă, Programe, Proiecte' },
  { code: 'DGAPL', name: 'Direcția Generală Administrație Publică Locală' },
  { code: 'DI', name: 'Direcția Investiții' },
  { code: 'DJLCA', name: 'Direcția Juridică, Legislație, Contencios Administrativ' },
  { code: 'DME', name: 'Direcția Management Economic' },
  { code: 'DMRU', name: 'Direcția Management Resurse Umane' },
  { code: 'SIC', name: 'Serviciul Imagine și Cultură' },
  { code: 'SMI', name: 'Serviciul Management Informatic' },
  { code: 'SRRP', name: 'Serviciul Registratură, Relații cu Publicul' },
  { code: 'STLSA', name: 'Serviciul Tehnică Legislativă, Secretariat și Arhivă' },
];

export type RowSpec = { id: string } & Partial<Record<Exclude<Field, 'id'>, string>>;

export interface PlanSpec {
  planId?: string;
  revision?: number;
  units?: Unit[];
  /** Columns the plan has; all of FIELDS by default, in FIELDS order. */
  fields?: readonly Field[];
  rows: RowSpec[];
}

/** A prepared plan (ID column present, ids from it): header on row 0, one sheet row per action. */
export function buildPlan(spec: PlanSpec): Plan {
  const fields = spec.fields ?? FIELDS;
  const columns: Plan['columns'] = {};
  fields.forEach((f, i) => (columns[f] = i));
  const actions: Action[] = spec.rows.map((r, i) => {
    const text = Object.fromEntries(
      FIELDS.map((f) => [f, f === 'id' ? r.id : fields.includes(f) ? (r[f] ?? '') : '']),
    ) as Record<Field, string>;
    const [criterion = '', sub = '', number = ''] = r.id.split('.');
    return {
      id: r.id,
      idFromColumn: fields.includes('id'),
      row: i + 1,
      criterion,
      subcriterion: `${criterion}.${sub}`,
      number: Number.isFinite(Number(number)) ? Number(number) : null,
      text,
      values: Object.fromEntries(fields.map((f) => [f, text[f]])),
      continuationRows: [],
    };
  });
  return {
    sheet: 'Plan',
    headerRow: 0,
    repeatedHeaderRows: [],
    columns,
    criteria: [],
    subcriteria: [],
    actions,
    units: spec.units ?? SEED_UNITS,
    meta: { planId: spec.planId ?? 'plan-test', revision: spec.revision ?? 1, schemaVersion: 1 },
    findings: [],
  };
}

/** A copy of a plan with some cells changed (row ids and fields); the plan given is not touched. */
export function withCells(
  plan: Plan,
  changes: Record<string, Partial<Record<Field, string>>>,
  revision?: number,
): Plan {
  return {
    ...plan,
    meta: plan.meta && revision !== undefined ? { ...plan.meta, revision } : plan.meta,
    actions: plan.actions.map((a) => (changes[a.id] ? { ...a, text: { ...a.text, ...changes[a.id] } } : a)),
  };
}

/** A copy of a plan without some rows (the coordinator removed them). */
export function withoutRows(plan: Plan, ids: readonly string[]): Plan {
  return { ...plan, actions: plan.actions.filter((a) => !ids.includes(a.id)) };
}

/**
 * The seed plan as `prepare` leaves it: ID and Stare appended at the right of the table (`Neînceput` everywhere),
 * metadata in `_caf_plan`. Built on the grid and read back with the real reader, so ids and rows are the reader's.
 */
export function preparedSeedPlan(planId = 'sector1-2022', revision = 1): Plan {
  const raw = readPlan(seedGrid());
  const grid = seedGrid();
  const rows = grid.sheets[0]!.rows;
  const width = Math.max(...Object.values(raw.columns).map((c) => c ?? 0)) + 1;
  const put = (r: number, id: string, status: string): void => {
    const row = rows[r]!;
    while (row.length < width) row.push(null);
    row[width] = id;
    row[width + 1] = status;
  };
  for (const r of [raw.headerRow, ...raw.repeatedHeaderRows]) put(r, ADDED_HEADERS.id, ADDED_HEADERS.status);
  for (const action of raw.actions) put(action.row, action.id, 'Neînceput');
  grid.sheets.push({
    name: META_SHEET,
    state: 'veryHidden',
    rows: metaRows({ planId, revision, schemaVersion: SCHEMA_VERSION }),
    merges: [],
  });
  return readPlan(grid);
}
