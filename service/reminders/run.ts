// One reminder run: for every plan, every unit's message of the day (one per unit, never one per action), and the
// coordinator's weekly digest. Each message is claimed in the log before it is sent, so a rerun, a restart or a
// second instance sends nothing twice; a failed send is retried later with the same Message-ID.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { addDays } from '../../plan/date';
import type { LocalDate } from '../../plan/model';
import { progressOf } from '../http/progress';
import type { Store } from '../store/store';
import { deliver, DEFAULT_RETRY, type Mailer, type RetryPolicy } from './mailer';
import { digestMessage, unitMessage, type Lang, type Message } from './messages';
import { receiptItems, unitItems, type ReminderItem, type Rule } from './rules';
import { ReminderStore, type LogKind, type LogRecord } from './store';

export type OutcomeStatus =
  'preview' | 'no-address' | 'mail-off' | 'already-sent' | 'sent' | 'retrying' | 'failed' | 'refused';

export interface Outcome {
  planId: string;
  /** The unit code, or `coordinator` for the digest. */
  unit: string;
  kind: LogKind;
  to: string[];
  lang: Lang;
  items: { rule: Rule; key: string; actionId?: string }[];
  message: Message;
  status: OutcomeStatus;
  messageId?: string;
  refused?: { email: string; reason: string }[];
  error?: string;
}

export interface RunOptions {
  today: LocalDate;
  dryRun?: boolean;
  unit?: string;
  planId?: string;
  /** null: SMTP is not configured (reminders are off; a dry run still previews). */
  mailer: Mailer | null;
  from: string;
  /** Where users reach the service, for the links: `https://primarie.example.ro/caf-plan`. */
  origin: string;
  soonDays: number;
  retry?: RetryPolicy;
  logger?: Logger;
}

/** How many tries in all (runs and retry passes) before a message is given up as failed. */
export const MAX_ATTEMPTS = 6;
/** A claim older than this was left by a process that died mid-send: a retry pass takes it over. */
export const STALE_CLAIM_MS = 10 * 60_000;

/** What the coordinator's page shows (the same sources): overdue per unit, units not submitted, open conflicts. */
export function dashboardCounts(store: Store, planId: string, today: LocalDate, soonDays: number) {
  const plan = store.getPlan(planId)!;
  const current = store.revisionPlan(planId, plan.currentRevision)!;
  const progress = progressOf(planId, plan.currentRevision, current, today, soonDays);
  const latest = new Map<string, string>();
  for (const s of store.listSubmissions(planId, { limit: 10_000 })) latest.set(s.unit, s.outcome);
  const overdueByUnit = current.units
    .map((u) => ({ unit: u.code, overdue: progress.byUnit[u.code]?.overdue ?? 0 }))
    .filter((u) => u.overdue > 0);
  return {
    overdueTotal: progress.rows.filter((r) => r.state === 'overdue').length,
    overdueByUnit,
    notSubmitted: current.units.filter((u) => latest.get(u.code) !== 'pending').map((u) => u.code),
    openConflicts: store.listConflicts(planId, 'open').length,
  };
}

function isoWeekday(day: LocalDate): number {
  const d = new Date(`${day}T12:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

function messageIdFor(from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'caf-plan.local';
  return `<caf-${Date.now().toString(36)}-${randomBytes(8).toString('hex')}@${domain}>`;
}

async function send(
  reminders: ReminderStore,
  row: LogRecord,
  options: Pick<RunOptions, 'mailer' | 'from' | 'retry' | 'logger'>,
): Promise<Pick<Outcome, 'status' | 'messageId' | 'refused' | 'error'>> {
  const delivery = await deliver(
    options.mailer!,
    { ...row.message, from: options.from, to: row.recipients, messageId: row.messageId },
    options.retry ?? DEFAULT_RETRY,
  );
  const attempts = row.attempts + delivery.attempts;
  if (delivery.ok) {
    const refused = delivery.result.refused;
    for (const r of refused) reminders.markRefused(row.planId, row.unit, r.email, r.reason);
    reminders.finish(row.id, { status: 'sent', attempts, messageId: delivery.result.messageId, refused });
    return { status: 'sent', messageId: delivery.result.messageId, refused };
  }
  if (delivery.permanent) {
    for (const r of delivery.refused) reminders.markRefused(row.planId, row.unit, r.email, r.reason);
    reminders.finish(row.id, { status: 'refused', attempts, refused: delivery.refused, error: delivery.error });
    return { status: 'refused', refused: delivery.refused, error: delivery.error };
  }
  const giveUp = attempts >= MAX_ATTEMPTS;
  const nextAttemptAt = giveUp ? null : new Date(Date.now() + 15 * 60_000 * attempts).toISOString();
  reminders.finish(row.id, { status: giveUp ? 'failed' : 'retrying', attempts, nextAttemptAt, error: delivery.error });
  options.logger?.warn({ plan: row.planId, unit: row.unit, attempts, error: delivery.error }, 'reminder not sent');
  return { status: giveUp ? 'failed' : 'retrying', error: delivery.error };
}

export async function runReminders(store: Store, options: RunOptions): Promise<Outcome[]> {
  const reminders = new ReminderStore(store);
  const outcomes: Outcome[] = [];
  const plans = store.listPlans().filter((p) => !options.planId || p.id === options.planId);
  const link = (at: string): string => options.origin.replace(/\/+$/, '') + at;

  const deliverOne = async (base: Omit<Outcome, 'status'>, actionIds: string[]): Promise<void> => {
    if (options.dryRun) return void outcomes.push({ ...base, status: base.to.length ? 'preview' : 'no-address' });
    if (base.to.length === 0) return void outcomes.push({ ...base, status: 'no-address' });
    if (!options.mailer) return void outcomes.push({ ...base, status: 'mail-off' });
    const row = reminders.claim({
      planId: base.planId,
      unit: base.unit,
      kind: base.kind,
      day: options.today,
      items: base.items.map(({ rule, key }) => ({ rule, key })),
      actionIds,
      recipients: base.to,
      message: base.message,
      messageId: messageIdFor(options.from),
    });
    if (!row) return void outcomes.push({ ...base, status: 'already-sent' });
    outcomes.push({ ...base, ...(await send(reminders, row, options)) });
  };

  for (const plan of plans) {
    const settings = reminders.settings(plan.id);
    if (!settings.enabled) continue;
    const current = store.revisionPlan(plan.id, plan.currentRevision)!;
    const index = reminders.sentIndex(plan.id);
    const sentBefore = (unit: string, rule: Rule, key: string): string | undefined =>
      index.get(`${unit}\u0000${rule}\u0000${key}`);
    const since = addDays(options.today, -7);
    const merges = settings.receipts
      ? store
          .listMerges(plan.id, 50)
          .filter((m) => m.status === 'done' && m.finishedAt && m.finishedAt.slice(0, 10) >= since)
          .map((m) => ({ id: m.id, report: store.mergeReport(m.id)! }))
          .filter((m) => m.report)
          .reverse()
      : [];

    for (const unit of current.units) {
      if (options.unit && unit.code !== options.unit) continue;
      const items: ReminderItem[] = [
        ...unitItems(current, unit.code, options.today, settings, sentBefore, options.soonDays),
        ...receiptItems(unit.code, merges, sentBefore),
      ];
      if (items.length === 0) continue;
      const lang = reminders.lang(plan.id, unit.code);
      const to = reminders
        .contacts(plan.id, unit.code)
        .filter((c) => !c.refusedAt)
        .map((c) => c.email);
      const message = unitMessage({
        planName: plan.name,
        unit: unit.code,
        unitName: unit.name,
        lang,
        today: options.today,
        items,
        link: link('/unit'),
      });
      const actionIds = [...new Set(items.flatMap((i) => (i.action ? [i.action.id] : [])))];
      await deliverOne(
        {
          planId: plan.id,
          unit: unit.code,
          kind: 'unit',
          to,
          lang,
          items: items.map((i) => ({ rule: i.rule, key: i.key, ...(i.action ? { actionId: i.action.id } : {}) })),
          message,
        },
        actionIds,
      );
    }

    // The digest: once a week, on the chosen weekday or the first run after it that week.
    if (!options.unit && settings.digest && settings.coordinatorEmails.length > 0) {
      const weekday = isoWeekday(options.today);
      const weekStart = addDays(options.today, 1 - weekday);
      const last = reminders.lastDigestDay(plan.id);
      if (weekday >= settings.digestWeekday && !(last && last >= weekStart)) {
        const counts = dashboardCounts(store, plan.id, options.today, options.soonDays);
        const message = digestMessage({
          planName: plan.name,
          lang: 'ro',
          today: options.today,
          ...counts,
          link: link('/'),
        });
        await deliverOne(
          {
            planId: plan.id,
            unit: 'coordinator',
            kind: 'digest',
            to: settings.coordinatorEmails,
            lang: 'ro',
            items: [{ rule: 'digest', key: `digest-${options.today}` }],
            message,
          },
          [],
        );
      }
    }
  }
  return outcomes;
}

/** Resends what failed before (when its time came) and what a crashed process left claimed. */
export async function retryPending(
  store: Store,
  options: Pick<RunOptions, 'mailer' | 'from' | 'retry' | 'logger'>,
  now = new Date(),
): Promise<Outcome[]> {
  if (!options.mailer) return [];
  const reminders = new ReminderStore(store);
  const at = now.toISOString();
  const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS).toISOString();
  const outcomes: Outcome[] = [];
  for (const due of reminders.dueRetries(at, staleBefore)) {
    const row = reminders.takeForRetry(due.id, staleBefore, at);
    if (!row) continue;
    const result = await send(reminders, row, options);
    outcomes.push({
      planId: row.planId,
      unit: row.unit,
      kind: row.kind,
      to: row.recipients,
      lang: 'ro',
      items: row.items,
      message: row.message,
      ...result,
    });
  }
  return outcomes;
}
