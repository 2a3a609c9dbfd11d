// The merge report (SPEC 5): what a nightly merge applied, what it refused and why. It is stored as JSON by the
// service, shown to the coordinator and written as the `Conflicte` sheet, so its shape is a zod schema that every
// reader parses against; the types are derived from it.
import { z } from 'zod';
import { FIELDS } from './model';

export const REPORT_SCHEMA_VERSION = 1;

export const FieldName = z.enum(FIELDS);

export const BilingualText = z.object({ ro: z.string(), en: z.string() });
export type BilingualText = z.infer<typeof BilingualText>;

export const CONFLICT_KINDS = [
  'not-owner',
  'locked-column',
  'invalid-value',
  'coordinator-edit',
  'concurrent-edit',
  'row-added',
  'row-deleted',
  'unknown-row',
] as const;
export const ConflictKind = z.enum(CONFLICT_KINDS);
export type ConflictKind = z.infer<typeof ConflictKind>;

export const SubmissionOutcome = z.enum(['merged', 'superseded', 'refused']);
export type SubmissionOutcome = z.infer<typeof SubmissionOutcome>;

export const SubmissionSummary = z.object({
  id: z.string().min(1),
  unit: z.string().min(1),
  baseRevision: z.number().int().nonnegative(),
  receivedAt: z.string(),
  outcome: SubmissionOutcome,
  reason: BilingualText.optional(),
});
export type SubmissionSummary = z.infer<typeof SubmissionSummary>;

export const AppliedChange = z.object({
  rowId: z.string().min(1),
  column: FieldName,
  /** The current plan's value before the merge, as the cell held it. */
  from: z.string(),
  /** The value written (a status in its canonical label). */
  to: z.string(),
  unit: z.string().min(1),
  /** The submission whose value was applied; when several agreed, the first by unit, then id. */
  submission: z.string().min(1),
  /** The other submissions that set the same value (applied once). */
  agreedBy: z.array(z.object({ unit: z.string().min(1), submission: z.string().min(1) })).optional(),
});
export type AppliedChange = z.infer<typeof AppliedChange>;

export const ConflictValue = z.object({
  unit: z.string().min(1),
  submission: z.string().min(1),
  /** What the submission proposed ('' for a deleted row). */
  value: z.string(),
});
export type ConflictValue = z.infer<typeof ConflictValue>;

export const Conflict = z.object({
  kind: ConflictKind,
  /** null only for an `unknown-row` whose id is missing. */
  rowId: z.string().nullable(),
  /** null for whole-row conflicts (`row-added`, `row-deleted`, `unknown-row`). */
  column: FieldName.nullable(),
  /** The cell (or, for a row, its action text) in the submission's base; null when the base has no such row. */
  base: z.string().nullable(),
  /** The cell (or the action text) in the current plan; null when the current plan has no such row. */
  current: z.string().nullable(),
  values: z.array(ConflictValue).min(1),
  message: BilingualText,
});
export type Conflict = z.infer<typeof Conflict>;

/**
 * A change one submission made to a cell that a later submission of the same unit also changed (SPEC 5: the one
 * issued from the newer revision wins, on the same revision the one received later). Not lost: named here.
 */
export const OverriddenChange = z.object({
  rowId: z.string().min(1),
  column: FieldName,
  unit: z.string().min(1),
  /** The submission whose change does not count. */
  submission: z.string().min(1),
  value: z.string(),
  /** The later submission of the same unit whose change to this cell counts instead. */
  by: z.string().min(1),
  message: BilingualText,
});
export type OverriddenChange = z.infer<typeof OverriddenChange>;

export const UnitCounts = z.object({
  applied: z.number().int().nonnegative(),
  conflicts: z.number().int().nonnegative(),
});

export const MergeCounts = z.object({
  applied: z.number().int().nonnegative(),
  conflicts: z.number().int().nonnegative(),
  byKind: z.record(ConflictKind, z.number().int().nonnegative()),
  byUnit: z.record(z.string(), UnitCounts),
});
export type MergeCounts = z.infer<typeof MergeCounts>;

export const MergeReport = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  planId: z.string().min(1),
  /** M, the revision of the master the merge started from. */
  currentRevision: z.number().int().nonnegative(),
  /** The revision the merge produces. */
  newRevision: z.number().int().nonnegative(),
  mergedAt: z.string(),
  submissions: z.array(SubmissionSummary),
  applied: z.array(AppliedChange),
  conflicts: z.array(Conflict),
  /** Changes overridden by a later submission of the same unit; absent in reports written before the rule. */
  overridden: z.array(OverriddenChange).optional(),
  counts: MergeCounts,
});
export type MergeReport = z.infer<typeof MergeReport>;
