// The merge's promises (SPEC 5), checked with fast-check on plans generated from the seed plan: coordinator edits
// between revisions, rows the coordinator removed, copies issued from different revisions, several copies of one
// unit, sorted, trimmed, re-saved and partial copies, added, deleted and unmatched rows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mergePlans,
  rowsFromPlan,
  type MergeInput,
  type MergeResult,
  type SubmissionInput,
  type SubmittedRow,
} from '../../plan/merge';
import { DEFAULT_EDITABLE, type Field, type Plan } from '../../plan/model';
import { ownerCodes } from '../../plan/owners';
import { parseStatus } from '../../plan/status';
import { normalizeValue } from '../../plan/text';
import { preparedSeedPlan, withCells, withoutRows } from '../support/plans';

const NUM_RUNS = 200;
const seed = preparedSeedPlan('sector1-2022', 1);

// Rows where units meet: those with several owners, plus a few with one (or none the legend knows).
const pool = seed.actions.filter((a) => ownerCodes(a.text.owners, seed.units).length > 1).map((a) => a.id);
pool.push('1.1.1', '1.3.2', '4.4.1');
const poolUnits = [
  ...new Set(pool.flatMap((id) => ownerCodes(seed.actions.find((a) => a.id === id)!.text.owners, seed.units))),
];

const VALUES: Record<'status' | 'monitoring' | 'deadline' | 'action', string[]> = {
  status: ['Neînceput', 'În curs', 'in curs', 'ÎN CURS.', 'Realizat', ' realizat ', 'Parţial realizat', 'gata', '  '],
  monitoring: ['', ' ', 'Raport trimis', 'Raport  trimis ', 'Şedinţă ţinută', 'Ședință ținută\nla DMRU'],
  deadline: ['SEM. II 2023', 'TRIM. III 2023'],
  action: ['Text nou al acțiunii'],
};
const EDITED = Object.keys(VALUES) as (keyof typeof VALUES)[];

// Mostly a few hot rows and the editable columns, so that copies and the coordinator often meet on one cell.
const cellEdit = fc
  .record({
    id: fc.oneof(
      { arbitrary: fc.constantFrom(...pool.slice(0, 2)), weight: 4 },
      { arbitrary: fc.constantFrom(...pool), weight: 1 },
    ),
    field: fc.oneof(
      { arbitrary: fc.constantFrom(...EDITED.slice(0, 2)), weight: 4 },
      { arbitrary: fc.constantFrom(...EDITED), weight: 1 },
    ),
    pick: fc.nat(),
  })
  .map(({ id, field, pick }) => ({ id, field, value: VALUES[field][pick % VALUES[field].length]! }));

function applyEdits(plan: Plan, edits: { id: string; field: Field; value: string }[], revision: number): Plan {
  const changes: Record<string, Partial<Record<Field, string>>> = {};
  for (const e of edits) (changes[e.id] ??= {})[e.field] = e.value;
  return withCells(plan, changes, revision);
}

const submissionSpec = fc.record({
  unit: fc.constantFrom(...poolUnits, 'CL'),
  fromRevision2: fc.boolean(),
  receivedAt: fc.constantFrom('2023-03-01T08:00:00Z', '2023-03-01T09:00:00Z', '2023-03-01T11:00:00+02:00'),
  edits: fc.array(cellEdit, { maxLength: 8 }),
  scope: fc.constantFrom('full' as const, 'partial' as const),
  sortKey: fc.nat(),
  deleted: fc.array(fc.constantFrom(...pool), { maxLength: 2 }),
  added: fc.array(fc.constantFrom('9.9.1', '4.6.9', 'x-1', null), { maxLength: 2 }),
});

const scenario = fc.record({
  revision2: fc.array(cellEdit, { maxLength: 8 }),
  current: fc.array(cellEdit, { maxLength: 6 }),
  removed: fc.array(fc.constantFrom(...pool), { maxLength: 2 }),
  submissions: fc.array(submissionSpec, { minLength: 1, maxLength: 7 }),
  order: fc.array(fc.nat(), { minLength: 7, maxLength: 7 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(sc: Scenario): MergeInput {
  const rev1 = seed;
  const rev2 = applyEdits(rev1, sc.revision2, 2);
  const current = withoutRows(applyEdits(rev2, sc.current, 3), sc.removed);
  const submissions: SubmissionInput[] = sc.submissions.map((spec, i) => {
    const base = spec.fromRevision2 ? rev2 : rev1;
    const changes = new Map<string, Partial<Record<Field, string>>>();
    for (const e of spec.edits) changes.set(e.id, { ...changes.get(e.id), [e.field]: e.value });
    let rows: SubmittedRow[] = rowsFromPlan(base).map((r) =>
      r.id && changes.has(r.id) ? { ...r, values: { ...r.values, ...changes.get(r.id) } } : r,
    );
    if (spec.scope === 'partial')
      rows = rows.filter((r) => r.id !== null && (changes.has(r.id) || pool.indexOf(r.id) % 2 === 0));
    rows = rows.filter((r) => !spec.deleted.includes(r.id!));
    spec.added.forEach((id, k) =>
      rows.push({ id, row: 200 + k, values: { action: `Rând adăugat ${k}`, status: 'În curs' } }),
    );
    // A sorted copy: its rows in another order (rows are matched by id).
    if (spec.sortKey % 3 === 0)
      rows = [...rows].sort((a, b) => String(b.values.action).localeCompare(String(a.values.action)));
    return {
      id: `s${i}`,
      unit: spec.unit,
      receivedAt: spec.receivedAt,
      baseRevision: spec.fromRevision2 ? 2 : 1,
      base,
      rows,
      scope: spec.scope,
    };
  });
  return {
    planId: 'sector1-2022',
    current,
    currentRevision: 3,
    newRevision: 4,
    mergedAt: '2023-03-02T00:00:00Z',
    submissions,
  };
}

/** The current plan with the merge's edits written into it, as the merged workbook holds it. */
function applyResult(plan: Plan, result: MergeResult, revision: number): Plan {
  const actions = plan.actions.map((a) => ({ ...a, text: { ...a.text } }));
  for (const edit of result.edits) {
    const action = actions.find((a) => a.id === edit.rowId)!;
    expect(edit.row).toBe(action.row);
    expect(edit.col).toBe(plan.columns[edit.column]);
    action.text[edit.column] = edit.value;
  }
  return { ...plan, actions, meta: { ...plan.meta!, revision } };
}

function sameValue(column: Field, a: string, b: string): boolean {
  if (column === 'status') {
    const x = parseStatus(a);
    const y = parseStatus(b);
    if (x.kind === 'ok' && y.kind === 'ok') return x.code === y.code;
  }
  return normalizeValue(a) === normalizeValue(b);
}

describe('mergePlans properties', () => {
  it('does not depend on the order the submissions are given in', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const input = build(sc);
        const keyed = input.submissions.map((s, i) => ({ s, k: sc.order[i]! }));
        const shuffled = keyed.sort((a, b) => a.k - b.k).map((x) => x.s);
        expect(mergePlans({ ...input, submissions: shuffled })).toEqual(mergePlans(input));
        expect(mergePlans({ ...input, submissions: [...input.submissions].reverse() })).toEqual(mergePlans(input));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('merging the same submissions twice changes nothing the second time', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const input = build(sc);
        const first = mergePlans(input);
        const current2 = applyResult(input.current, first, input.newRevision);
        const second = mergePlans({
          ...input,
          current: current2,
          currentRevision: input.newRevision,
          newRevision: input.newRevision + 1,
        });
        expect(second.edits).toEqual([]);
        expect(second.report.applied).toEqual([]);
        expect(applyResult(current2, second, input.newRevision + 1).actions).toEqual(current2.actions);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('every changed cell of every submission is applied, overridden by a newer one of its unit, or a conflict', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const input = build(sc);
        const result = mergePlans(input);
        const { report } = result;
        const merged = applyResult(input.current, result, input.newRevision);
        const finalText = new Map(merged.actions.map((a) => [a.id, a.text]));
        expect(report.submissions.map((s) => s.id).sort()).toEqual(input.submissions.map((s) => s.id).sort());

        for (const s of input.submissions) {
          const outcome = report.submissions.find((x) => x.id === s.id)!.outcome;
          if (outcome === 'refused') continue;
          // Every submission of a unit counts (SPEC 5): none is set aside whole.
          expect(outcome, s.id).toBe('merged');
          const baseById = new Map(s.base.actions.map((a) => [a.id, a]));
          const mentioned = (rowId: string | null, column: Field | null): boolean =>
            report.conflicts.some(
              (c) => c.rowId === rowId && c.column === column && c.values.some((v) => v.submission === s.id),
            );
          const sentIds = new Set<string | null>();
          for (const row of s.rows) {
            sentIds.add(row.id);
            const baseAction = row.id === null ? undefined : baseById.get(row.id);
            if (!baseAction) {
              expect(mentioned(row.id, null), `row ${row.id} of ${s.id}`).toBe(true);
              continue;
            }
            for (const [column, value] of Object.entries(row.values) as [Field, string][]) {
              if (sameValue(column, value, baseAction.text[column])) continue;
              const appliedHere = report.applied.some(
                (a) =>
                  a.rowId === row.id &&
                  a.column === column &&
                  sameValue(column, a.to, value) &&
                  (a.submission === s.id || a.agreedBy?.some((x) => x.submission === s.id)),
              );
              const alreadyThere = finalText.has(row.id!) && sameValue(column, finalText.get(row.id!)![column], value);
              const reported = mentioned(row.id, column) || mentioned(row.id, null);
              // Overridden: named, by a submission of the same unit issued from a newer revision, or from the same
              // one and received later, that changed this cell too.
              const overridden = (report.overridden ?? []).some((o) => {
                if (o.rowId !== row.id || o.column !== column || o.submission !== s.id) return false;
                const by = input.submissions.find((x) => x.id === o.by)!;
                const byRow = by.rows.find((r) => r.id === row.id);
                const newer =
                  by.baseRevision > s.baseRevision ||
                  (by.baseRevision === s.baseRevision && Date.parse(by.receivedAt) >= Date.parse(s.receivedAt));
                return (
                  by.unit === s.unit &&
                  newer &&
                  byRow?.values[column] !== undefined &&
                  !sameValue(column, byRow.values[column]!, by.base.actions.find((a) => a.id === row.id)!.text[column])
                );
              });
              expect(
                appliedHere || alreadyThere || reported || overridden,
                `${s.id} ${row.id} ${column} ${JSON.stringify(value)}`,
              ).toBe(true);
            }
          }
          if (s.scope === 'full') {
            for (const id of baseById.keys()) {
              if (!sentIds.has(id) && finalText.has(id))
                expect(mentioned(id, null), `deleted ${id} by ${s.id}`).toBe(true);
            }
          }
        }

        // What was applied came from an owner (in the submission's base), in an editable column.
        for (const a of report.applied) {
          const s = input.submissions.find((x) => x.id === a.submission)!;
          expect(DEFAULT_EDITABLE).toContain(a.column);
          expect(ownerCodes(s.base.actions.find((x) => x.id === a.rowId)!.text.owners, s.base.units)).toContain(s.unit);
        }
        // Conflicted cells that nothing was applied to keep the master's value.
        const current = new Map(input.current.actions.map((x) => [x.id, x.text]));
        for (const c of report.conflicts) {
          if (c.rowId === null || c.column === null || !current.has(c.rowId)) continue;
          if (report.applied.some((a) => a.rowId === c.rowId && a.column === c.column)) continue;
          expect(finalText.get(c.rowId)![c.column]).toBe(current.get(c.rowId)![c.column]);
        }
        expect(report.counts.conflicts).toBe(report.conflicts.length);
        expect(Object.values(report.counts.byKind).reduce((x, y) => x + y, 0)).toBe(report.conflicts.length);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
