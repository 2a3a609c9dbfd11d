// The merge of the submissions into the master (SPEC 5), nightly and on demand. Never two at once: an in-process
// flag, and a `running` row that a unique index allows only once across processes. Crash safety: the `running` row
// is written first, the blobs next, and the new revision, the outcomes, the conflicts and the report in one final
// transaction; a merge a crash interrupted committed nothing and is simply redone on the next start.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { CafError } from '../../plan/errors';
import { readPlan } from '../../plan/grid';
import { mergePlans, type SubmissionInput } from '../../plan/merge';
import { SCHEMA_VERSION, type Bilingual } from '../../plan/model';
import { MergeReport, type SubmissionSummary } from '../../plan/report';
import { writeMergedWorkbook } from '../xlsx/merged';
import { readWorkbookGrid } from '../xlsx/read';
import { MergeBusyError, type MergeRecord, type Store } from '../store/store';

export interface MergeRunnerOptions {
  /** Test hook (CAF_TEST_PAUSE_MERGE_MS): sleep after the blobs are written, before the final transaction. */
  pauseBeforeCommitMs?: number;
  logger?: Logger;
}

const UNKNOWN_BASE: Bilingual = {
  ro: 'Revizia din care a fost emisă copia nu mai există.',
  en: 'The revision the copy was issued from does not exist.',
};

export class MergeRunner {
  private busy = false;

  constructor(
    private readonly store: Store,
    private readonly options: MergeRunnerOptions = {},
  ) {}

  get running(): boolean {
    return this.busy;
  }

  /** Runs one merge of the plan now. Throws CafError `merge-busy` (409) when a merge is running. */
  async run(planId: string, trigger: string, actor: string): Promise<MergeRecord> {
    return this.exclusive(async () => {
      let merge: MergeRecord;
      try {
        merge = this.store.beginMerge(planId, trigger, actor);
      } catch (error) {
        if (error instanceof MergeBusyError) throw busy();
        throw error;
      }
      try {
        const done = await this.execute(merge, actor);
        this.options.logger?.info(
          { merge: done.id, plan: planId, status: done.status, revision: done.newRevision },
          'merge finished',
        );
        return done;
      } catch (error) {
        this.store.failMerge(merge.id, error instanceof Error ? error.message : String(error));
        this.options.logger?.error({ err: error, merge: merge.id }, 'merge failed');
        throw error;
      }
    });
  }

  /** Runs a task that makes a revision (a merge, a conflict resolution): one at a time in this process. */
  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.busy) throw busy();
    this.busy = true;
    try {
      return await task();
    } finally {
      this.busy = false;
    }
  }

  /** On start: merges a crash left `running` are marked interrupted and redone from scratch. */
  async recover(): Promise<MergeRecord[]> {
    const interrupted = this.store.interruptRunningMerges();
    const redone: MergeRecord[] = [];
    for (const planId of new Set(interrupted.map((m) => m.planId))) {
      this.options.logger?.warn({ plan: planId }, 'redoing a merge a crash interrupted');
      redone.push(await this.run(planId, 'recovery', 'system:recovery'));
    }
    return redone;
  }

  private async execute(merge: MergeRecord, actor: string): Promise<MergeRecord> {
    const { store } = this;
    const plan = store.getPlan(merge.planId)!;
    const M = merge.currentRevision;
    const pending = store.listSubmissions(plan.id, { outcome: 'pending', upTo: merge.upToSubmission, limit: 100_000 });
    if (pending.length === 0) return store.finishMerge({ mergeId: merge.id, submissions: [] }, actor);

    // Every submission counts (SPEC 5): where two of one unit change the same cell, mergePlans keeps the newer.
    const extra: SubmissionSummary[] = [];
    const inputs: SubmissionInput[] = [];
    for (const s of pending) {
      const summary = { id: s.id, unit: s.unit, baseRevision: s.baseRevision, receivedAt: s.receivedAt };
      const base = store.revisionPlan(plan.id, s.baseRevision);
      if (!base) {
        extra.push({ ...summary, outcome: 'refused', reason: UNKNOWN_BASE });
        continue;
      }
      inputs.push({ ...summary, base, rows: store.submissionRows(s.id), scope: s.scope });
    }

    const current = store.revisionPlan(plan.id, M)!;
    const master = store.getRevision(plan.id, M)!;
    const mergedAt = new Date().toISOString();
    const result = mergePlans({
      planId: plan.id,
      current,
      currentRevision: M,
      newRevision: M + 1,
      mergedAt,
      editable: plan.editable,
      submissions: inputs,
    });
    const report = MergeReport.parse({
      ...result.report,
      submissions: [...result.report.submissions, ...extra].sort((a, b) => Number(a.id) - Number(b.id)),
    });
    const bytes = await writeMergedWorkbook(
      store.blobs.get(master.blob),
      current,
      { ...result, report },
      {
        planId: plan.id,
        revision: M + 1,
        issuedAt: mergedAt,
        schemaVersion: SCHEMA_VERSION,
        editable: plan.editable,
      },
    );
    const mergedPlan = readPlan(await readWorkbookGrid(bytes));
    const blob = store.blobs.put(bytes);
    if (this.options.pauseBeforeCommitMs) {
      this.options.logger?.warn(
        { merge: merge.id, ms: this.options.pauseBeforeCommitMs },
        'test hook: merge paused before commit',
      );
      await sleep(this.options.pauseBeforeCommitMs);
    }
    return store.finishMerge(
      {
        mergeId: merge.id,
        revision: { blob, plan: mergedPlan },
        report,
        submissions: report.submissions.map((s) => ({
          id: s.id,
          outcome: s.outcome,
          ...(s.reason ? { reason: s.reason } : {}),
        })),
      },
      actor,
    );
  }
}

function busy(): CafError {
  return new CafError(
    'merge-busy',
    {
      ro: 'O îmbinare rulează deja; încercați din nou peste un minut.',
      en: 'A merge is running already; try again in a minute.',
    },
    409,
  );
}
