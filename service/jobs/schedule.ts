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
 * failed. Each is one run at a time, so a slow run never overlaps the next.
 */
export function scheduleReminders(options: {
  cron: string;
  timezone: string;
  logger?: Logger;
  run: () => Promise<void>;
  retry: () => Promise<void>;
}): Cron[] {
  const { timezone, logger } = options;
  return [
    scheduleTask('reminders', { cron: options.cron, timezone, logger }, options.run),
    scheduleTask('reminder-retries', { cron: '*/15 * * * *', timezone, logger }, options.retry),
  ];
}

/** Another recurring job of the service (the scheduled backup): one run at a time, a failure logged, never thrown. */
export function scheduleTask(
  name: string,
  options: { cron: string; timezone: string; logger?: Logger },
  task: () => Promise<void>,
): Cron {
  return new Cron(options.cron, { timezone: options.timezone, protect: true, name }, async () => {
    try {
      await task();
    } catch (error) {
      options.logger?.error({ err: error, job: name }, 'scheduled job failed');
    }
  });
}
