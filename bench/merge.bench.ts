// The nightly merge at city-hall scale: a 10,000-action plan (the seed's 72 actions replicated) and 20 department
// copies, each changing 5% of its unit's editable cells, one of them also dropping rows that other units edited.
// Times mergePlans alone (median of 5), and daff's three-way Merger on the same data, chained over the copies;
// counts the delete-versus-edit rows daff loses without a word while mergePlans reports them.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { mergePlans, rowsFromPlan, type SubmissionInput, type SubmittedRow } from '../plan/merge';
import { FIELDS, type Action, type Field, type Plan } from '../plan/model';
import { ownerCodes } from '../plan/owners';
import { STATUSES } from '../plan/status';
import { preparedSeedPlan } from '../tests/support/plans';
import { EXTRA_UNITS, random } from './scaled-plan';

const ACTIONS = 10_000;
const COPIES = 20;
const CHANGED_SHARE = 0.05;
const DELETIONS = 12;
const RUNS = 5;

type Grid = (string | null)[][];
interface DaffTable {
  data: Grid;
}
interface DaffModule {
  TableView: new (data: Grid) => DaffTable;
  CompareFlags: new () => object;
  Merger: new (parent: DaffTable, local: DaffTable, remote: DaffTable, flags: object) => { apply(): number };
}
const daff = createRequire(import.meta.url)('daff') as DaffModule;

const log = (text: string): boolean => process.stderr.write(`merge bench: ${text}\n`);

function bigPlan(): Plan {
  const seed = preparedSeedPlan('sector1-bench', 7);
  const actions: Action[] = [];
  for (let k = 0; actions.length < ACTIONS; k++) {
    for (const [i, a] of seed.actions.entries()) {
      if (actions.length === ACTIONS) break;
      const id = k === 0 ? a.id : `${a.subcriterion}.${k * 100 + (a.number ?? i)}`;
      const owners = k === 0 ? a.text.owners : `${a.text.owners}, ${EXTRA_UNITS[(k + i) % EXTRA_UNITS.length]!.code}`;
      const text = { ...a.text, id, owners };
      actions.push({ ...a, id, row: actions.length + 1, text, values: { ...text }, continuationRows: [] });
    }
  }
  return { ...seed, headerRow: 0, repeatedHeaderRows: [], actions, units: [...seed.units, ...EXTRA_UNITS] };
}

interface Copy {
  unit: string;
  rows: SubmittedRow[];
  /** Ids of the rows this copy changed. */
  edited: Set<string>;
  deleted: string[];
}

function makeCopies(master: Plan): Copy[] {
  const rand = random(2022);
  const units = master.units.map((u) => u.code);
  const owned = new Map(units.map((u) => [u, [] as string[]]));
  for (const a of master.actions)
    for (const code of ownerCodes(a.text.owners, master.units)) owned.get(code)?.push(a.id);
  const copies: Copy[] = units.slice(0, COPIES).map((unit) => {
    const mine = owned.get(unit)!;
    const cells = mine.flatMap((id) => [`${id}|status`, `${id}|monitoring`]);
    const changes = new Map<string, Partial<Record<Field, string>>>();
    for (const cell of cells) {
      if (rand() >= CHANGED_SHARE) continue;
      const [id, column] = cell.split('|') as [string, Field];
      const value =
        column === 'status'
          ? STATUSES[1 + Math.floor(rand() * (STATUSES.length - 1))]!.ro
          : `Raport ${unit}: etapa ${Math.floor(rand() * 4) + 1} încheiată`;
      changes.set(id, { ...changes.get(id), [column]: value });
    }
    const rows = rowsFromPlan(master).map((r) =>
      changes.has(r.id!) ? { ...r, values: { ...r.values, ...changes.get(r.id!) } } : r,
    );
    return { unit, rows, edited: new Set(changes.keys()), deleted: [] };
  });
  // One copy drops rows that other units edited (a department that deleted "someone else's" rows).
  const deleter = copies[0]!;
  const victims = copies
    .slice(1)
    .flatMap((c) => [...c.edited])
    .filter((id, i, all) => all.indexOf(id) === i)
    .slice(0, DELETIONS);
  deleter.deleted = victims;
  deleter.rows = deleter.rows.filter((r) => !victims.includes(r.id!));
  return copies;
}

const GRID_COLUMNS: Field[] = ['id', ...FIELDS.filter((f) => f !== 'id')];
function gridOf(rows: { id: string | null; values: Partial<Record<Field, string>> }[]): Grid {
  return [
    GRID_COLUMNS.map((f) => f),
    ...rows.map((r) => GRID_COLUMNS.map((f) => (f === 'id' ? r.id : (r.values[f] ?? '')))),
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

const master = bigPlan();
const copies = makeCopies(master);
log(`${master.actions.length} actions, ${master.units.length} units, ${copies.length} copies`);

function runOurs(): ReturnType<typeof mergePlans> {
  // Fresh Plan objects each run: the merge indexes a plan once per object, and the service reads them anew.
  const current = { ...master };
  const base = { ...master };
  const submissions: SubmissionInput[] = copies.map((c, i) => ({
    id: `sub-${String(i).padStart(2, '0')}-${c.unit}`,
    unit: c.unit,
    receivedAt: `2023-03-01T${String(i % 24).padStart(2, '0')}:00:00Z`,
    baseRevision: 7,
    base,
    rows: c.rows,
    scope: 'full',
  }));
  return mergePlans({
    planId: 'sector1-bench',
    current,
    currentRevision: 7,
    newRevision: 8,
    mergedAt: '2023-03-02T00:00:00Z',
    submissions,
  });
}

global.gc?.();
const ourTimes: number[] = [];
let result = runOurs();
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  result = runOurs();
  ourTimes.push(performance.now() - t0);
}
const ourPeak = process.resourceUsage().maxRSS * 1024;
log(`mergePlans median ${median(ourTimes).toFixed(0)} ms`);

const deletedAndEdited = new Set(copies[0]!.deleted.filter((id) => copies.slice(1).some((c) => c.edited.has(id))));
const reportedDeletions = result.report.conflicts.filter(
  (c) => c.kind === 'row-deleted' && deletedAndEdited.has(c.rowId!),
).length;
const editsKept = [...deletedAndEdited].filter((id) => result.edits.some((e) => e.rowId === id)).length;

// daff: the master as `local`, each copy as `remote`, the base as `parent`, merged into `local` one copy at a time.
const parentGrid = gridOf(rowsFromPlan(master));
const copyGrids = copies.map((c) => gridOf(c.rows));
function runDaff(): { table: Grid; conflicts: number } {
  const local = new daff.TableView(parentGrid.map((r) => r.slice()));
  let conflicts = 0;
  for (const grid of copyGrids) {
    const merger = new daff.Merger(
      new daff.TableView(parentGrid),
      local,
      new daff.TableView(grid),
      new daff.CompareFlags(),
    );
    conflicts += merger.apply();
  }
  return { table: local.data, conflicts };
}
const daffRuns = Math.max(1, Number(process.env.DAFF_RUNS ?? 3));
const daffTimes: number[] = [];
let daffResult = { table: [] as Grid, conflicts: 0 };
for (let i = 0; i < daffRuns; i++) {
  const t0 = performance.now();
  daffResult = runDaff();
  daffTimes.push(performance.now() - t0);
  log(`daff run ${i + 1}: ${daffTimes[i]!.toFixed(0)} ms`);
}
const daffIds = new Set(daffResult.table.slice(1).map((r) => r[0]));
const daffDropped = [...deletedAndEdited].filter((id) => !daffIds.has(id)).length;
const daffApplied = (() => {
  // Cells of the master daff changed, to compare with the edits mergePlans makes.
  const before = new Map(parentGrid.slice(1).map((r) => [r[0], r]));
  let n = 0;
  for (const row of daffResult.table.slice(1)) {
    const old = before.get(row[0]!);
    if (old) for (let c = 1; c < row.length; c++) if (row[c] !== old[c]) n++;
  }
  return n;
})();

const counts = result.report.counts;
const speedup = median(daffTimes) / median(ourTimes);
const lines = [
  '## Merge: 10,000 actions, 20 department copies',
  '',
  `Plan: ${master.actions.length} actions (the seed's 72 replicated), ${master.units.length} units; ${copies.length} full copies, each changing ${CHANGED_SHARE * 100}% of its unit's editable cells (Stare, Monitorizare); one copy (${copies[0]!.unit}) also drops ${copies[0]!.deleted.length} rows other units edited.`,
  '',
  '| | mergePlans | daff Merger, chained over the copies |',
  '| --- | --- | --- |',
  `| merge step, median | ${median(ourTimes).toFixed(0)} ms (of ${RUNS}) | ${median(daffTimes).toFixed(0)} ms (of ${daffRuns}) |`,
  `| cells written | ${result.edits.length} | ${daffApplied} |`,
  `| conflicts reported | ${counts.conflicts} (${Object.entries(counts.byKind)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}) | ${daffResult.conflicts} (conflicted cells written into the table as \`((( base ))) a /// b\`) |`,
  `| delete-versus-edit rows (${deletedAndEdited.size}) | ${reportedDeletions} reported as row-deleted, ${editsKept} edits kept | ${daffDropped} rows silently deleted with their edits |`,
  '',
  `- mergePlans is ${speedup.toFixed(0)}x faster than daff (goal: at least 10x).`,
  `- Peak RSS after the mergePlans runs (plan, 20 copies, results): ${mib(ourPeak)} (goal: under 600 MB); with daff: ${mib(process.resourceUsage().maxRSS * 1024)}.`,
  '- The whole file-to-file merge (21 .xlsx files, read, merged and written): see bench/merge-files.bench.ts.',
];
process.stdout.write(lines.join('\n') + '\n');
