// A plan workbook enters the service: read, prepared (ID, Stare, helper columns, _caf_plan metadata) and stored as
// revision 1. The uploaded bytes are kept as they came, beside the prepared workbook.
import { randomBytes } from 'node:crypto';
import { CafError } from '../../plan/errors';
import { readPlan } from '../../plan/grid';
import { DEFAULT_EDITABLE, SCHEMA_VERSION, type Finding, type PlanMeta } from '../../plan/model';
import { validatePlan } from '../../plan/validate';
import { prepareWorkbook } from '../xlsx/prepare';
import { readWorkbookGrid } from '../xlsx/read';
import type { PlanRecord, Store } from '../store/store';
import { ReminderStore } from '../reminders/store';
import { SERVICE_READ_LIMITS } from './intake';

export const PLAN_ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\.xlsx$/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}

export interface Imported {
  plan: PlanRecord;
  findings: Finding[];
  actions: number;
  units: string[];
}

export async function importWorkbook(
  store: Store,
  input: { bytes: Uint8Array; name?: string; planId?: string; actor: string },
): Promise<Imported> {
  const read = readPlan(await readWorkbookGrid(input.bytes, SERVICE_READ_LIMITS));
  if (read.columns.action === undefined || read.actions.length === 0) {
    throw new CafError(
      'plan-no-table',
      {
        ro: 'Nu am găsit tabelul planului: un rând de antet cu „Acțiuni necesare”, „Responsabil”, „Termen” în primele 30 de rânduri, urmat de acțiuni numerotate.',
        en: 'No plan table found: a header row with "Acțiuni necesare", "Responsabil", "Termen" in the first 30 rows, followed by numbered actions.',
      },
      422,
    );
  }
  const name = (input.name ?? read.sheet).slice(0, 200);
  let id = input.planId ?? read.meta?.planId ?? (slugify(name) || 'plan');
  if (!PLAN_ID_RE.test(id)) id = slugify(id) || 'plan';
  if (store.getPlan(id)) {
    if (input.planId) {
      throw new CafError(
        'plan-exists',
        { ro: `Planul „${id}” există deja.`, en: `The plan "${id}" exists already.` },
        409,
      );
    }
    id = `${id.slice(0, 55)}-${randomBytes(3).toString('hex')}`;
  }
  const editable = read.meta?.editable ?? [...DEFAULT_EDITABLE];
  const meta: PlanMeta = {
    planId: id,
    revision: 1,
    issuedAt: new Date().toISOString(),
    schemaVersion: SCHEMA_VERSION,
    editable,
  };
  const prepared = await prepareWorkbook(input.bytes, read, meta);
  // The revision's Plan is read from the prepared workbook itself, so rows and columns match the stored bytes.
  const plan = readPlan(await readWorkbookGrid(prepared));
  const original = store.blobs.put(input.bytes);
  const blob = store.blobs.put(prepared);
  const record = store.createPlan({
    id,
    name,
    editable,
    revision: { blob, plan, origin: 'import', createdBy: input.actor, note: `original ${original}` },
  });
  // The legend's optional E-mail column gives the units' first contacts (the coordinator edits them later).
  new ReminderStore(store).importLegend(id, plan.units);
  store.audit(input.actor, 'plan.imported', id, { name, original, prepared: blob, actions: plan.actions.length });
  return {
    plan: record,
    findings: validatePlan(plan),
    actions: plan.actions.length,
    units: plan.units.map((u) => u.code),
  };
}
