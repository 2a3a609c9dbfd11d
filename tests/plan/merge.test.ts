// SPEC 5 outcome by outcome, on the Sector 1 seed plan (owners as the seed writes them, misspellings included).
import { describe, expect, it } from 'vitest';
import { mergePlans, rowsFromPlan, type MergeInput, type SubmissionInput, type SubmittedRow } from '../../plan/merge';
import type { Field, Plan } from '../../plan/model';
import { MergeReport, type ConflictKind } from '../../plan/report';
import { buildPlan, preparedSeedPlan, withCells, withoutRows } from '../support/plans';

// The seed plan as `prepare` leaves it (ID and Stare columns, `Neînceput` everywhere), read by the real reader.
const base = preparedSeedPlan('sector1-2022', 3);
const text = (id: string, column: Field): string => base.actions.find((a) => a.id === id)!.text[column];

let counter = 0;
function submission(unit: string, rows: SubmittedRow[], extra: Partial<SubmissionInput> = {}): SubmissionInput {
  counter++;
  return {
    id: extra.id ?? `sub-${unit}-${counter}`,
    unit,
    receivedAt: '2023-03-01T20:00:00Z',
    baseRevision: 3,
    base,
    rows,
    scope: 'full',
    ...extra,
  };
}

/** The unit's copy: the base's rows, with some cells changed. */
function copyRows(from: Plan, changes: Record<string, Partial<Record<Field, string>>>): SubmittedRow[] {
  return rowsFromPlan(from).map((r) =>
    r.id && changes[r.id] ? { ...r, values: { ...r.values, ...changes[r.id] } } : r,
  );
}

function merge(submissions: SubmissionInput[], current: Plan = base, extra: Partial<MergeInput> = {}) {
  const result = mergePlans({
    planId: 'sector1-2022',
    current,
    currentRevision: 3,
    newRevision: 4,
    mergedAt: '2023-03-02T00:00:00Z',
    submissions,
    ...extra,
  });
  // Every report the merge makes is one its readers accept.
  expect(MergeReport.parse(result.report)).toEqual(result.report);
  return result;
}

function kinds(result: ReturnType<typeof merge>): ConflictKind[] {
  return result.report.conflicts.map((c) => c.kind);
}

describe('mergePlans: applied changes', () => {
  it('applies an owner’s status and monitoring, as cell writes on the current plan', () => {
    const s = submission(
      'DMRU',
      copyRows(base, { '1.3.2': { status: 'in curs', monitoring: '  Regulament în lucru\nla DMRU ' } }),
    );
    const result = merge([s]);
    expect(result.report.conflicts).toEqual([]);
    expect(result.report.applied).toEqual([
      {
        rowId: '1.3.2',
        column: 'monitoring',
        from: '',
        to: 'Regulament în lucru\nla DMRU',
        unit: 'DMRU',
        submission: s.id,
      },
      { rowId: '1.3.2', column: 'status', from: 'Neînceput', to: 'În curs', unit: 'DMRU', submission: s.id },
    ]);
    const row = base.actions.find((a) => a.id === '1.3.2')!.row;
    expect(result.edits).toEqual([
      {
        rowId: '1.3.2',
        row,
        column: 'monitoring',
        col: base.columns.monitoring,
        value: 'Regulament în lucru\nla DMRU',
      },
      { rowId: '1.3.2', row, column: 'status', col: base.columns.status, value: 'În curs' },
    ]);
    expect(result.report.counts.applied).toBe(2);
    expect(result.report.counts.byUnit.DMRU).toEqual({ applied: 2, conflicts: 0 });
    expect(result.report.submissions).toEqual([
      { id: s.id, unit: 'DMRU', baseRevision: 3, receivedAt: s.receivedAt, outcome: 'merged' },
    ]);
  });

  it('matches rows by id: a copy whose rows were sorted changes nothing by itself', () => {
    const sorted = [...rowsFromPlan(base)].reverse().map((r, i) => ({ ...r, row: i + 1 }));
    expect(merge([submission('SIC', sorted)]).report).toMatchObject({ applied: [], conflicts: [] });

    const edited = sorted.map((r) => (r.id === '1.4.1' ? { ...r, values: { ...r.values, status: 'Realizat' } } : r));
    const result = merge([submission('SIC', edited)]);
    expect(result.report.applied.map((a) => [a.rowId, a.column, a.to])).toEqual([['1.4.1', 'status', 'Realizat']]);
    expect(result.edits[0]!.row).toBe(base.actions.find((a) => a.id === '1.4.1')!.row);
  });

  it('a copy that only re-saved the text (cedillas, spacing, a spelling of the same status) applies nothing', () => {
    // Every cell of the plan as an old Excel or a Google Sheets export gives it back: cedilla letters, doubled and
    // non-breaking spaces, a status spelt another way.
    const cedilla = (t: string): string =>
      t.replace(/ș/g, 'ş').replace(/ț/g, 'ţ').replace(/Ș/g, 'Ş').replace(/Ț/g, 'Ţ');
    const resaved = rowsFromPlan(base).map((r, i) => ({
      ...r,
      values: Object.fromEntries(
        Object.entries(r.values).map(([f, v]) => [
          f,
          f === 'status'
            ? ['neinceput', 'NEÎNCEPUT', ' Neînceput.'][i % 3]!
            : ` ${cedilla(v).replace(/ /g, i % 2 ? '  ' : '\u00a0')} `,
        ]),
      ),
    }));
    resaved[0]!.values.monitoring = '   \n ';
    expect(resaved.filter((r) => JSON.stringify(r.values).match(/[şţ]/)).length).toBeGreaterThan(50);
    const result = merge([submission('SIC', resaved), submission('SMI', resaved), submission('DMRU', resaved)]);
    expect(result.report.applied).toEqual([]);
    expect(result.report.conflicts).toEqual([]);
    expect(result.edits).toEqual([]);
  });

  it('an owners cell without commas still names each unit (`DGAPL SIC, SMI`)', () => {
    expect(text('5.2.2', 'owners')).toBe('DGAPL SIC, SMI');
    const result = merge(
      ['DGAPL', 'SIC', 'SMI'].map((u) => submission(u, copyRows(base, { '5.2.2': { status: 'În curs' } }))),
    );
    expect(result.report.conflicts).toEqual([]);
    expect(result.report.applied).toHaveLength(1);
    expect(result.report.applied[0]!.agreedBy?.map((a) => a.unit)).toEqual(['SIC', 'SMI']);
    expect(result.report.counts.byUnit).toEqual({
      DGAPL: { applied: 1, conflicts: 0 },
      SIC: { applied: 1, conflicts: 0 },
      SMI: { applied: 1, conflicts: 0 },
    });
  });

  it('takes the editable columns the coordinator chose', () => {
    const s = submission('SMI', copyRows(base, { '4.4.2': { deadline: 'TRIM. IV 2023' } }));
    expect(kinds(merge([s]))).toEqual(['locked-column']);
    const result = merge([s], base, { editable: ['status', 'monitoring', 'deadline'] });
    expect(result.report.applied.map((a) => [a.column, a.to])).toEqual([['deadline', 'TRIM. IV 2023']]);
  });
});

describe('mergePlans: conflicts', () => {
  it('not-owner: a unit changing a row it does not own', () => {
    const s = submission('SIC', copyRows(base, { '1.3.2': { status: 'Realizat' } }));
    const result = merge([s]);
    expect(result.edits).toEqual([]);
    expect(result.report.conflicts).toEqual([
      {
        kind: 'not-owner',
        rowId: '1.3.2',
        column: 'status',
        base: 'Neînceput',
        current: 'Neînceput',
        values: [{ unit: 'SIC', submission: s.id, value: 'Realizat' }],
        message: expect.objectContaining({
          ro: expect.stringContaining('DMRU'),
          en: expect.stringContaining('not among its owners'),
        }),
      },
    ]);
  });

  it('the seed misspells CSDDPP as CSDPPP on 1.1.1: no unit owns the row, so CSDDPP’s change is not-owner', () => {
    const result = merge([submission('CSDDPP', copyRows(base, { '1.1.1': { status: 'Realizat' } }))]);
    expect(result.edits).toEqual([]);
    expect(result.report.conflicts).toMatchObject([
      { kind: 'not-owner', rowId: '1.1.1', message: { en: expect.stringContaining('(none)') } },
    ]);
  });

  it('locked-column: an owner editing the action text is a proposal, not a change', () => {
    const result = merge([
      submission('SMI', copyRows(base, { '4.4.2': { action: 'Digitalizarea completă a registraturii' } })),
    ]);
    expect(result.edits).toEqual([]);
    expect(result.report.conflicts).toMatchObject([
      { kind: 'locked-column', rowId: '4.4.2', column: 'action', base: text('4.4.2', 'action') },
    ]);
    expect(result.report.conflicts[0]!.message.ro).toContain('coordonatorului');
  });

  it('invalid-value: an unknown status, a cleared status, a text over 32,767 characters', () => {
    const long = 'x'.repeat(32_768);
    const result = merge([
      submission('SMI', copyRows(base, { '4.4.2': { status: 'gata aproape' }, '2.3.2': { monitoring: long } })),
      submission('DMRU', copyRows(base, { '1.3.2': { status: '  ' } })),
    ]);
    expect(result.edits).toEqual([]);
    expect(result.report.conflicts.map((c) => [c.kind, c.rowId, c.column])).toEqual([
      ['invalid-value', '1.3.2', 'status'],
      ['invalid-value', '2.3.2', 'monitoring'],
      ['invalid-value', '4.4.2', 'status'],
    ]);
    expect(result.report.conflicts[1]!.message.en).toContain('32,767');
    expect(result.report.conflicts[2]!.message.ro).toContain('Neînceput');
  });

  it('a text of exactly 32,767 characters is applied', () => {
    const result = merge([submission('SMI', copyRows(base, { '4.4.2': { monitoring: 'y'.repeat(32_767) } }))]);
    expect(result.edits).toHaveLength(1);
  });

  it('coordinator-edit: the master changed the cell since the copy was issued; its value stays', () => {
    const current = withCells(base, { '4.4.2': { monitoring: 'Amânat de coordonator' } }, 4);
    const s = submission(
      'SMI',
      copyRows(base, { '4.4.2': { monitoring: 'Caiet de sarcini trimis', status: 'În curs' } }),
    );
    const result = merge([s], current, { currentRevision: 4, newRevision: 5 });
    expect(result.report.conflicts).toMatchObject([
      {
        kind: 'coordinator-edit',
        rowId: '4.4.2',
        column: 'monitoring',
        base: '',
        current: 'Amânat de coordonator',
        values: [{ unit: 'SMI', value: 'Caiet de sarcini trimis' }],
      },
    ]);
    // The other cell of the row was not touched by the coordinator: it is applied.
    expect(result.edits.map((e) => [e.column, e.value])).toEqual([['status', 'În curs']]);
  });

  it('the coordinator and the unit setting the same value agree: nothing to write, no conflict', () => {
    const current = withCells(base, { '4.4.2': { status: 'Realizat' } }, 4);
    const result = merge([submission('SMI', copyRows(base, { '4.4.2': { status: 'realizat' } }))], current);
    expect(result.report).toMatchObject({ applied: [], conflicts: [] });
    expect(result.edits).toEqual([]);
  });

  it('copies from different revisions: each is compared with its own base', () => {
    // Revision 4: the coordinator wrote a monitoring note on 4.6.1; SMI got a second copy from revision 4, DMRU
    // kept its copy of revision 3.
    const rev4 = withCells(base, { '4.4.2': { monitoring: 'Verificat' } }, 4);
    const smi = submission('SMI', copyRows(rev4, { '4.4.2': { monitoring: 'Verificat; contract semnat' } }), {
      base: rev4,
      baseRevision: 4,
    });
    const dmru = submission('DMRU', copyRows(base, { '1.3.2': { status: 'Amânat' } }));
    const result = merge([smi, dmru], rev4, { currentRevision: 4, newRevision: 5 });
    expect(result.report.conflicts).toEqual([]);
    expect(result.report.applied.map((a) => [a.rowId, a.column, a.from, a.to])).toEqual([
      ['1.3.2', 'status', 'Neînceput', 'Amânat'],
      ['4.4.2', 'monitoring', 'Verificat', 'Verificat; contract semnat'],
    ]);
    expect(result.report.submissions.map((s) => [s.unit, s.baseRevision])).toEqual([
      ['DMRU', 3],
      ['SMI', 4],
    ]);
  });

  it('concurrent-edit: two owners set one cell to different values; one conflict lists both', () => {
    const sic = submission('SIC', copyRows(base, { '2.3.2': { monitoring: 'Pagina actualizată' } }));
    const smi = submission('SMI', copyRows(base, { '2.3.2': { monitoring: 'Migrare în curs' } }));
    const result = merge([smi, sic]);
    expect(result.edits).toEqual([]);
    expect(result.report.conflicts).toEqual([
      expect.objectContaining({
        kind: 'concurrent-edit',
        rowId: '2.3.2',
        column: 'monitoring',
        base: '',
        current: '',
        values: [
          { unit: 'SIC', submission: sic.id, value: 'Pagina actualizată' },
          { unit: 'SMI', submission: smi.id, value: 'Migrare în curs' },
        ],
      }),
    ]);
    expect(result.report.counts.byUnit).toEqual({
      SIC: { applied: 0, conflicts: 1 },
      SMI: { applied: 0, conflicts: 1 },
    });
  });

  it('row-added, row-deleted and unknown-row are reported, never applied', () => {
    const rows = rowsFromPlan(base).filter((r) => r.id !== '1.1.1');
    rows.push({
      id: '4.6.2',
      row: 40,
      values: { action: 'Acțiune nouă propusă de SMI', owners: 'SMI', status: 'În curs' },
    });
    rows.push({ id: null, row: 41, values: { action: 'Rând fără ID' } });
    rows.push({ id: 'A-17', row: 42, values: { action: 'ID greșit' } });
    rows.push({ id: '1.4.1', row: 43, values: { action: 'Dublură', status: 'Realizat' } });
    const s = submission('SMI', rows);
    const result = merge([s]);
    expect(result.edits).toEqual([]);
    expect(result.report.conflicts.map((c) => [c.kind, c.rowId])).toEqual([
      ['row-deleted', '1.1.1'],
      ['unknown-row', '1.4.1'],
      ['row-added', '4.6.2'],
      ['unknown-row', 'A-17'],
      ['unknown-row', null],
    ]);
    expect(result.report.conflicts[0]).toMatchObject({
      base: text('1.1.1', 'action'),
      current: text('1.1.1', 'action'),
      values: [{ unit: 'SMI', value: '' }],
    });
    expect(result.report.conflicts[1]!.values).toHaveLength(2);
    expect(result.report.conflicts[4]!.message.ro).toContain('42');
  });

  it('a partial submission (the unit’s rows only) deletes nothing', () => {
    const own = rowsFromPlan(base).filter((r) => r.id === '4.4.2');
    own[0]!.values.status = 'Realizat';
    const result = merge([submission('SMI', own, { scope: 'partial' })]);
    expect(result.report.conflicts).toEqual([]);
    expect(result.report.applied.map((a) => a.rowId)).toEqual(['4.4.2']);
    // The same rows sent as a whole copy: every other action of the seed is a deletion to report.
    expect(kinds(merge([submission('SMI', own, { scope: 'full' })]))).toEqual(
      Array(base.actions.length - 1).fill('row-deleted'),
    );
  });

  it('delete versus edit: one copy drops a row another edits; the edit is applied, the deletion reported', () => {
    const dropped = submission(
      'DGAPL',
      rowsFromPlan(base).filter((r) => r.id !== '2.3.2'),
    );
    const edited = submission('SIC', copyRows(base, { '2.3.2': { status: 'Realizat' } }));
    const result = merge([dropped, edited]);
    expect(result.edits.map((e) => [e.rowId, e.value])).toEqual([['2.3.2', 'Realizat']]);
    expect(kinds(result)).toEqual(['row-deleted']);
  });

  it('a row the coordinator removed since the copy: the change is a coordinator-edit, its deletion is not reported', () => {
    const current = withoutRows(base, ['4.4.2']);
    const result = merge([submission('SMI', copyRows(base, { '4.4.2': { status: 'Realizat' } }))], current);
    expect(result.edits).toEqual([]);
    expect(result.report.conflicts).toMatchObject([
      { kind: 'coordinator-edit', rowId: '4.4.2', column: 'status', current: null },
    ]);
    expect(result.report.conflicts[0]!.message.en).toContain('removed');
  });

  it('a master without a Stare column cannot take a status: locked-column', () => {
    const unprepared = buildPlan({
      planId: 'sector1-2022',
      fields: ['id', 'action', 'owners', 'deadline', 'monitoring'],
      rows: base.actions.map((a) => ({ id: a.id, action: a.text.action, owners: a.text.owners })),
    });
    const result = merge([submission('SMI', copyRows(base, { '4.4.2': { status: 'Realizat' } }))], unprepared);
    expect(kinds(result)).toEqual(['locked-column']);
    expect(result.report.conflicts[0]!.message.en).toContain('no such column');
  });
});

describe('mergePlans: submissions', () => {
  // The defect of issue 14: a unit's second partial submission made the first one `superseded`, and the cell the
  // first receipt promised stayed empty.
  it('two partial submissions of one unit: both are applied, each compared with its own base', () => {
    const partial = (id: string, values: Partial<Record<Field, string>>, receivedAt: string) =>
      submission('DMRU', [{ id, values }], { scope: 'partial', receivedAt });
    const first = partial('3.1.2', { monitoring: 'Instruire ținută în martie' }, '2023-03-01T08:00:00Z');
    const second = partial('3.2.1', { status: 'În curs' }, '2023-03-01T09:00:00Z');
    const result = merge([second, first]);
    expect(result.report.applied.map((a) => [a.rowId, a.column, a.to, a.submission])).toEqual([
      ['3.1.2', 'monitoring', 'Instruire ținută în martie', first.id],
      ['3.2.1', 'status', 'În curs', second.id],
    ]);
    expect(result.report.submissions.map((s) => [s.id, s.outcome])).toEqual([
      [first.id, 'merged'],
      [second.id, 'merged'],
    ]);
    expect(result.report.conflicts).toEqual([]);
    expect(result.report.overridden).toEqual([]);
  });

  it('one cell changed by two submissions of one unit on one revision: the one received later wins, named', () => {
    const early = submission('SMI', copyRows(base, { '4.4.2': { status: 'În curs', monitoring: 'prima versiune' } }), {
      receivedAt: '2023-03-01T08:00:00+02:00',
    });
    const late = submission('SMI', copyRows(base, { '4.4.2': { status: 'Realizat' } }), {
      receivedAt: '2023-03-01T07:30:00Z',
    });
    const result = merge([late, early]);
    // The status both changed: the later one; the monitoring note only the early one changed: kept.
    expect(result.report.applied.map((a) => [a.column, a.to, a.submission])).toEqual([
      ['monitoring', 'prima versiune', early.id],
      ['status', 'Realizat', late.id],
    ]);
    expect(result.report.conflicts).toEqual([]);
    expect(result.report.overridden).toEqual([
      expect.objectContaining({
        rowId: '4.4.2',
        column: 'status',
        submission: early.id,
        value: 'În curs',
        by: late.id,
      }),
    ]);
    expect(result.report.overridden![0]!.message.en).toContain('received later');
    expect(result.report.submissions.every((s) => s.outcome === 'merged')).toBe(true);
  });

  it('an older copy arriving after a newer submission cannot undo the newer one’s cells', () => {
    const rev4 = withCells(base, { '3.1.2': { status: 'În curs' } }, 4);
    const newer = submission('DMRU', [{ id: '3.1.2', values: { status: 'Realizat', monitoring: 'Gata' } }], {
      base: rev4,
      baseRevision: 4,
      scope: 'partial',
      receivedAt: '2023-03-01T08:00:00Z',
    });
    // Issued from revision 3 and sent a day later: its status is overridden, its own other change is kept.
    const older = submission(
      'DMRU',
      copyRows(base, { '3.1.2': { status: 'Parțial realizat' }, '3.2.1': { status: 'Amânat' } }),
      { receivedAt: '2023-03-02T08:00:00Z' },
    );
    const result = merge([older, newer], rev4, { currentRevision: 4, newRevision: 5 });
    expect(result.report.applied.map((a) => [a.rowId, a.column, a.to, a.submission])).toEqual([
      ['3.1.2', 'monitoring', 'Gata', newer.id],
      ['3.1.2', 'status', 'Realizat', newer.id],
      ['3.2.1', 'status', 'Amânat', older.id],
    ]);
    expect(result.report.overridden!.map((o) => [o.rowId, o.column, o.submission, o.by])).toEqual([
      ['3.1.2', 'status', older.id, newer.id],
    ]);
    expect(result.report.overridden![0]!.message.ro).toContain('revizie mai nouă');
    expect(result.report.conflicts).toEqual([]);
  });

  it('a copy of another plan is refused with a reason', () => {
    const other = { ...base, meta: { ...base.meta!, planId: 'sector6-2023' } };
    const result = merge([submission('SMI', copyRows(other, { '4.4.2': { status: 'Realizat' } }), { base: other })]);
    expect(result.edits).toEqual([]);
    expect(result.report.submissions[0]).toMatchObject({
      outcome: 'refused',
      reason: { en: expect.stringContaining('sector6-2023') },
    });
  });

  it('gives the same report whatever order the submissions come in', () => {
    const subs = [
      submission('SIC', copyRows(base, { '2.3.2': { monitoring: 'A' }, '1.4.1': { status: 'Realizat' } })),
      submission('SMI', copyRows(base, { '2.3.2': { monitoring: 'B' }, '4.4.2': { status: 'Amânat' } })),
      submission('DMRU', copyRows(base, { '1.3.2': { monitoring: 'C' }, '4.4.2': { status: 'Anulat' } })),
    ];
    const forward = merge(subs);
    expect(merge([...subs].reverse())).toEqual(forward);
    expect(kinds(forward)).toEqual(['concurrent-edit', 'not-owner']);
  });
});
