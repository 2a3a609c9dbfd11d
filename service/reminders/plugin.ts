// The reminders as a part of `caf-plan serve`: the scheduled runs (REMIND_CRON in the service's time zone, plus a
// retry pass every 15 minutes).
import { localToday } from '../http/progress';
import { scheduleReminders } from '../jobs/schedule';
import type { ServicePlugin } from '../plugins';
import { retryPending, runReminders } from './run';
import { mailerFor, mailSetup, publicOrigin } from './setup';

export const remindersPlugin: ServicePlugin = {
  name: 'reminders',
  async start({ store, config, logger }) {
    const setup = mailSetup(config);
    const mailer = mailerFor(config);
    if (!mailer) {
      logger.info({ reason: setup.off?.en }, 'reminders off');
      return;
    }
    const options = { mailer, from: setup.from, origin: publicOrigin(config), soonDays: config.soonDays, logger };
    const jobs = scheduleReminders({
      cron: config.remindCron,
      timezone: config.timezone,
      logger,
      run: async () => {
        const outcomes = await runReminders(store, { ...options, today: localToday(config.timezone) });
        logger.info({ messages: outcomes.length }, 'reminders run');
      },
      retry: async () => {
        await retryPending(store, options);
      },
    });
    logger.info({ cron: config.remindCron, next: jobs[0]?.nextRun()?.toISOString() }, 'reminders scheduled');
    return async () => {
      for (const job of jobs) job.stop();
      mailer.close();
    };
  },
};
