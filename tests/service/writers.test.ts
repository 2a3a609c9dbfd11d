// The Sector 1 plan as other programs save it (tests/fixtures/writers: openpyxl, XlsxWriter, LibreOffice, Gnumeric,
// exceljs, SheetJS, Open XML SDK's x: prefix, Excel 365's markup, relationships in another order, a header logo
// without notes), taken through the CLI as a coordinator would: validate, prepare, copy for three units (edited by
// a direct XML edit, as a department's program would save them), merge, merge --current and a re-merge. Every file
// the product writes is checked with the conformance checker (no problem the writer's own file did not have), opened
// by LibreOffice and Gnumeric (the plan's values shown), and looked at for the writer's own features.
// Expected values are literals from the seed (samples/plan-masuri-caf-sector1-2022.txt), not from the product.
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlan } from '../../plan/grid';
import type { Field, Plan } from '../../plan/model';
import { MergeReport } from '../../plan/report';
import { main } from '../../service/cli';
import { readWorkbookGrid } from '../../service/xlsx/read';
import { planLayout } from '../fixtures/writers/layout';
import {
  NS,
  REL,
  attrOf,
  checkXlsxBatch,
  childrenOf,
  descendants,
  gnumericOpen,
  libreOfficeOpen,
  parseXml,
  readParts,
  relsOf,
  serializeXml,
  sheetsOf,
  textOf,
  type CheckName,
  type Finding,
  type OpenResult,
  type Parts,
  type XElement,
} from '../support/ooxml-check';
import { repoRoot } from '../support/seed';
import { hasSoffice, hasSsconvert, hasXmllint, skipReason } from '../support/tools';
import { zipParts } from '../support/zip-parts';

type Feature =
  | 'notes'
  | 'header logo'
  | 'conditional format'
  | 'data validation'
  | 'defined name'
  | 'second sheet'
  | 'table'
  | 'chart sheet'
  | 'sparkline'
  | 'data bar'
  | 'Excel 365 extension markup'
  | 'threaded comment';

const BASIC: Feature[] = [
  'notes',
  'header logo',
  'conditional format',
  'data validation',
  'defined name',
  'second sheet',
];
const XLSXWRITER: Feature[] = [...BASIC, 'table', 'chart sheet', 'sparkline', 'data bar'];
const EXCEL365: Feature[] = [...BASIC, 'data bar', 'Excel 365 extension markup', 'threaded comment'];

/** Each fixture and what its writer put in it (README in tests/fixtures/writers). */
const WRITERS: { name: string; features: Feature[] }[] = [
  { name: 'openpyxl', features: BASIC },
  { name: 'xlsxwriter', features: XLSXWRITER },
  { name: 'libreoffice', features: BASIC },
  { name: 'gnumeric', features: BASIC },
  { name: 'exceljs', features: BASIC },
  { name: 'sheetjs', features: BASIC },
  { name: 'openxml-sdk', features: XLSXWRITER },
  { name: 'excel365', features: EXCEL365 },
  { name: 'excel365-odd-rels', features: EXCEL365 },
  { name: 'excel365-logo-no-notes', features: EXCEL365.filter((f) => f !== 'notes' && f !== 'threaded comment') },
];

const STEPS = ['prepare', 'copy DMRU', 'copy SIC', 'copy SMI', 'merge', 'merge --current', 're-merge'] as const;
type Step = (typeof STEPS)[number];

const CHECKS: { check: CheckName; title: string }[] = [
  { check: 'package', title: 'is a zip package' },
  { check: 'well-formed', title: 'every XML part well-formed, every prefix bound' },
  { check: 'schema', title: 'the parts it wrote valid against sml.xsd / OPC' },
  { check: 'relationship-target', title: 'every relationship target exists' },
  { check: 'relationship-id', title: 'every r: attribute resolves' },
  { check: 'content-type', title: 'every part has a content type' },
  { check: 'vml-shape-id', title: 'VML shape ids unique' },
  { check: 'vml-idmap', title: 'VML o:idmap blocks not shared' },
  { check: 'note-shape', title: 'every note has its shape in the legacyDrawing VML' },
];

// --- The plan, from the seed (the expected values) ------------------------------------------------------------------
const layout = planLayout();
const PLAN_SHEET = layout.sheet;
const strip = (s: string): string => s.replace(/<\/?i>/g, '').trim();
/** 1-based row of each action id, from the seed's layout (criterion.subcriterion.number). */
const actionRows = new Map<string, number>();
{
  let sub = '';
  layout.rows.forEach((r, i) => {
    if (r.kind === 'subcriterion') sub = /^(\d\.\d)/.exec(r.cells[0]!)![1]!;
    const n = r.kind === 'row' ? /^(\d+)\s*[.)]/.exec(r.cells[0] ?? '') : null;
    if (n) actionRows.set(`${sub}.${n[1]}`, i + 1);
  });
}
/** The edits each department makes (ids and owners checked against the seed: 3.1.2, 3.2.1 DMRU; 2.4.6, 2.4.5 SIC; 1.3.1 SMI). */
const EDITS = {
  DMRU: [
    { id: '3.1.2', field: 'status', value: 'În curs' },
    { id: '3.1.2', field: 'monitoring', value: 'Program aprobat, 2 sesiuni ținute' },
    { id: '1.1.1', field: 'status', value: 'Realizat' }, // CSDDPP's row: a not-owner conflict, a note
  ],
  SIC: [{ id: '2.4.6', field: 'status', value: 'Realizat' }],
  SMI: [
    { id: '1.3.1', field: 'status', value: 'Parțial realizat' },
    { id: '1.3.1', field: 'monitoring', value: 'Raport trimestrial depus' },
  ],
  lateDMRU: [{ id: '3.2.1', field: 'status', value: 'Amânat' }],
  remergeSIC: [{ id: '2.4.5', field: 'status', value: 'În curs' }],
} satisfies Record<string, { id: string; field: Field; value: string }[]>;
/** What each merged workbook must show (id, field, value). */
const EXPECTED: Partial<Record<Step, [string, Field, string][]>> = {
  merge: [
    ['3.1.2', 'status', 'În curs'],
    ['3.1.2', 'monitoring', 'Program aprobat, 2 sesiuni ținute'],
    ['2.4.6', 'status', 'Realizat'],
    ['1.3.1', 'status', 'Parțial realizat'],
    ['1.3.1', 'monitoring', 'Raport trimestrial depus'],
    ['1.1.1', 'status', 'Neînceput'],
  ],
};
EXPECTED['merge --current'] = [...EXPECTED.merge!, ['3.2.1', 'status', 'Amânat']];
EXPECTED['re-merge'] = [...EXPECTED['merge --current']!, ['2.4.5', 'status', 'În curs']];
const REVISION: Partial<Record<Step, number>> = { merge: 2, 'merge --current': 3, 're-merge': 4 };

// --- Running the CLI --------------------------------------------------------------------------------------------

interface StepResult {
  file?: string;
  input?: string;
  error?: string;
  /** For a copy: why a department's (namespace-aware) program could not edit it. */
  editError?: string;
  report?: MergeReport;
}
interface WriterRun {
  fixture: string;
  validate?: { code: number; json?: { actions: number; subcriteria: number; criteria: number; units: number } };
  validateError?: string;
  steps: Map<Step, StepResult>;
  baseline: Finding[];
  findings: Map<Step, Finding[]>;
  libreoffice: Map<Step, OpenResult>;
  gnumeric: Map<Step, OpenResult>;
}

let dir: string;
const runs = new Map<string, WriterRun>();
let fileSeq = 0;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } catch (error) {
    // What a user would see: a raw stack trace.
    return {
      code: -1,
      out: out.join('\n'),
      err: `uncaught ${String((error as Error).stack)
        .split('\n')
        .slice(0, 3)
        .join(' / ')}`,
    };
  }
}

async function step(args: string[], file: string, input?: string): Promise<StepResult> {
  const r = await cli(args);
  if (r.code !== 0)
    return { error: `exit ${r.code}: ${r.err.split('\n').slice(0, 3).join(' / ')}`, ...(input ? { input } : {}) };
  return { file, ...(input ? { input } : {}) };
}

async function planOf(file: string): Promise<Plan> {
  return readPlan(await readWorkbookGrid(new Uint8Array(readFileSync(file))));
}

/**
 * A department's edit of its copy, made on the XML (namespace-aware, keeping the element's own prefix), as the
 * department's program would save it: every other byte of the package stays. Cells are found by the product's
 * reader (its ID and Stare columns), the values are the seed's literals. A workbook.xml with an undeclared r: prefix
 * is read as Excel reads it after its repair (the declaration added, for finding the sheet only), so the merges are
 * still exercised; `repaired` then says what the department's program could not open.
 */
async function editCopy(
  copy: string,
  edits: { id: string; field: Field; value: string }[],
  at: number,
): Promise<{ file: string; repaired?: string }> {
  const plan = await planOf(copy);
  const parts = await readParts(copy);
  let sheets: ReturnType<typeof sheetsOf>['sheets'];
  let repaired: string | undefined;
  try {
    sheets = sheetsOf(parts).sheets;
  } catch (error) {
    repaired = `workbook.xml: ${(error as Error).message.split('\n')[0]}`;
    const fixed = new Map(parts);
    const wb = relsOf(parts, '').find((r) => r.type === REL.officeDocument)!.part!;
    fixed.set(
      wb,
      Buffer.from(
        parts
          .get(wb)!
          .toString('utf8')
          .replace(/<((?:\w+:)?workbook)\b/, `<$1 xmlns:r="${NS.r}"`),
      ),
    );
    sheets = sheetsOf(fixed).sheets;
  }
  const sheetPart = sheets.find((s) => s.name === plan.sheet)!.part!;
  const root = parseXml(parts.get(sheetPart)!.toString('utf8'));
  const sheetData = childrenOf(root, NS.main, 'sheetData')[0]!;
  const prefix = sheetData.name.includes(':') ? `${sheetData.name.split(':')[0]}:` : '';
  const colName = (c: number): string =>
    (c >= 26 ? colName(Math.floor(c / 26) - 1) : '') + String.fromCharCode(65 + (c % 26));
  const colOf = (ref: string): number =>
    [...ref.replace(/\d+$/, '')].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
  const el = (local: string, attrs: [string, string][], children: XElement['children'] = []): XElement => ({
    name: prefix + local,
    uri: NS.main,
    local,
    attrs: attrs.map(([name, value]) => ({ name, uri: '', local: name, value })),
    children,
  });
  for (const e of edits) {
    const action = plan.actions.find((a) => a.id === e.id);
    if (!action) throw new Error(`the copy has no action ${e.id}`);
    const col = plan.columns[e.field];
    if (col === undefined) throw new Error(`the copy has no ${e.field} column`);
    const rowNumber = String(action.row + 1);
    let row = childrenOf(sheetData, NS.main, 'row').find((r) => attrOf(r, 'r') === rowNumber);
    if (!row) {
      row = el('row', [['r', rowNumber]]);
      const rows = sheetData.children;
      const after = rows.findIndex((r) => typeof r !== 'string' && Number(attrOf(r, 'r')) > action.row + 1);
      rows.splice(after < 0 ? rows.length : after, 0, row);
    }
    const ref = `${colName(col)}${rowNumber}`;
    const cells = row.children;
    let i = cells.findIndex((c) => typeof c !== 'string' && attrOf(c, 'r') === ref);
    const style = i >= 0 ? attrOf(cells[i] as XElement, 's') : undefined;
    const cell = el(
      'c',
      [['r', ref], ...(style ? [['s', style] as [string, string]] : []), ['t', 'inlineStr']],
      [el('is', [], [el('t', [], [e.value])])],
    );
    if (i >= 0) cells[i] = cell;
    else {
      i = cells.findIndex((c) => typeof c !== 'string' && colOf(attrOf(c, 'r') ?? 'A1') > col);
      cells.splice(i < 0 ? cells.length : i, 0, cell);
    }
  }
  const out = path.join(dir, `edited-${++fileSeq}-${path.basename(copy)}`);
  const next = new Map(parts);
  next.set(sheetPart, Buffer.from(serializeXml(root), 'utf8'));
  writeFileSync(out, zipParts([...next].map(([name, data]) => ({ name, data: new Uint8Array(data) }))));
  // Submissions of one unit are ordered by when they arrived.
  const t = new Date(Date.UTC(2023, 0, 1, 0, at));
  utimesSync(out, t, t);
  return repaired ? { file: out, repaired } : { file: out };
}

async function runWriter(name: string): Promise<WriterRun> {
  const fixture = path.join(repoRoot, 'tests/fixtures/writers/files', `${name}.xlsx`);
  const run: WriterRun = {
    fixture,
    steps: new Map(),
    baseline: [],
    findings: new Map(),
    libreoffice: new Map(),
    gnumeric: new Map(),
  };
  const v = await cli(['validate', fixture, '--json']);
  try {
    run.validate = { code: v.code, json: JSON.parse(v.out) };
  } catch {
    run.validateError = `exit ${v.code}: ${v.err || v.out}`.slice(0, 300);
  }
  const out = (s: string): string => path.join(dir, `${name}-${s}.xlsx`);
  const master = out('prepared');
  run.steps.set(
    'prepare',
    await step(['prepare', fixture, '--out', master, '--plan-id', 'sector1-2022'], master, fixture),
  );
  const failed = (why: string): StepResult => ({ error: `not run: ${why}` });
  const edited: Partial<Record<'DMRU' | 'SIC' | 'SMI', string>> = {};
  let minute = 0;
  for (const unit of ['DMRU', 'SIC', 'SMI'] as const) {
    const s: Step = `copy ${unit}`;
    if (!run.steps.get('prepare')!.file) {
      run.steps.set(s, failed('prepare failed'));
      continue;
    }
    const copy = out(`copy-${unit}`);
    const r = await step(['copy', master, '--unit', unit, '--out', copy], copy, master);
    run.steps.set(s, r);
    if (r.file) {
      try {
        const { file, repaired } = await editCopy(copy, EDITS[unit], ++minute);
        edited[unit] = file;
        if (repaired) run.steps.set(s, { ...r, editError: repaired });
      } catch (error) {
        run.steps.set(s, { ...r, editError: (error as Error).message });
      }
    }
  }
  const mergeStep = async (
    s: Step,
    base: string,
    submissions: (string | undefined)[],
    current?: string,
  ): Promise<StepResult> => {
    if (submissions.some((x) => x === undefined) || !base) return failed('an earlier step or edit failed');
    const file = out(s.replace(/\W+/g, '-'));
    const report = path.join(dir, `${name}-${s.replace(/\W+/g, '-')}.json`);
    const args = ['merge', '--base', base, '--out', file, '--report', report];
    if (current) args.push('--current', current);
    const r = await step([...args, ...(submissions as string[])], file, current ?? base);
    if (r.file) r.report = MergeReport.parse(JSON.parse(readFileSync(report, 'utf8')));
    return r;
  };
  const merged = await mergeStep('merge', master, [edited.DMRU, edited.SIC, edited.SMI]);
  run.steps.set('merge', merged);
  // A DMRU copy issued from revision 1 arrives after the merge: merged against the current master (revision 2).
  let late: string | undefined;
  if (merged.file) {
    const lateCopy = out('copy-DMRU-late');
    const r = await step(['copy', master, '--unit', 'DMRU', '--out', lateCopy], lateCopy);
    if (r.file) late = (await editCopy(lateCopy, EDITS.lateDMRU, ++minute).catch(() => undefined))?.file;
  }
  const current = await mergeStep('merge --current', master, [late], merged.file);
  run.steps.set('merge --current', merged.file ? current : failed('merge failed'));
  // The next round: a copy of the merged plan, edited and merged over it.
  let again: string | undefined;
  if (current.file) {
    const copy = out('copy-SIC-rev3');
    const r = await step(['copy', current.file, '--unit', 'SIC', '--out', copy], copy);
    if (r.file) again = (await editCopy(copy, EDITS.remergeSIC, ++minute).catch(() => undefined))?.file;
  }
  run.steps.set(
    're-merge',
    current.file ? await mergeStep('re-merge', current.file, [again]) : failed('merge --current failed'),
  );
  return run;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'caf-writers-'));
  const started = Date.now();
  for (const w of WRITERS) runs.set(w.name, await runWriter(w.name));
  const cliDone = Date.now();
  // Every output, checked in batches: one xmllint per kind of check, one soffice, ssconvert two at a time.
  const outputs: { writer: string; step: Step; file: string; input?: string }[] = [];
  for (const [writer, run] of runs)
    for (const [s, r] of run.steps)
      if (r.file) outputs.push({ writer, step: s, file: r.file, ...(r.input ? { input: r.input } : {}) });
  if (hasXmllint) {
    const inputs = new Map<string, Parts>();
    for (const o of outputs) if (o.input && !inputs.has(o.input)) inputs.set(o.input, await readParts(o.input));
    const fixtures = [...runs.values()].map((r) => r.fixture);
    const all = await checkXlsxBatch([
      ...fixtures.map((file) => ({ file })),
      ...outputs.map((o) => ({ file: o.file, ...(o.input ? { input: inputs.get(o.input)! } : {}) })),
    ]);
    [...runs.values()].forEach((r, i) => (r.baseline = all[i]!));
    outputs.forEach((o, i) => runs.get(o.writer)!.findings.set(o.step, all[fixtures.length + i]!));
  }
  const checked = Date.now();
  if (hasSoffice) {
    const lo = libreOfficeOpen(outputs.map((o) => o.file));
    for (const o of outputs) runs.get(o.writer)!.libreoffice.set(o.step, lo.get(o.file)!);
  }
  const loDone = Date.now();
  if (hasSsconvert) {
    const gn = await gnumericOpen(outputs.map((o) => o.file));
    for (const o of outputs) runs.get(o.writer)!.gnumeric.set(o.step, gn.get(o.file)!);
  }
  console.info(
    `writers matrix: CLI ${cliDone - started} ms, checker ${checked - cliDone} ms, LibreOffice ${loDone - checked} ms, ` +
      `Gnumeric ${Date.now() - loDone} ms for ${outputs.length} files`,
  );
}, 900_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// --- What a user sees ---------------------------------------------------------------------------------------

function stepFile(writer: string, s: Step): string {
  const r = runs.get(writer)!.steps.get(s)!;
  if (!r.file || r.error) throw new Error(`${writer} ${s} wrote no file: ${r.error}`);
  return r.file;
}

/** Findings the writer's own file did not have (a writer's quirk Excel lives with is not the product's doing). */
function newFindings(writer: string, s: Step, check: CheckName): string[] {
  const run = runs.get(writer)!;
  stepFile(writer, s);
  const known = new Set(run.baseline.map((f) => `${f.check}|${f.part}|${f.message}`));
  return (run.findings.get(s) ?? [])
    .filter((f) => f.check === check && !known.has(`${f.check}|${f.part}|${f.message}`))
    .map((f) => `${f.part}: ${f.message}`);
}

/** The plan sheet as a second reader shows it: every action's text on its row, and the edited values. */
function expectPlanShown(result: OpenResult | undefined, s: Step, reader: string): void {
  expect(result, `${reader} was not run`).toBeDefined();
  expect(result!.error, `${reader} could not open the file`).toBeUndefined();
  const rows = result!.sheets!.get(PLAN_SHEET);
  expect(
    rows,
    `${reader} shows no sheet "${PLAN_SHEET}" (sheets: ${[...result!.sheets!.keys()].join(', ')})`,
  ).toBeDefined();
  const missing: string[] = [];
  for (const [id, row] of actionRows) {
    const want = strip(layout.rows[row - 1]!.cells[0]!);
    if ((rows![row - 1]?.[0] ?? '').trim() !== want) missing.push(`${id} (row ${row})`);
  }
  expect(missing, `${reader}: actions not shown on their rows`).toEqual([]);
  const header = rows![layout.headerRow - 1]!.map((c) => c.trim());
  const statusCol = header.indexOf('Stare');
  expect(statusCol, `${reader}: no Stare column in the header row`).toBeGreaterThanOrEqual(6);
  const monitoringCol = header.indexOf('Monitorizare și evaluare');
  for (const [id, field, value] of EXPECTED[s] ?? []) {
    const col = field === 'status' ? statusCol : monitoringCol;
    expect((rows![actionRows.get(id)! - 1]?.[col] ?? '').trim(), `${reader}: ${id} ${field}`).toBe(value);
  }
  const second = result!.sheets!.get(layout.second.sheet);
  expect(
    second?.some((r) => r[0] === 'Criteriul 9'),
    `${reader} shows the second sheet's values`,
  ).toBe(true);
}

interface Pkg {
  parts: Parts;
  workbook: XElement;
  sheet: (name: string) => { part: string; root: XElement; rels: ReturnType<typeof relsOf> } | undefined;
}
const pkgs = new Map<string, Promise<Pkg>>();
function pkgOf(file: string): Promise<Pkg> {
  if (!pkgs.has(file)) pkgs.set(file, loadPkg(file));
  return pkgs.get(file)!;
}
async function loadPkg(file: string): Promise<Pkg> {
  const parts = await readParts(file);
  const { workbook, sheets } = sheetsOf(parts);
  return {
    parts,
    workbook: parseXml(parts.get(workbook)!.toString('utf8')),
    sheet: (name) => {
      const part = sheets.find((s) => s.name === name)?.part;
      if (!part || !parts.has(part)) return undefined;
      return { part, root: parseXml(parts.get(part)!.toString('utf8')), rels: relsOf(parts, part) };
    },
  };
}
const all = (root: XElement, uri: string, local: string): XElement[] =>
  [...descendants(root)].filter((e) => e.uri === uri && e.local === local);
const X14 = 'http://schemas.microsoft.com/office/spreadsheetml/2009/9/main';

/** Whether a writer's feature is still in the file, looked for in the XML (namespace-aware). */
function hasFeature(pkg: Pkg, feature: Feature): string | true {
  const plan = pkg.sheet(PLAN_SHEET);
  if (!plan) return 'no plan sheet';
  const second = pkg.sheet(layout.second.sheet);
  const text = (part: string | undefined): string => (part && pkg.parts.get(part)?.toString('utf8')) || '';
  switch (feature) {
    case 'notes': {
      const comments = plan.rels.find((r) => r.type === REL.comments)?.part;
      const xml = text(comments);
      const lost = layout.notes.filter((n) => !xml.includes(n.text)).map((n) => n.ref);
      return lost.length === 0 || `notes lost: ${lost.join(', ')}`;
    }
    case 'header logo': {
      const hf = childrenOf(plan.root, NS.main, 'legacyDrawingHF')[0];
      if (!hf) return 'no legacyDrawingHF';
      const vml = plan.rels.find((r) => r.id === attrOf(hf, 'id', NS.r))?.part;
      if (!vml || !pkg.parts.has(vml)) return 'legacyDrawingHF names no VML part';
      const image = relsOf(pkg.parts, vml).find((r) => r.type === REL.image)?.part;
      if (!image || !pkg.parts.has(image)) return 'the header VML has no image';
      const odd = all(plan.root, NS.main, 'oddHeader')[0];
      return (odd && textOf(odd).includes('&G')) || 'oddHeader shows no picture (&G)';
    }
    case 'conditional format':
      return (
        all(plan.root, NS.main, 'cfRule').some(
          (r) => attrOf(r, 'text') === 'SEM' || all(r, NS.main, 'formula').some((f) => textOf(f).includes('"SEM"')),
        ) || 'the "contains SEM" rule is gone'
      );
    case 'data validation':
      return (
        all(plan.root, NS.main, 'dataValidation').some(
          (d) => attrOf(d, 'type') === 'textLength' && (attrOf(d, 'sqref') ?? '').includes(layout.validationRange),
        ) || 'the text-length validation is gone'
      );
    case 'defined name': {
      const dn = all(pkg.workbook, NS.main, 'definedName').find((d) => attrOf(d, 'name') === layout.definedName.name);
      return (dn && textOf(dn).replace(/&apos;/g, "'") === layout.definedName.ref) || 'Tabel_plan is gone or changed';
    }
    case 'second sheet':
      return !!second || 'the second sheet is gone';
    case 'table': {
      const table = second?.rels.find((r) => r.type === REL.table)?.part;
      return (
        (!!table && pkg.parts.has(table) && all(second!.root, NS.main, 'tablePart').length === 1) || 'the table is gone'
      );
    }
    case 'chart sheet': {
      const { sheets } = sheetsOf(pkg.parts);
      const cs = sheets.find((s) => s.name === 'Grafic');
      return (!!cs?.part && cs.type === REL.chartsheet && pkg.parts.has(cs.part)) || 'the chart sheet is gone';
    }
    case 'sparkline':
      return (!!second && all(second.root, X14, 'sparklineGroup').length > 0) || 'the sparklines are gone';
    case 'data bar':
      return all(plan.root, X14, 'dataBar').length > 0 || 'the Excel 2010 data bar (x14 in the sheet’s extLst) is gone';
    case 'Excel 365 extension markup': {
      const xr = 'http://schemas.microsoft.com/office/spreadsheetml/2014/revision';
      if (all(pkg.workbook, xr, 'revisionPtr').length === 0) return 'xr:revisionPtr is gone';
      if (all(pkg.workbook, NS.mc, 'AlternateContent').length === 0) return 'mc:AlternateContent is gone';
      if (!plan.root.attrs.some((a) => a.uri === xr && a.local === 'uid')) return 'the sheet’s xr:uid is gone';
      return (
        all(pkg.workbook, 'http://schemas.microsoft.com/office/spreadsheetml/2010/11/main', 'workbookPr').length > 0 ||
        'the workbook’s x15 extLst is gone'
      );
    }
    case 'threaded comment': {
      const tc = plan.rels.find((r) => r.type === REL.threadedComment)?.part;
      return (!!tc && text(tc).includes(layout.notes[1]!.text)) || 'the threaded comment is gone';
    }
  }
}

// --- The matrix ---------------------------------------------------------------------------------------------

describe.each(WRITERS)('$name', ({ name, features }) => {
  it('validate: reads the 72 actions in 28 subcriteria, 9 criteria, 12 units', () => {
    const run = runs.get(name)!;
    expect(run.validateError).toBeUndefined();
    expect(run.validate!.json).toMatchObject({ actions: 72, subcriteria: 28, criteria: 9, units: 12 });
  });

  describe.each(STEPS)('%s', (s) => {
    it('exits 0 with its file (no refusal, no stack trace)', () => {
      const r = runs.get(name)!.steps.get(s)!;
      if (r.error) throw new Error(r.error);
    });

    if (s.startsWith('copy')) {
      it('a department’s program (namespace-aware) opens the copy and saves its edits', () => {
        stepFile(name, s);
        const r = runs.get(name)!.steps.get(s)!;
        if (r.editError) throw new Error(r.editError);
      });
    }

    // `%s` of a plain string: vitest cuts `$title` of an object at 40 characters.
    it.skipIf(!hasXmllint).each(CHECKS.map((c) => [c.title, c.check] as const))('checker: %s', (_title, check) => {
      const found = newFindings(name, s, check);
      expect(found, found.join('\n')).toEqual([]);
    });

    it.skipIf(!hasSoffice)('LibreOffice opens it and shows the plan’s values', () => {
      stepFile(name, s);
      expectPlanShown(runs.get(name)!.libreoffice.get(s), s, 'LibreOffice');
    });

    it.skipIf(!hasSsconvert)('Gnumeric opens it and shows the plan’s values', () => {
      stepFile(name, s);
      expectPlanShown(runs.get(name)!.gnumeric.get(s), s, 'Gnumeric');
    });

    it.each(features)('keeps the writer’s %s', async (feature) => {
      expect(hasFeature(await pkgOf(stepFile(name, s)), feature)).toBe(true);
    });

    if (s.startsWith('merge') || s === 're-merge') {
      it('merged values are right (read back by the product’s reader) and the not-owner edit is flagged', async () => {
        const r = runs.get(name)!.steps.get(s)!;
        const plan = await planOf(stepFile(name, s));
        expect(plan.meta?.revision).toBe(REVISION[s]);
        for (const [id, field, value] of EXPECTED[s]!) {
          expect(plan.actions.find((a) => a.id === id)?.text[field], `${id} ${field}`).toBe(value);
        }
        if (s === 'merge') {
          expect(r.report!.conflicts.map((c) => `${c.kind}:${c.rowId}:${c.column}`)).toEqual([
            'not-owner:1.1.1:status',
          ]);
        }
      });
    }
    if (s === 'merge') {
      it('shows the conflict note on 1.1.1’s Stare cell (a comment with its shape)', async () => {
        const pkg = await pkgOf(stepFile(name, s));
        const plan = pkg.sheet(PLAN_SHEET)!;
        const comments = plan.rels.find((r) => r.type === REL.comments)?.part;
        expect(comments, 'no comments part').toBeDefined();
        const refs = all(parseXml(pkg.parts.get(comments!)!.toString('utf8')), NS.main, 'comment').map((c) => ({
          ref: attrOf(c, 'ref'),
          text: textOf(c),
        }));
        const row = actionRows.get('1.1.1')!;
        const note = refs.find(
          (c) => c.ref?.replace(/^[A-Z]+/, '') === String(row) && c.text.includes('DMRU: Realizat'),
        );
        expect(note, `no conflict note on row ${row} (notes: ${refs.map((c) => c.ref).join(', ')})`).toBeDefined();
        const found = newFindings(name, s, 'note-shape');
        expect(found, found.join('\n')).toEqual([]);
      });
    }
  });
});

if (!hasXmllint) console.warn(skipReason('xmllint'));
if (!hasSoffice) console.warn(skipReason('soffice'));
if (!hasSsconvert) console.warn(skipReason('ssconvert'));
