// The one door every submission goes through, whatever its source (HTTP upload, JSON rows from the add-in, the
// drop folder, Google Drive): parse, check it against the plan, store the bytes (fsynced) and then the row, and
// answer with a receipt that a dry-run merge against the current master computed. The same bytes from the same
// unit give the same receipt again, so a source may safely deliver a file twice.
import { Receipt, RowsSubmission, UnitCode } from '../../plan/api';
import { CafError, isCafError } from '../../plan/errors';
import { readPlan } from '../../plan/grid';
import { receiptMessage } from '../../plan/labels';
import { mergePlans, rowsFromPlan, unmatchedRows, type SubmissionInput, type SubmittedRow } from '../../plan/merge';
import { FIELDS, type Bilingual, type Plan } from '../../plan/model';
import { DEFAULT_READ_LIMITS, readWorkbookGrid, type ReadLimits } from '../xlsx/read';
import { sha256 } from '../store/blobs';
import type { PlanRecord, Store, SubmissionRecord } from '../store/store';
import { Semaphore } from './semaphore';

export interface Caller {
  /** The unit a unit token belongs to; undefined for the coordinator (who may submit for any unit). */
  unit?: string;
  /** Who to write in the audit log: `unit:DMRU:ab12cd`, `folder:/srv/caf/in`, ... */
  actor: string;
}

/** Bounds of one submission, beside the byte limits of the HTTP layer. */
export interface IntakeBounds {
  /**
   * Rows the merge cannot match (added, without an id, unknown or repeated ids) a submission may hold: at most the
   * plan's own action count, and at most this. A copy with more is refused before anything is stored.
   */
  maxExtraRows: number;
}

export const DEFAULT_INTAKE_BOUNDS: IntakeBounds = { maxExtraRows: 500 };

/** A refusal the intake wrote to the audit log itself (the sources do not write it twice). */
export class IntakeRefusal extends CafError {}

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

/**
 * The grid slots a department copy of this plan may have: generous for the plan's own rows (criteria, headers,
 * blank lines; 64 columns wide) plus the extra rows the bounds allow, so that a copy padded with tens of thousands of
 * rows is stopped while it is read, with memory bounded by the plan's size rather than the file's.
 */
function copyReadLimits(current: Plan, bounds: IntakeBounds): Partial<ReadLimits> {
  const rows = 2 * current.actions.length + Math.min(bounds.maxExtraRows, current.actions.length) + 1_000;
  const cap = SERVICE_READ_LIMITS.maxCells ?? DEFAULT_READ_LIMITS.maxCells;
  return { ...SERVICE_READ_LIMITS, maxCells: Math.min(cap, Math.max(50_000, rows * 64)) };
}

function tooManyRows(extra: number | null, bound: number): Bilingual {
  const counted = extra === null ? 'zeci de mii de rânduri' : `${extra} rânduri`;
  const countedEn = extra === null ? 'tens of thousands of rows' : `${extra} rows`;
  return {
    ro: `Trimiterea are ${counted} care nu sunt acțiuni ale planului (adăugate, fără ID, cu ID necunoscut sau repetat); se primesc cel mult ${bound}. Nu s-a păstrat nimic. Descărcați din nou copia unității și completați doar rândurile ei.`,
    en: `The submission has ${countedEn} that are not actions of the plan (added, without an ID, with an unknown or repeated ID); at most ${bound} are taken. Nothing was kept. Download the unit's copy again and fill in its own rows only.`,
  };
}

function refuseTooMany(
  store: Store,
  plan: PlanRecord,
  input: { caller: Caller; source: string; blob: string; unit: string | null; extra: number | null; bound: number },
): never {
  const messages = tooManyRows(input.extra, input.bound);
  store.audit(input.caller.actor, 'submission.refused', plan.id, {
    source: input.source,
    code: 'submission-too-many-rows',
    unit: input.unit,
    extraRows: input.extra,
    bound: input.bound,
    sha256: input.blob,
  });
  throw new IntakeRefusal('submission-too-many-rows', messages, 422);
}

function boundOf(current: Plan, bounds: IntakeBounds): number {
  return Math.min(bounds.maxExtraRows, current.actions.length);
}

export async function submitWorkbook(
  store: Store,
  input: {
    planId: string;
    bytes: Uint8Array;
    source: string;
    caller: Caller;
    fileName?: string;
    receivedAt?: string;
    bounds?: IntakeBounds;
  },
): Promise<Intake> {
  const plan = requirePlan(store, input.planId);
  const bounds = input.bounds ?? DEFAULT_INTAKE_BOUNDS;
  const blob = sha256(input.bytes);
  if (input.caller.unit) {
    const seen = store.findSubmission(plan.id, input.caller.unit, blob);
    if (seen) return again(seen);
  }
  const current = store.revisionPlan(plan.id, plan.currentRevision)!;
  const copy = await parsing.run(async () => {
    try {
      return readPlan(await readWorkbookGrid(input.bytes, copyReadLimits(current, bounds)));
    } catch (error) {
      if (!isCafError(error) || error.code !== 'xlsx-too-many-cells') throw error;
      return refuseTooMany(store, plan, {
        caller: input.caller,
        source: input.source,
        blob,
        unit: input.caller.unit ?? null,
        extra: null,
        bound: boundOf(current, bounds),
      });
    }
  });
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
    bounds,
  });
}

/** JSON rows from the add-in: only the rows sent are compared (rows not sent are not deletions). */
export async function submitRows(
  store: Store,
  input: { planId: string; body: unknown; source: string; caller: Caller; receivedAt?: string; bounds?: IntakeBounds },
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
    bounds: input.bounds ?? DEFAULT_INTAKE_BOUNDS,
  });
}

function again(seen: SubmissionRecord): Intake {
  const receipt = receiptPage(Receipt.parse({ ...(seen.receipt as object), duplicate: true }));
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
    bounds: IntakeBounds;
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
  const bound = boundOf(current, s.bounds);
  const extra = unmatchedRows(base, s.rows);
  if (extra > bound) {
    refuseTooMany(store, plan, { caller: s.caller, source: s.source, blob: s.blob, unit: s.unit, extra, bound });
  }
  const receivedAt = s.receivedAt ?? new Date().toISOString();
  const receipt = dryRun(plan, current, base, { ...s, receivedAt }, pendingOf(store, plan, s.unit));
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
    receipt: receiptPage(Receipt.parse({ ...(submission.receipt as object), duplicate })),
    submission,
    duplicate,
  };
}

/** The unit's submissions the next merge will take beside a new one (the latest few: a receipt is an estimate). */
function pendingOf(store: Store, plan: PlanRecord, unit: string): SubmissionInput[] {
  const inputs: SubmissionInput[] = [];
  for (const s of store.listSubmissions(plan.id, { unit, outcome: 'pending', limit: 20 })) {
    const base = store.revisionPlan(plan.id, s.baseRevision);
    if (!base) continue;
    inputs.push({
      id: s.id,
      unit: s.unit,
      receivedAt: s.receivedAt,
      baseRevision: s.baseRevision,
      base,
      rows: store.submissionRows(s.id),
      scope: s.scope,
    });
  }
  return inputs;
}

const NEW = 'new';

/**
 * What the next merge would do with this submission, together with the unit's other pending submissions, against
 * today's master: the same mergePlans, so a receipt never promises what the merge would not do.
 */
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
  pending: SubmissionInput[],
): Omit<Receipt, 'submission'> {
  const { report } = mergePlans({
    planId: plan.id,
    current,
    currentRevision: plan.currentRevision,
    newRevision: plan.currentRevision + 1,
    mergedAt: s.receivedAt,
    editable: plan.editable,
    submissions: [
      ...pending,
      {
        // Sorts after every stored id when times are equal: it is the latest received.
        id: NEW,
        unit: s.unit,
        receivedAt: s.receivedAt,
        baseRevision: s.baseRevision,
        base,
        rows: s.rows,
        scope: s.scope,
      },
    ],
  });
  const willApply = report.applied
    .filter((a) => a.submission === NEW || a.agreedBy?.some((x) => x.submission === NEW))
    .map(({ rowId, column, from, to }) => ({ rowId, column, from, to }));
  const refused = report.conflicts
    .filter((c) => c.values.some((v) => v.submission === NEW))
    .map(({ values, ...c }) => ({ ...c, value: values.find((v) => v.submission === NEW)!.value }));
  const all = report.overridden ?? [];
  const overridden = all
    .filter((o) => o.submission === NEW)
    .map(({ rowId, column, value, by }) => ({ rowId, column, value, by }));
  const overrides = all
    .filter((o) => o.by === NEW)
    .map(({ rowId, column, submission }) => ({ rowId, column, submission }));
  const others = pending.length;
  const rule =
    others === 0
      ? { ro: '', en: '' }
      : {
          ro: ` Unitatea mai are ${others} trimiteri neîmbinate; toate contează: unde două modifică aceeași celulă, câștigă cea emisă din revizia mai nouă, iar la aceeași revizie cea primită mai târziu (${overrides.length} celule ale trimiterilor anterioare sunt înlocuite de aceasta, ${overridden.length} celule ale acesteia de una mai nouă).`,
          en: ` The unit has ${others} more submissions not merged yet; all of them count: where two change the same cell, the one issued from the newer revision wins, on the same revision the one received later (${overrides.length} cells of earlier submissions are overridden by this one, ${overridden.length} cells of this one by a newer one).`,
        };
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
    counts: {
      willApply: willApply.length,
      refused: refused.length,
      overridden: overridden.length,
      overrides: overrides.length,
    },
    overridden,
    overrides,
    message: withRule(
      receiptMessage({
        willApply: willApply.length,
        refused: refused.length,
        currentRevision: plan.currentRevision,
        source: s.source,
      }),
      rule,
    ),
  };
}

function withRule(message: Bilingual, rule: Bilingual): Bilingual {
  return { ro: message.ro + rule.ro, en: message.en + rule.en };
}

/** One page of a receipt's lists (`counts` keep the totals): a receipt answers in bounded size. */
export function receiptPage(receipt: Receipt, offset = 0, limit = RECEIPT_PAGE): Receipt {
  const page = <T>(list: T[] | undefined): T[] | undefined => list?.slice(offset, offset + limit);
  const longest = Math.max(
    receipt.willApply.length,
    receipt.refused.length,
    receipt.overridden?.length ?? 0,
    receipt.overrides?.length ?? 0,
  );
  if (offset === 0 && longest <= limit) return receipt;
  return {
    ...receipt,
    willApply: page(receipt.willApply)!,
    refused: page(receipt.refused)!,
    ...(receipt.overridden ? { overridden: page(receipt.overridden)! } : {}),
    ...(receipt.overrides ? { overrides: page(receipt.overrides)! } : {}),
    page: { offset, limit },
  };
}

export const RECEIPT_PAGE = 200;
