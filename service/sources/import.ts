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

/** A plan id as the team writes it in `_caf_plan` (`PS1-CAF-2022`): kept exactly, never lower-cased. */
export const PLAN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

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
  // Ids are kept as written but must not differ by case alone: a link or a person reading one aloud mixes them up.
  const taken = store.listPlans().find((p) => p.id.toLowerCase() === id.toLowerCase());
  if (taken) {
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
  const findings = validatePlan(plan);
  refuseDuplicateIds(findings);
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
    findings,
    actions: plan.actions.length,
    units: plan.units.map((u) => u.code),
  };
}

/**
 * Rows are matched by id: with an id twice, the unit that owns the second row could never update it and another
 * unit's value would land on the first. Such a plan is refused, the rows named, before anything is stored.
 */
function refuseDuplicateIds(findings: Finding[]): void {
  const duplicates = findings.filter((f) => f.rule === 'id-duplicate');
  if (duplicates.length === 0) return;
  const shown = duplicates.slice(0, 20);
  const more = duplicates.length - shown.length;
  throw new CafError(
    'plan-duplicate-ids',
    {
      ro:
        `Planul nu a fost importat: ID-urile acțiunilor nu sunt unice. ${shown.map((f) => f.message.ro).join(' ')}` +
        (more > 0 ? ` Încă ${more} asemenea.` : '') +
        ' Dați fiecărei acțiuni un ID al ei și importați din nou.',
      en:
        `The plan was not imported: the actions' IDs are not unique. ${shown.map((f) => f.message.en).join(' ')}` +
        (more > 0 ? ` ${more} more like these.` : '') +
        ' Give each action an ID of its own and import again.',
    },
    422,
  );
}
