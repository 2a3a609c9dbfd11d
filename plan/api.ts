// The JSON the service and the add-in exchange for a submission: the rows a department sends and the receipt it gets
// back. One schema for both ends: the service parses requests with it, the add-in checks what it sends and receives.
import { z } from 'zod';
import { EXCEL_CELL_LIMIT } from './merge';
import { FIELDS } from './model';
import { AppliedChange, BilingualText, Conflict, FieldName } from './report';

export const UnitCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9ĂÂÎȘȚăâîșț_-]{1,20}$/, 'a unit code: letters, digits, _ or -, at most 20')
  .transform((s) => s.toUpperCase());

export const RowsSubmission = z.strictObject({
  unit: UnitCode,
  baseRevision: z.number().int().positive(),
  rows: z
    .array(
      z.strictObject({
        id: z.string().trim().min(1).max(64),
        // A strict object, not a record: any other key (`__proto__`, `formula`) is refused, never skipped.
        values: z.strictObject(
          Object.fromEntries(FIELDS.map((f) => [f, z.string().max(EXCEL_CELL_LIMIT).optional()])) as Record<
            (typeof FIELDS)[number],
            z.ZodOptional<z.ZodString>
          >,
        ),
      }),
    )
    .min(1)
    .max(10_000),
});
export type RowsSubmission = z.infer<typeof RowsSubmission>;

export const Receipt = z.object({
  /** The submission's id (the `submission` of the merge report). */
  submission: z.string(),
  planId: z.string(),
  unit: z.string(),
  source: z.string(),
  kind: z.enum(['xlsx', 'json']),
  baseRevision: z.number().int(),
  /** The master the dry run compared against; the nightly merge uses the master of its day. */
  currentRevision: z.number().int(),
  receivedAt: z.string(),
  /** True when these bytes had been received already: this is the first receipt, unchanged. */
  duplicate: z.boolean(),
  willApply: z.array(AppliedChange.omit({ unit: true, submission: true })),
  refused: z.array(Conflict.omit({ values: true }).extend({ value: z.string() })),
  counts: z.object({
    willApply: z.number().int(),
    refused: z.number().int(),
    overridden: z.number().int().optional(),
    overrides: z.number().int().optional(),
  }),
  /**
   * Several submissions of one unit before a merge all count (SPEC 5); where two change one cell, the one issued
   * from the newer revision wins, on the same revision the one received later. `overridden`: this submission's
   * changes a pending newer submission of the unit overrides; `overrides`: cells of the unit's earlier pending
   * submissions this one overrides.
   */
  overridden: z.array(z.object({ rowId: z.string(), column: FieldName, value: z.string(), by: z.string() })).optional(),
  overrides: z.array(z.object({ rowId: z.string(), column: FieldName, submission: z.string() })).optional(),
  /** Set when the lists hold one page (GET /api/submissions/:id/receipt?offset=&limit=); `counts` are the totals. */
  page: z.object({ offset: z.number().int().nonnegative(), limit: z.number().int().positive() }).optional(),
  message: BilingualText,
});
export type Receipt = z.infer<typeof Receipt>;
