// The nightly merge: one croner job per service, for every plan, at the configured time and time zone.
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Store } from '../store/store';
import type { MergeRunner } from './merge';

export function scheduleMerges(
  store: Store,
  runner: MergeRunner,
  options: { cron: string; timezone: string; logger?: Logger },
): Cron {
  return new Cron(options.cron, { timezone: options.timezone, protect: true, name: 'nightly-merge' }, async () => {
    for (const plan of store.listPlans()) {
      try {
        await runner.run(plan.id, 'schedule', 'system:schedule');
      } catch (error) {
        // A failed merge is recorded in the store; the next plan still gets its merge.
        options.logger?.error({ err: error, plan: plan.id }, 'scheduled merge failed');
      }
    }
  });
}

/**
 * The reminders (service/reminders): a run at the configured time, and a pass every 15 minutes that resends what
 * failed. `protect` keeps a slow run from overlapping the next.
 */
export function scheduleReminders(options: {
  cron: string;
  timezone: string;
  logger?: Logger;
  run: () => Promise<void>;
  retry: () => Promise<void>;
}): Cron[] {
  const guard = (what: string, job: () => Promise<void>) => async () => {
    try {
      await job();
    } catch (error) {
      options.logger?.error({ err: error }, `${what} failed`);
    }
  };
  return [
    new Cron(
      options.cron,
      { timezone: options.timezone, protect: true, name: 'reminders' },
      guard('reminders', options.run),
    ),
    new Cron('*/15 * * * *', { protect: true, name: 'reminder-retries' }, guard('reminder retries', options.retry)),
  ];
}
