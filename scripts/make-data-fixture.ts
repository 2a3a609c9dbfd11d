// Builds a small data folder the way the service at this version fills it, for the upgrade test
// (tests/service/admin-upgrade.test.ts): the sample plan imported, a coordinator and two unit tokens, submissions as
// JSON rows (the add-in) and as an edited department copy (.xlsx upload), one merge with conflicts, and one
// submission after it still waiting. Next to it, expected.json records what this version stored, read back with
// plain SQL, so the test checks a newer version against the older version's own account of the data.
//
// Made once per released version and then kept as it is (a fixture is what that version wrote, not what the current
// code writes): `npx tsx scripts/make-data-fixture.ts --out tests/fixtures/upgrade/v0.1.0`
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { readPlan } from '../plan/grid';
import { SCHEMA_VERSION, type Field } from '../plan/model';
import { MergeRunner } from '../service/jobs/merge';
import { importWorkbook } from '../service/sources/import';
import { submitRows, submitWorkbook } from '../service/sources/intake';
import { Store } from '../service/store/store';
import { departmentCopy } from '../service/xlsx/copy';
import { readWorkbookGrid } from '../service/xlsx/read';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
if (!values.out) throw new Error('--out DIR');
const out = path.resolve(values.out);
if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out} is not empty`);
mkdirSync(out, { recursive: true });

const store = new Store(out);
const sample = new Uint8Array(readFileSync(path.join(root, 'samples/plan-sector1.xlsx')));
const imported = await importWorkbook(store, { bytes: sample, name: 'Plan Sector 1', actor: 'fixture' });
const planId = imported.plan.id;
store.createToken({ role: 'coordinator', label: 'fixture coordinator' });
store.createToken({ role: 'unit', unit: 'DMRU', label: 'fixture DMRU' });
store.createToken({ role: 'unit', unit: 'SIC', label: 'fixture SIC' });

const plan1 = store.revisionPlan(planId, 1)!;
const owned = (unit: string): string[] =>
  plan1.actions.filter((a) => String(a.values.ownerCodes ?? '').includes(`;${unit};`)).map((a) => a.id!);
const dmru = owned('DMRU');
const sic = owned('SIC').filter((id) => !dmru.includes(id));

// DMRU from the add-in: two rows in progress.
await submitRows(store, {
  planId,
  source: 'addin',
  caller: { unit: 'DMRU', actor: 'unit:DMRU:fixture' },
  body: {
    unit: 'DMRU',
    baseRevision: 1,
    rows: [
      { id: dmru[0], values: { status: 'În curs', monitoring: 'Procedura este în consultare internă.' } },
      { id: dmru[1], values: { status: 'Realizat', monitoring: 'Raport aprobat prin dispoziție.' } },
    ],
  },
});

// SIC uploads its department copy edited in Excel: its own row, and a DMRU row it does not own (a conflict).
const rev1 = store.getRevision(planId, 1)!;
const copy = await departmentCopy(store.blobs.get(rev1.blob), plan1, 'SIC', {
  planId,
  revision: 1,
  unit: 'SIC',
  issuedAt: '2026-12-01T08:00:00.000Z',
  schemaVersion: SCHEMA_VERSION,
  editable: imported.plan.editable,
});
const edited = await editCells(copy, [
  { rowId: sic[0]!, column: 'status', value: 'Parțial realizat' },
  { rowId: sic[0]!, column: 'monitoring', value: 'Aplicația de registratură este în testare.' },
  { rowId: dmru[0]!, column: 'monitoring', value: 'Modificat de SIC' },
]);
await submitWorkbook(store, {
  planId,
  bytes: edited,
  source: 'upload',
  caller: { actor: 'coordinator:fixture' },
  fileName: 'copie SIC.xlsx',
});

const merge = await new MergeRunner(store, { logger: pino({ level: 'silent' }) }).run(planId, 'manual', 'fixture');
if (merge.status !== 'done') throw new Error(`merge ${merge.status}`);

// After the merge: DMRU again, from revision 2, waiting for the next merge.
await submitRows(store, {
  planId,
  source: 'addin',
  caller: { unit: 'DMRU', actor: 'unit:DMRU:fixture' },
  body: {
    unit: 'DMRU',
    baseRevision: 2,
    rows: [{ id: dmru[2], values: { status: 'În curs' } }],
  },
});
store.close();
rmSync(path.join(out, 'blobs', 'tmp'), { recursive: true, force: true });

// What this version stored, read back with plain SQL.
const db = new Database(path.join(out, 'caf-plan.sqlite'), { readonly: true });
const all = <T>(sql: string): T[] => db.prepare(sql).all() as T[];
const tables = all<{ name: string }>(
  "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
).map((t) => t.name);
const expected = {
  madeBy: {
    version: (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version,
    commit: gitHead(),
    schemaVersion: (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v,
  },
  planId,
  actions: plan1.actions.length,
  counts: Object.fromEntries(
    tables.map((t) => [t, (db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get() as { n: number }).n]),
  ),
  revisions: all('SELECT revision, blob, origin, merge_id AS mergeId FROM revisions ORDER BY revision'),
  submissions: all(
    'SELECT id, unit, kind, base_revision AS baseRevision, blob, outcome, merge_id AS mergeId FROM submissions ORDER BY id',
  ),
  merges: all('SELECT id, status, current_revision AS currentRevision, new_revision AS newRevision FROM merges'),
  conflicts: all('SELECT id, kind, row_id AS rowId, column_name AS columnName, status FROM conflicts ORDER BY id'),
  tokens: all('SELECT id, role, unit FROM tokens ORDER BY id'),
};
db.close();
// The read-only look leaves an empty WAL and its index behind: the version's own close had checkpointed everything.
rmSync(path.join(out, 'caf-plan.sqlite-wal'), { force: true });
rmSync(path.join(out, 'caf-plan.sqlite-shm'), { force: true });
writeFileSync(path.join(out, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
console.log(`${out}: ${JSON.stringify(expected.counts)}`);

function gitHead(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Edits cells of the copy's plan sheet as a department head would in Excel, and saves it. */
async function editCells(
  bytes: Uint8Array,
  edits: { rowId: string; column: Field; value: string }[],
): Promise<Uint8Array> {
  const plan = readPlan(await readWorkbookGrid(bytes));
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet(plan.sheet)!;
  for (const e of edits) {
    const action = plan.actions.find((a) => a.id === e.rowId);
    const col = plan.columns[e.column];
    if (!action || col === undefined) throw new Error(`no cell for ${e.rowId}/${e.column}`);
    ws.getCell(action.row + 1, col + 1).value = e.value;
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
