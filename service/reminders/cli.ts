// `caf-plan remind [--dry-run] [--today YYYY-MM-DD] [--unit CODE] [--plan ID]`: runs (or previews) the reminders now,
// with the service's data folder and SMTP settings. Prints, per unit, the message it sends or would send.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UnitCode } from '../../plan/api';
import { CafError } from '../../plan/errors';
import { countWith } from '../../plan/text';
import { loadConfig } from '../config';
import { localToday } from '../http/progress';
import { openStore } from '../store/store';
import { retryPending, runReminders, type Outcome } from './run';
import { mailerFor, mailSetup, publicOrigin } from './setup';

type Io = { out: (line: string) => void; err: (line: string) => void; lang: 'ro' | 'en' };

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

const STATUS: Record<Outcome['status'], { ro: string; en: string }> = {
  preview: { ro: 'ar fi trimis', en: 'would send' },
  'no-address': { ro: 'fără adresă de e-mail: nu se trimite', en: 'no e-mail address: not sent' },
  'mail-off': { ro: 'SMTP nesetat: nu se trimite', en: 'SMTP not set: not sent' },
  'already-sent': { ro: 'trimis deja azi', en: 'already sent today' },
  sent: { ro: 'trimis', en: 'sent' },
  retrying: { ro: 'netrimis, se reîncearcă', en: 'not sent, will retry' },
  failed: { ro: 'netrimis (renunțat)', en: 'not sent (gave up)' },
  refused: { ro: 'adresă refuzată', en: 'address refused' },
};

export async function runRemind(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      'dry-run': { type: 'boolean' },
      today: { type: 'string' },
      unit: { type: 'string' },
      plan: { type: 'string' },
      data: { type: 'string' },
      'data-dir': { type: 'string' },
      lang: { type: 'string' },
    },
  });
  const dataDir = values['data-dir'] ?? values.data;
  const config = loadConfig(dataDir ? ['--data-dir', dataDir] : []);
  const today = values.today ? IsoDate.parse(values.today) : localToday(config.timezone);
  const unit = values.unit ? UnitCode.parse(values.unit) : undefined;
  const dryRun = values['dry-run'] ?? false;
  const setup = mailSetup(config);
  const pick = (t: { ro: string; en: string }): string => t[io.lang];
  if (!dryRun && !setup.on) throw new CafError('mail-off', setup.off!);
  const store = openStore(config.dataDir);
  const mailer = dryRun ? null : mailerFor(config);
  try {
    if (store.listPlans().length === 0) {
      throw new CafError('no-plan', { ro: 'Nu există niciun plan în serviciu.', en: 'The service holds no plan.' });
    }
    const options = {
      mailer,
      from: setup.from,
      origin: publicOrigin(config),
      soonDays: config.soonDays,
    };
    const retried = dryRun ? [] : await retryPending(store, options);
    const outcomes = await runReminders(store, {
      ...options,
      today,
      dryRun,
      ...(unit ? { unit } : {}),
      ...(values.plan ? { planId: values.plan } : {}),
    });
    io.out(
      pick({
        ro: `Mementouri pentru ${today}${dryRun ? ' (previzualizare, nu se trimite nimic)' : ''}:`,
        en: `Reminders for ${today}${dryRun ? ' (preview, nothing is sent)' : ''}:`,
      }),
    );
    for (const o of [...retried, ...outcomes]) {
      const byRule = new Map<string, string[]>();
      for (const i of o.items) byRule.set(i.rule, [...(byRule.get(i.rule) ?? []), i.actionId ?? i.key]);
      io.out(`${o.planId} ${o.unit} → ${o.to.join(', ') || '-'} [${pick(STATUS[o.status])}]`);
      io.out(`  ${o.message.subject}`);
      for (const [rule, ids] of byRule) io.out(`  ${rule}: ${ids.join(' ')}`);
      if (o.refused?.length)
        io.out(`  refuzat / refused: ${o.refused.map((r) => `${r.email} (${r.reason})`).join('; ')}`);
      if (o.error && !o.refused?.length) io.out(`  ${o.error}`);
    }
    const n = outcomes.length;
    io.out(
      pick({
        ro: `${countWith(n, 'mesaj', 'mesaje', 'ro')} (un mesaj pe unitate).`,
        en: `${countWith(n, 'message', 'messages', 'en')} (one per unit).`,
      }),
    );
    return outcomes.some((o) => o.status === 'retrying' || o.status === 'failed') ? 1 : 0;
  } finally {
    mailer?.close();
    store.close();
  }
}
