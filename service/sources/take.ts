// What the unattended sources (the drop folder, Google Drive) share: a file arrives with nobody to answer, so a
// file the service cannot take is refused with its reason kept (audit log + a note the source leaves beside it)
// instead of an HTTP error. The submission itself goes through the one intake door (intake.ts): its bytes and row
// are durable before a source moves or forgets the file.
import { z } from 'zod';
import { CafError, isCafError } from '../../plan/errors';
import { readPlan } from '../../plan/grid';
import type { Bilingual, PlanMeta } from '../../plan/model';
import { readWorkbookGrid } from '../xlsx/read';
import { sha256 } from '../store/blobs';
import type { Store } from '../store/store';
import { IntakeRefusal, SERVICE_READ_LIMITS, submitWorkbook, type Intake } from './intake';

export type Taken =
  { kind: 'taken'; intake: Intake } | { kind: 'refused'; code: string; reason: Bilingual; meta: PlanMeta | null };

export const NOT_A_COPY: Bilingual = {
  ro: 'Fișierul nu este o copie de departament: îi lipsește foaia ascunsă _caf_plan cu planul, revizia și unitatea. Descărcați copia unității din serviciu, completați-o și puneți-o din nou.',
  en: 'The file is not a department copy: it lacks the hidden _caf_plan sheet naming the plan, revision and unit. Download the unit’s copy from the service, fill it in and drop it again.',
};

export const NO_UNIT: Bilingual = {
  ro: 'Fișierul are metadatele planului, dar nu numește o unitate: este masterul coordonatorului, nu copia unui departament.',
  en: 'The file has the plan’s metadata but names no unit: it is the coordinator’s master, not a department copy.',
};

/**
 * Takes one .xlsx file as a submission. User errors (not a workbook, no metadata, unknown plan or revision, ...) come
 * back as `refused`, recorded in the audit log; anything else (disk, database) is thrown so the source retries later.
 */
export async function takeWorkbook(
  store: Store,
  input: { bytes: Uint8Array; source: string; actor: string; fileName: string; planId?: string; receivedAt?: string },
): Promise<Taken> {
  let meta: PlanMeta | null = null;
  try {
    meta = readPlan(await readWorkbookGrid(input.bytes, SERVICE_READ_LIMITS)).meta;
    if (!meta) throw new CafError('submission-not-a-copy', NOT_A_COPY, 422);
    if (!meta.unit) throw new CafError('submission-not-a-copy', NO_UNIT, 422);
    const intake = await submitWorkbook(store, {
      planId: input.planId ?? meta.planId,
      bytes: input.bytes,
      source: input.source,
      caller: { actor: input.actor },
      fileName: input.fileName,
      ...(input.receivedAt ? { receivedAt: input.receivedAt } : {}),
    });
    return { kind: 'taken', intake };
  } catch (caught) {
    const error = asUserError(caught);
    if (!error) throw caught;
    if (!(error instanceof IntakeRefusal))
      store.audit(input.actor, 'submission.refused', input.fileName, {
        source: input.source,
        code: error.code,
        reason: error.messages,
        sha256: sha256(input.bytes),
        planId: meta?.planId ?? null,
        unit: meta?.unit ?? null,
      });
    return { kind: 'refused', code: error.code, reason: error.messages, meta };
  }
}

function asUserError(error: unknown): CafError | undefined {
  if (isCafError(error)) return error;
  // Metadata a person typed over (a unit code with spaces, ...) fails the intake's schema: the file's fault too.
  if (error instanceof z.ZodError) {
    const detail = error.issues.map((i) => i.message).join('; ');
    return new CafError(
      'submission-invalid-metadata',
      {
        ro: `Metadatele _caf_plan ale fișierului nu sunt valide: ${detail}.`,
        en: `The file’s _caf_plan metadata is not valid: ${detail}.`,
      },
      422,
    );
  }
  return undefined;
}

/** The note left beside a refused file: Romanian first, English second, plain text a clerk can open. */
export function reasonNote(input: { fileName: string; code: string; reason: Bilingual; at: string }): string {
  return [
    `Fișierul „${input.fileName}” nu a fost preluat (${input.at}).`,
    `Motiv: ${input.reason.ro}`,
    '',
    `The file "${input.fileName}" was not taken (${input.at}).`,
    `Reason: ${input.reason.en}`,
    '',
    `Cod / code: ${input.code}`,
    '',
  ].join('\r\n');
}
