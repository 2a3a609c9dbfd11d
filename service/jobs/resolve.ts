// The coordinator settles a conflict: either by choosing a value, which makes a new revision of the master with
// that cell written, or by keeping the master's value as it is (no new revision).
import { CafError } from '../../plan/errors';
import { readPlan } from '../../plan/grid';
import type { MergeResult } from '../../plan/merge';
import { SCHEMA_VERSION } from '../../plan/model';
import { CONFLICT_KINDS, type ConflictKind, type MergeReport } from '../../plan/report';
import { parseStatus, statusLabel } from '../../plan/status';
import { writeMergedWorkbook } from '../xlsx/merged';
import { readWorkbookGrid } from '../xlsx/read';
import { PlanMovedError, type ConflictRecord, type Store } from '../store/store';
import type { MergeRunner } from './merge';

export type Resolution = { value: string } | { keep: true };

export async function resolveConflict(
  store: Store,
  runner: MergeRunner,
  input: { conflictId: number; resolution: Resolution; actor: string },
): Promise<ConflictRecord> {
  const conflict = store.getConflict(input.conflictId);
  if (!conflict) {
    throw new CafError('not-found', { ro: 'Conflictul nu există.', en: 'No such conflict.' }, 404);
  }
  if (conflict.status !== 'open') {
    throw new CafError(
      'conflict-resolved',
      { ro: 'Conflictul a fost rezolvat deja.', en: 'The conflict has been resolved already.' },
      409,
    );
  }
  // A resolution and a merge both make the next revision: one at a time.
  return runner.exclusive(() => resolveNow(store, conflict, input));
}

async function resolveNow(
  store: Store,
  conflict: ConflictRecord,
  input: { resolution: Resolution; actor: string },
): Promise<ConflictRecord> {
  const plan = store.getPlan(conflict.planId)!;
  const M = plan.currentRevision;
  if ('keep' in input.resolution) {
    const done = store.resolveConflict({ id: conflict.id, by: input.actor, value: null, expectRevision: M });
    store.audit(input.actor, 'conflict.kept', String(conflict.id), { planId: plan.id });
    return done;
  }

  const current = store.revisionPlan(plan.id, M)!;
  const action = conflict.rowId === null ? undefined : current.actions.find((a) => a.id === conflict.rowId);
  const col = conflict.column === null ? undefined : current.columns[conflict.column];
  if (!action || conflict.column === null || col === undefined) {
    throw new CafError(
      'conflict-no-cell',
      {
        ro: 'Acest conflict privește un rând întreg, nu o celulă: adăugați sau ștergeți rândul în master, apoi marcați conflictul ca păstrat.',
        en: 'This conflict is about a whole row, not a cell: add or delete the row in the master, then mark the conflict as kept.',
      },
      422,
    );
  }
  let value = input.resolution.value;
  if (conflict.column === 'status' && value.trim() !== '') {
    const status = parseStatus(value);
    if (status.kind !== 'ok') {
      throw new CafError(
        'invalid-status',
        {
          ro: `„${value}” nu este o stare: Neînceput, În curs, Parțial realizat, Realizat, Amânat, Anulat.`,
          en: `"${value}" is not a status: Neînceput, În curs, Parțial realizat, Realizat, Amânat, Anulat.`,
        },
        422,
      );
    }
    value = statusLabel(status.code);
  }

  const mergedAt = new Date().toISOString();
  const others = store.listConflicts(plan.id, 'open').filter((c) => c.id !== conflict.id && c.revision === M);
  const byKind = Object.fromEntries(CONFLICT_KINDS.map((k) => [k, 0])) as Record<ConflictKind, number>;
  for (const c of others) byKind[c.kind]++;
  const report: MergeReport = {
    schemaVersion: 1,
    planId: plan.id,
    currentRevision: M,
    newRevision: M + 1,
    mergedAt,
    submissions: [],
    applied: [
      {
        rowId: action.id,
        column: conflict.column,
        from: action.text[conflict.column],
        to: value,
        unit: 'coordinator',
        submission: `conflict-${conflict.id}`,
      },
    ],
    conflicts: others.map(({ kind, rowId, column, base, current: cur, values, message }) => ({
      kind,
      rowId,
      column,
      base,
      current: cur,
      values,
      message,
    })),
    counts: { applied: 1, conflicts: others.length, byKind, byUnit: {} },
  };
  const result: MergeResult = {
    report,
    edits: [{ rowId: action.id, row: action.row, column: conflict.column, col, value }],
  };
  const master = store.getRevision(plan.id, M)!;
  const bytes = await writeMergedWorkbook(store.blobs.get(master.blob), current, result, {
    planId: plan.id,
    revision: M + 1,
    issuedAt: mergedAt,
    schemaVersion: SCHEMA_VERSION,
    editable: plan.editable,
  });
  const next = readPlan(await readWorkbookGrid(bytes));
  const blob = store.blobs.put(bytes);
  try {
    const done = store.resolveConflict({
      id: conflict.id,
      by: input.actor,
      value,
      expectRevision: M,
      revision: { blob, plan: next, note: `conflict ${conflict.id}: ${action.id} ${conflict.column}` },
    });
    store.audit(input.actor, 'conflict.resolved', String(conflict.id), {
      planId: plan.id,
      rowId: action.id,
      column: conflict.column,
      value,
      revision: M + 1,
    });
    return done;
  } catch (error) {
    if (error instanceof PlanMovedError) {
      throw new CafError(
        'plan-moved',
        {
          ro: 'Planul s-a schimbat între timp (o îmbinare sau altă rezolvare); reîncărcați și încercați din nou.',
          en: 'The plan changed meanwhile (a merge or another resolution); reload and try again.',
        },
        409,
      );
    }
    throw error;
  }
}
