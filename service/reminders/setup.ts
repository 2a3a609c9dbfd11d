// The reminders' settings from the service configuration (CAF_SMTP_URL, CAF_MAIL_FROM, REMIND_CRON): none set means
// reminders are off, and the coordinator's page says so.
import type { Config } from '../config';
import { smtpMailer, type Mailer } from './mailer';

export interface MailSetup {
  on: boolean;
  /** Why reminders are off, in both languages; null when on. */
  off: { ro: string; en: string } | null;
  from: string;
}

export function mailSetup(config: Config): MailSetup {
  const from = config.mailFrom ?? '';
  if (!config.smtpUrl) {
    return {
      on: false,
      off: {
        ro: 'Mementourile prin e-mail sunt oprite: nu este setat CAF_SMTP_URL.',
        en: 'E-mail reminders are off: CAF_SMTP_URL is not set.',
      },
      from,
    };
  }
  if (!config.mailFrom) {
    return {
      on: false,
      off: {
        ro: 'Mementourile prin e-mail sunt oprite: nu este setat CAF_MAIL_FROM (expeditorul).',
        en: 'E-mail reminders are off: CAF_MAIL_FROM (the sender) is not set.',
      },
      from,
    };
  }
  return { on: true, off: null, from };
}

export function mailerFor(config: Config): Mailer | null {
  return mailSetup(config).on ? smtpMailer(config.smtpUrl!) : null;
}

/** The address people reach the service at, for links in mail (CAF_PUBLIC_ORIGIN, else where it listens). */
export function publicOrigin(config: Config): string {
  if (config.publicOrigin) return config.publicOrigin;
  const scheme = config.tlsCert ? 'https' : 'http';
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${scheme}://${host}:${config.port}`;
}
