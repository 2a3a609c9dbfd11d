// The shapes the service's HTTP API answers with, as the add-in parses them. The report shapes come from
// plan/report.ts (shared with the service); the rest mirror service/ files the browser cannot import (intake.ts
// Receipt and RowsSubmission, store.ts records, the revision JSON), so an answer from a service of another
// version fails here, at the edge, with a clear message instead of deep in the pane.
import { z } from 'zod';
import { FIELDS } from '../../plan/model';
import { BilingualText, Conflict } from '../../plan/report';

const CellValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const FieldName = z.enum(FIELDS);
const Column = z.enum([...FIELDS, 'dueDate', 'ownerCodes']);

/** {code, message_ro, message_en}: every error the service answers with (service/http/errors.ts). */
export const ErrorBody = z.object({ code: z.string().min(1), message_ro: z.string(), message_en: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Health = z.object({ ok: z.boolean(), mergeRunning: z.boolean().optional() });
export type Health = z.infer<typeof Health>;

export const Session = z.object({ role: z.enum(['coordinator', 'unit']), unit: z.string().nullable() });
export type Session = z.infer<typeof Session>;

/** plan/model.ts Plan as JSON (the service stores each revision's Plan and sends it whole). */
export const PlanJson = z.object({
  sheet: z.string(),
  headerRow: z.number().int().nonnegative(),
  repeatedHeaderRows: z.array(z.number().int().nonnegative()),
  columns: z.partialRecord(Column, z.number().int().nonnegative()),
  criteria: z.array(z.object({ code: z.string(), title: z.string(), row: z.number().int() })),
  subcriteria: z.array(z.object({ code: z.string(), criterion: z.string(), title: z.string(), row: z.number().int() })),
  actions: z.array(
    z.object({
      id: z.string(),
      idFromColumn: z.boolean(),
      row: z.number().int().nonnegative(),
      criterion: z.string(),
      subcriterion: z.string(),
      number: z.number().int().nullable(),
      text: z.record(FieldName, z.string()),
      values: z.partialRecord(Column, CellValue),
      continuationRows: z.array(z.number().int().nonnegative()),
    }),
  ),
  units: z.array(z.object({ code: z.string(), name: z.string() })),
  meta: z
    .object({
      planId: z.string(),
      revision: z.number().int(),
      unit: z.string().optional(),
      issuedAt: z.string().optional(),
      schemaVersion: z.number().int(),
      editable: z.array(FieldName).optional(),
    })
    .nullable(),
  findings: z.array(
    z.object({
      rule: z.string(),
      severity: z.enum(['error', 'warning']),
      rowId: z.string().optional(),
      sheet: z.string().optional(),
      cell: z.string().optional(),
      message: BilingualText,
    }),
  ),
});
export type PlanJson = z.infer<typeof PlanJson>;

/** GET /api/plans/:planId */
export const PlanInfo = z.object({
  id: z.string(),
  name: z.string(),
  currentRevision: z.number().int().positive(),
  editable: z.array(FieldName),
  units: z.array(z.object({ code: z.string(), name: z.string() })),
  openConflicts: z.number().int().nonnegative(),
  lastMerge: z
    .object({ id: z.number().int(), status: z.string(), newRevision: z.number().int().nullable() })
    .loose()
    .nullable(),
});
export type PlanInfo = z.infer<typeof PlanInfo>;

/** GET /api/plans/:planId/revisions/:rev.json and current.json */
export const RevisionJson = z.object({
  planId: z.string(),
  revision: z.number().int().positive(),
  origin: z.string(),
  createdAt: z.string(),
  plan: PlanJson,
});
export type RevisionJson = z.infer<typeof RevisionJson>;

/** A conflict as the service keeps it (service/store/store.ts ConflictRecord). */
export const ConflictRecord = Conflict.extend({
  id: z.number().int().positive(),
  planId: z.string(),
  mergeId: z.number().int(),
  revision: z.number().int(),
  status: z.enum(['open', 'resolved']),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolution: z.enum(['value', 'keep']).nullable(),
  resolvedValue: z.string().nullable(),
  resolvedRevision: z.number().int().nullable(),
});
export type ConflictRecord = z.infer<typeof ConflictRecord>;

// The submission's rows and receipt: one schema with the service (plan/api.ts).
export { Receipt, RowsSubmission } from '../../plan/api';

export type Resolution = { value: string } | { keep: true };
