// Calendar feeds (RFC 5545) built with ical-generator: one all-day event per dated action on its due date, recurring
// actions (Lunar, Trimestrial, ...) as recurring events at each period's end. UIDs depend only on the plan and the
// action id, and SEQUENCE counts the revisions whose deadline or status changed, so a subscribed calendar updates the
// event in place instead of adding a second one.
import ical, { ICalCalendarMethod, ICalEventRepeatingFreq, ICalEventStatus } from 'ical-generator';
import type { LocalDate } from '../../plan/model';
import { deadlineStateLabel } from '../../plan/state';
import type { Store } from '../store/store';
import { actionLine, periodEnd, recurringPeriod } from './rules';
import type { Lang } from './messages';

const PERIOD_MONTHS = { monthly: 1, quarterly: 3, semiannual: 6, annual: 12 } as const;

/** Noon UTC of a calendar day: the same date in every time zone a server may run in. */
const dayOf = (d: LocalDate): Date => new Date(`${d}T12:00:00Z`);

export function eventUid(planId: string, actionId: string): string {
  return `${planId}.${actionId}@caf-plan`;
}

/** Per action id: how many revisions after the first changed its deadline or status. */
export function sequences(store: Store, planId: string): Map<string, number> {
  const seq = new Map<string, number>();
  const last = new Map<string, string>();
  for (const rev of store.listRevisions(planId).sort((a, b) => a.revision - b.revision)) {
    const plan = store.revisionPlan(planId, rev.revision);
    if (!plan) continue;
    for (const a of plan.actions) {
      const value = `${a.text.deadline}\u0000${a.text.status}`;
      const before = last.get(a.id);
      if (before !== undefined && before !== value) seq.set(a.id, (seq.get(a.id) ?? 0) + 1);
      last.set(a.id, value);
    }
  }
  return seq;
}

export interface FeedInput {
  planId: string;
  /** null: the whole plan. */
  unit: string | null;
  today: LocalDate;
  soonDays: number;
  origin: string;
  lang?: Lang;
}

export function calendarFeed(store: Store, input: FeedInput): string {
  const record = store.getPlan(input.planId)!;
  const plan = store.revisionPlan(record.id, record.currentRevision)!;
  const stamp = new Date(store.getRevision(record.id, record.currentRevision)!.createdAt);
  const seq = sequences(store, record.id);
  const lang = input.lang ?? 'ro';
  const en = lang === 'en';
  const origin = input.origin.replace(/\/+$/, '');
  const link = `${origin}${input.unit ? '/unit' : '/'}`;
  const name = input.unit ? `CAF ${input.unit} — ${record.name}` : `CAF — ${record.name}`;
  const cal = ical({
    name,
    prodId: { company: 'caf-plan', product: 'caf-plan', language: en ? 'EN' : 'RO' },
    method: ICalCalendarMethod.PUBLISH,
    ttl: 3600,
  });
  const firstPeriodFrom = record.createdAt.slice(0, 10);
  for (const action of plan.actions) {
    const line = actionLine(action, plan, input.today, input.soonDays);
    if (input.unit && !line.owners.includes(input.unit)) continue;
    const period = recurringPeriod(action);
    if (!line.due && !period) continue;
    const done = line.state === 'done';
    const text = line.text.replace(/\s+/g, ' ').trim();
    const title = `${done ? (en ? '✔ Done: ' : '✔ Realizat: ') : ''}${line.id} ${text.length > 90 ? text.slice(0, 89) + '…' : text}`;
    const description = [
      `${en ? 'Action' : 'Acțiunea'} ${line.id}: ${text}`,
      `${en ? 'Owners' : 'Responsabili'}: ${line.owners.join(', ') || action.text.owners || '-'}`,
      `${en ? 'Deadline' : 'Termen'}: ${line.deadline}${line.due ? ` (${line.due})` : ''}`,
      `${en ? 'Status' : 'Stare'}: ${line.status || '-'} · ${deadlineStateLabel(line.state, lang)}`,
      link,
    ].join('\n');
    const event = cal.createEvent({
      id: eventUid(record.id, line.id),
      sequence: seq.get(line.id) ?? 0,
      stamp,
      start: dayOf(line.due ?? periodEnd(period!, firstPeriodFrom)!),
      allDay: true,
      summary: title,
      description,
      url: link,
      status: ICalEventStatus.CONFIRMED,
      categories: [{ name: done ? (en ? 'Done' : 'Realizat') : 'CAF' }],
    });
    if (period) {
      const months = PERIOD_MONTHS[period as keyof typeof PERIOD_MONTHS];
      event.repeating({ freq: ICalEventRepeatingFreq.MONTHLY, interval: months, byMonthDay: [-1] });
    }
  }
  return cal.toString();
}
