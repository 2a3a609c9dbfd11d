// The coordinator's conflict desk: each open conflict with what a person needs to settle it (the action's text and
// owners, every unit's value with when it came), and only the choices the resolution will accept. A status chosen
// from a unit must be one of the six (an `invalid-value` proposal is shown, never offered); a whole-row conflict
// can only be closed keeping the master. Conflicts closed by a newer choice say which revision closed them.
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Field } from '../../plan/model';
import { ownerCodes } from '../../plan/owners';
import { parseStatus, statusLabel } from '../../plan/status';
import { PLAN_ID_RE } from '../sources/import';
import type { ConflictRecord, Store } from '../store/store';
import { requireAuth, requireCoordinator } from './auth';
import { notFound } from './errors';

export interface DeskChoice {
  /** The value the resolution will write (a status as its label). */
  value: string;
  units: string[];
}

/** The distinct values of a conflict a coordinator can choose, each with the units that proposed it. */
export function validChoices(c: Pick<ConflictRecord, 'rowId' | 'column' | 'values'>): DeskChoice[] {
  if (c.rowId === null || c.column === null) return [];
  const byValue = new Map<string, DeskChoice>();
  for (const v of c.values) {
    let value = v.value;
    if (c.column === 'status' && value.trim() !== '') {
      const status = parseStatus(value);
      if (status.kind !== 'ok') continue;
      value = statusLabel(status.code);
    }
    const choice = byValue.get(value) ?? { value, units: [] };
    if (!choice.units.includes(v.unit)) choice.units.push(v.unit);
    byValue.set(value, choice);
  }
  return [...byValue.values()];
}

export function deskRoutes(deps: { store: Store }): Router {
  const { store } = deps;
  const r = express.Router();
  r.get('/plans/:planId/desk', requireAuth(), requireCoordinator(), (req, res) => {
    const { planId } = z.object({ planId: z.string().regex(PLAN_ID_RE) }).parse(req.params);
    const plan = store.getPlan(planId);
    if (!plan) throw notFound({ ro: `Planul „${planId}”`, en: `The plan "${planId}"` });
    const current = store.revisionPlan(plan.id, plan.currentRevision)!;
    const submissions = new Map<string, { receivedAt: string; source: string } | null>();
    const submission = (id: string) => {
      if (!submissions.has(id)) {
        const s = /^\d+$/.test(id) ? store.getSubmission(id) : undefined;
        submissions.set(id, s ? { receivedAt: s.receivedAt, source: s.source } : null);
      }
      return submissions.get(id)!;
    };
    const merges = new Map<number, string | null>();
    const mergedAt = (id: number) => {
      if (!merges.has(id)) merges.set(id, store.getMerge(id)?.finishedAt ?? store.getMerge(id)?.startedAt ?? null);
      return merges.get(id)!;
    };
    const enrich = (c: ConflictRecord) => {
      const action = c.rowId === null ? undefined : current.actions.find((a) => a.id === c.rowId);
      return {
        ...c,
        foundAt: mergedAt(c.mergeId),
        action: action
          ? {
              text: action.text.action,
              owners: ownerCodes(action.text.owners, current.units),
              ownersText: action.text.owners,
            }
          : null,
        values: c.values.map((v) => ({ ...v, ...(submission(v.submission) ?? { receivedAt: null, source: null }) })),
        choices: validChoices(c),
        /** What a free value is typed in: one of the six statuses, any text, or none (whole-row conflicts). */
        free:
          c.rowId === null || c.column === null ? null : c.column === ('status' satisfies Field) ? 'status' : 'text',
      };
    };
    const all = store.listConflicts(plan.id);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      revision: plan.currentRevision,
      open: all.filter((c) => c.status === 'open').map(enrich),
      // The latest closed by a newer value (another choice or a merge), for the desk to say what closed them.
      superseded: all
        .filter((c) => c.supersededBy !== null)
        .slice(-50)
        .map((c) => ({ id: c.id, rowId: c.rowId, column: c.column, kind: c.kind, supersededBy: c.supersededBy })),
    });
  });
  return r;
}
