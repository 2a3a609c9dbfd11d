// The one door every submission goes through, whatever its source (HTTP upload, JSON rows from the add-in, the
// drop folder, Google Drive): parse, check it against the plan, store the bytes (fsynced) and then the row, and
// answer with a receipt that a dry-run merge against the current master computed. The same bytes from the same
// unit give the same receipt again, so a source may safely deliver a file twice.
import { Receipt, RowsSubmission, UnitCode } from '../../plan/api';
import { CafError } from '../../plan/errors';
import { readPlan } from '../../plan/grid';
import { receiptMessage } from '../../plan/labels';
import { mergePlans, rowsFromPlan, type SubmittedRow } from '../../plan/merge';
import { FIELDS, type Plan } from '../../plan/model';
import { readWorkbookGrid, type ReadLimits } from '../xlsx/read';
import { sha256 } from '../store/blobs';
import type { PlanRecord, Store, SubmissionRecord } from '../store/store';
import { Semaphore } from './semaphore';

export interface Caller {
  /** The unit a unit token belongs to; undefined for the coordinator (who may submit for any unit). */
  unit?: string;
  /** Who to write in the audit log: `unit:DMRU:ab12cd`, `folder:/srv/caf/in`, ... */
  actor: string;
}

export interface Intake {
  receipt: Receipt;
  submission: SubmissionRecord;
  duplicate: boolean;
}

/** Reading a workbook is the memory-hungry step: a few at a time keeps the service's memory bounded under load. */
const parsing = new Semaphore(2);

/** Tighter than the reader's defaults: a plan is thousands of cells, not millions; a few such files at once must fit. */
export const SERVICE_READ_LIMITS: Partial<ReadLimits> = {
  maxEntries: 2_000,
  maxPartBytes: 48 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxCells: 1_000_000,
};

export async function submitWorkbook(
  store: Store,
  input: { planId: string; bytes: Uint8Array; source: string; caller: Caller; fileName?: string; receivedAt?: string },
): Promise<Intake> {
  const plan = requirePlan(store, input.planId);
  const blob = sha256(input.bytes);
  if (input.caller.unit) {
    const seen = store.findSubmission(plan.id, input.caller.unit, blob);
    if (seen) return again(seen);
  }
  const copy = await parsing.run(async () => readPlan(await readWorkbookGrid(input.bytes, SERVICE_READ_LIMITS)));
  const meta = copy.meta;
  if (!meta?.unit) {
    throw new CafError(
      'submission-not-a-copy',
      {
        ro: 'Fișierul nu este copia unui departament: îi lipsesc metadatele _caf_plan cu unitatea. Descărcați copia unității din serviciu și trimiteți-o pe aceea.',
        en: 'The file is not a department copy: it has no _caf_plan metadata naming a unit. Download the unit’s copy from the service and submit that one.',
      },
      422,
    );
  }
  if (meta.planId !== plan.id) {
    throw new CafError(
      'submission-other-plan',
      {
        ro: `Copia este a planului „${meta.planId}”, nu a planului „${plan.id}”.`,
        en: `The copy belongs to the plan "${meta.planId}", not to "${plan.id}".`,
      },
      409,
    );
  }
  const unit = UnitCode.parse(meta.unit);
  const seen = store.findSubmission(plan.id, unit, blob);
  if (seen) {
    checkUnit(input.caller, unit);
    return again(seen);
  }
  checkUnit(input.caller, unit);
  return record(store, plan, {
    unit,
    baseRevision: meta.revision,
    rows: rowsFromPlan(copy),
    scope: 'full',
    kind: 'xlsx',
    bytes: input.bytes,
    blob,
    source: input.source,
    caller: input.caller,
    fileName: input.fileName,
    receivedAt: input.receivedAt,
  });
}

/** JSON rows from the add-in: only the rows sent are compared (rows not sent are not deletions). */
export async function submitRows(
  store: Store,
  input: { planId: string; body: unknown; source: string; caller: Caller; receivedAt?: string },
): Promise<Intake> {
  const plan = requirePlan(store, input.planId);
  const body = RowsSubmission.parse(input.body);
  checkUnit(input.caller, body.unit);
  // Canonical bytes: the same rows give the same hash whatever the key order or spacing of the request.
  const canonical = JSON.stringify({
    planId: plan.id,
    unit: body.unit,
    baseRevision: body.baseRevision,
    rows: body.rows.map((r) => ({
      id: r.id,
      values: Object.fromEntries(FIELDS.filter((f) => f in r.values).map((f) => [f, r.values[f]])),
    })),
  });
  const bytes = new TextEncoder().encode(canonical);
  const blob = sha256(bytes);
  const seen = store.findSubmission(plan.id, body.unit, blob);
  if (seen) return again(seen);
  return record(store, plan, {
    unit: body.unit,
    baseRevision: body.baseRevision,
    rows: body.rows,
    scope: 'partial',
    kind: 'json',
    bytes,
    blob,
    source: input.source,
    caller: input.caller,
    fileName: undefined,
    receivedAt: input.receivedAt,
  });
}

function again(seen: SubmissionRecord): Intake {
  const receipt = Receipt.parse({ ...(seen.receipt as object), duplicate: true });
  return { receipt, submission: seen, duplicate: true };
}

function requirePlan(store: Store, planId: string): PlanRecord {
  const plan = store.getPlan(planId);
  if (!plan) {
    throw new CafError('plan-not-found', { ro: `Planul „${planId}” nu există.`, en: `No plan "${planId}".` }, 404);
  }
  return plan;
}

function checkUnit(caller: Caller, unit: string): void {
  if (caller.unit !== undefined && caller.unit !== unit) {
    throw new CafError(
      'submission-wrong-unit',
      {
        ro: `Tokenul unității ${caller.unit} nu poate trimite copia unității ${unit}.`,
        en: `The token of unit ${caller.unit} cannot submit the copy of unit ${unit}.`,
      },
      403,
    );
  }
}

async function record(
  store: Store,
  plan: PlanRecord,
  s: {
    unit: string;
    baseRevision: number;
    rows: SubmittedRow[];
    scope: 'full' | 'partial';
    kind: 'xlsx' | 'json';
    bytes: Uint8Array;
    blob: string;
    source: string;
    caller: Caller;
    fileName: string | undefined;
    receivedAt: string | undefined;
  },
): Promise<Intake> {
  const current = store.revisionPlan(plan.id, plan.currentRevision)!;
  const base = store.revisionPlan(plan.id, s.baseRevision);
  if (!base) {
    throw new CafError(
      'submission-unknown-revision',
      {
        ro: `Copia spune că a fost emisă din revizia ${s.baseRevision}, pe care planul „${plan.id}” nu o are (revizia curentă: ${plan.currentRevision}).`,
        en: `The copy says it was issued from revision ${s.baseRevision}, which the plan "${plan.id}" does not have (current revision: ${plan.currentRevision}).`,
      },
      409,
    );
  }
  if (!current.units.some((u) => u.code === s.unit)) {
    throw new CafError(
      'unit-unknown',
      {
        ro: `Unitatea ${s.unit} nu este în legenda planului.`,
        en: `The unit ${s.unit} is not in the plan's legend.`,
      },
      422,
    );
  }
  const receivedAt = s.receivedAt ?? new Date().toISOString();
  const receipt = dryRun(plan, current, base, { ...s, receivedAt });
  const blob = store.blobs.put(s.bytes);
  const { submission, duplicate } = store.addSubmission({
    planId: plan.id,
    unit: s.unit,
    source: s.source,
    kind: s.kind,
    baseRevision: s.baseRevision,
    blob,
    rows: s.rows,
    scope: s.scope,
    receivedAt,
    submittedBy: s.caller.actor,
    fileName: s.fileName ?? null,
    receipt,
  });
  if (!duplicate) {
    store.audit(s.caller.actor, 'submission.received', `${plan.id}/${submission.id}`, {
      unit: s.unit,
      source: s.source,
      kind: s.kind,
      baseRevision: s.baseRevision,
      blob,
      willApply: receipt.counts.willApply,
      refused: receipt.counts.refused,
    });
  }
  return {
    receipt: Receipt.parse({ ...(submission.receipt as object), duplicate }),
    submission,
    duplicate,
  };
}

/** What the next merge would do with this submission alone against today's master. */
function dryRun(
  plan: PlanRecord,
  current: Plan,
  base: Plan,
  s: {
    unit: string;
    baseRevision: number;
    rows: SubmittedRow[];
    scope: 'full' | 'partial';
    kind: 'xlsx' | 'json';
    source: string;
    receivedAt: string;
  },
): Omit<Receipt, 'submission'> {
  const { report } = mergePlans({
    planId: plan.id,
    current,
    currentRevision: plan.currentRevision,
    newRevision: plan.currentRevision + 1,
    mergedAt: s.receivedAt,
    editable: plan.editable,
    submissions: [
      {
        id: 'new',
        unit: s.unit,
        receivedAt: s.receivedAt,
        baseRevision: s.baseRevision,
        base,
        rows: s.rows,
        scope: s.scope,
      },
    ],
  });
  const willApply = report.applied.map(({ rowId, column, from, to }) => ({ rowId, column, from, to }));
  const refused = report.conflicts.map(({ values, ...c }) => ({ ...c, value: values[0]?.value ?? '' }));
  return {
    planId: plan.id,
    unit: s.unit,
    source: s.source,
    kind: s.kind,
    baseRevision: s.baseRevision,
    currentRevision: plan.currentRevision,
    receivedAt: s.receivedAt,
    duplicate: false,
    willApply,
    refused,
    counts: { willApply: willApply.length, refused: refused.length },
    message: receiptMessage({
      willApply: willApply.length,
      refused: refused.length,
      currentRevision: plan.currentRevision,
      source: s.source,
    }),
  };
}
