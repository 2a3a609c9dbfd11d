// Reminders by e-mail on the sample plan, through a real SMTP server on 127.0.0.1 and parsed back with mailparser.
// Expected sets are literal tables from the seed's deadlines (samples/plan-masuri-caf-sector1-2022.txt): SEM. II 2022
// ends 2022-12-31 (1.1.3 SIC, 1.4.1 SIC, 6.1.2 SRRP); SEM. I 2023 ends 2023-06-30 (the list DUE_2023_06_30 below).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { calendarFeed } from '../../service/reminders/calendar';
import { importWorkbook } from '../../service/sources/import';
import { smtpMailer } from '../../service/reminders/mailer';
import { retryPending, runReminders, type RunOptions } from '../../service/reminders/run';
import { ReminderStore } from '../../service/reminders/store';
import { Store } from '../../service/store/store';
import { sampleXlsxPath } from '../support/seed';
import { deadPort, startSmtp, type Received, type TestSmtp } from '../support/smtp';
import { editCopy } from './support';

type Table = Record<string, Partial<Record<string, string[]>>>;

// Per unit, the actions due 2023-06-30 (SEM. I 2023) whose Responsabil names the unit.
const DUE_2023_06_30: Record<string, string[]> = {
  SIC: ['1.4.2', '3.3.6', '4.2.1', '5.2.1'],
  SRRP: ['5.2.1'],
  SMI: ['1.3.1'],
  CMON: ['2.2.3', '2.3.4', '5.1.2', '5.1.3'],
  DMRU: ['3.1.3', '3.2.1', '3.2.3', '3.3.6'],
  CSDDPP: ['4.2.1'],
  DJLCA: ['5.1.1'],
  STLSA: ['5.1.1'],
  DME: ['9.2.1', '9.2.2'],
};
// Due 2022-12-31 (SEM. II 2022).
const DUE_2022_12_31: Record<string, string[]> = { SIC: ['1.1.3', '1.4.1'], SRRP: ['6.1.2'] };

const section = (rule: string, sets: Record<string, string[]>): Table =>
  Object.fromEntries(Object.entries(sets).map(([u, ids]) => [u, { [rule]: ids }]));
function combine(...tables: Table[]): Table {
  const out: Table = {};
  for (const t of tables) for (const [u, rules] of Object.entries(t)) out[u] = { ...out[u], ...rules };
  return out;
}

// The section headings of the Romanian message, as a department head reads them.
const HEADINGS: Record<string, string> = {
  'Termen depășit:': 'overdue',
  'Termenul este astăzi:': 'due-today',
  'Termen apropiat:': 'due-soon',
  'Acțiuni recurente: perioada se încheie curând:': 'recurring',
  'Ce s-a preluat din copia trimisă:': 'merge-receipt',
};

/** Reads a received message back into {rule: [action ids]} from its plain text, as written for people. */
function sections(text: string): Partial<Record<string, string[]>> {
  const out: Partial<Record<string, string[]>> = {};
  let rule: string | undefined;
  for (const line of text.split('\n')) {
    if (HEADINGS[line]) rule = HEADINGS[line];
    else if (line === '') rule = undefined;
    const m = /^- (\d+\.\d+\.\d+) — /.exec(line);
    if (rule && m) (out[rule] ??= []).push(m[1]!);
  }
  return out;
}

const unitOfAddress = (a: string): string => a.split('@')[0]!.toUpperCase();

function byUnit(received: Received[]): Table {
  const out: Table = {};
  for (const r of received) {
    const unit = unitOfAddress(r.envelopeTo[0]!);
    expect(out[unit], `one message per unit per run (${unit})`).toBeUndefined();
    out[unit] = sections(r.mail.text ?? '');
  }
  return out;
}

describe('reminders by e-mail on the sample plan', () => {
  let dataDir: string;
  let store: Store;
  let smtp: TestSmtp;
  let planId: string;

  const options = (over: Partial<RunOptions> = {}): RunOptions => ({
    today: '2023-06-16',
    mailer: smtpMailer(smtp.url),
    from: '"Coordonator CAF" <caf@primarie.test>',
    origin: 'https://caf.primarie.test',
    soonDays: 30,
    retry: { attempts: 2, baseMs: 10 },
    ...over,
  });
  const run = async (today: string, over: Partial<RunOptions> = {}) => {
    const before = smtp.received.length;
    const outcomes = await runReminders(store, options({ today, ...over }));
    return { outcomes, mail: smtp.received.slice(before) };
  };

  async function importSample(bytes: Uint8Array = new Uint8Array(readFileSync(sampleXlsxPath))): Promise<void> {
    planId = (await importWorkbook(store, { bytes, name: 'Plan Sector 1', actor: 'test' })).plan.id;
    const reminders = new ReminderStore(store);
    for (const u of store.revisionPlan(planId, 1)!.units) {
      reminders.setContacts(planId, u.code, [`${u.code.toLowerCase()}@primarie.test`], 'api');
    }
  }

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'caf-remind-'));
    store = new Store(dataDir);
    smtp = await startSmtp();
  });
  afterEach(async () => {
    store.close();
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends per rule exactly the units and actions of the seed tables, day after day, once', async () => {
    await importSample();
    // 14 days before SEM. I 2023 ends: due soon, and the SEM. II 2022 actions are overdue.
    expect(byUnit((await run('2023-06-16')).mail)).toEqual(
      combine(section('due-soon', DUE_2023_06_30), section('overdue', DUE_2022_12_31)),
    );
    // Due soon is sent once; overdue weekly: nothing the next day.
    expect((await run('2023-06-17')).mail).toHaveLength(0);
    expect(byUnit((await run('2023-06-30')).mail)).toEqual(
      combine(section('due-today', DUE_2023_06_30), section('overdue', DUE_2022_12_31)),
    );
    const july1 = await run('2023-07-01');
    expect(byUnit(july1.mail)).toEqual(section('overdue', DUE_2023_06_30));
    expect(july1.mail.find((m) => m.envelopeTo[0] === 'sic@primarie.test')!.mail.text).toContain('1 zi de întârziere');
    // A week after the last overdue message of the 2022 actions.
    expect(byUnit((await run('2023-07-07')).mail)).toEqual(section('overdue', DUE_2022_12_31));
  });

  it('writes a message a department head can act on: ids, text, deadline, state, link, why and how to stop', async () => {
    await importSample();
    const { mail } = await run('2023-07-01', { unit: 'DME' });
    expect(mail).toHaveLength(1);
    const m = mail[0]!.mail;
    expect(m.subject).toBe('[CAF] DME: 2 acțiuni cu termen depășit — Plan Sector 1');
    expect(m.text).toMatch(/^- 9\.2\.1 — \S.+\n {2}Termen: SEM\. I 2023 \(2023-06-30\) · Stare: Termen depășit/m);
    expect(m.text).toContain('https://caf.primarie.test/unit');
    expect(m.text).toMatch(/De ce primiți acest mesaj: .*unității DME/);
    expect(m.text).toMatch(/Cum opriți aceste mesaje/);
    expect(m.html).toContain('<strong>9.2.2</strong>');
    // No other unit's data: no other unit's actions or addresses.
    expect(m.text).not.toMatch(/3\.2\.1|sic@|dmru@/);
    // English on the unit's setting.
    new ReminderStore(store).setLang(planId, 'SMI', 'en');
    const en = (await run('2023-07-01', { unit: 'SMI' })).mail[0]!.mail;
    expect(en.subject).toBe('[CAF] SMI: 1 overdue action — Plan Sector 1');
    expect(en.text).toContain('Why you get this message');
  });

  it('a dry run lists every unit due a message and sends nothing', async () => {
    await importSample();
    const outcomes = await runReminders(store, options({ today: '2023-07-01', dryRun: true }));
    expect(smtp.received).toHaveLength(0);
    expect(Object.fromEntries(outcomes.map((o) => [o.unit, o.items.map((i) => i.actionId).sort()]))).toEqual(
      Object.fromEntries(
        Object.entries(combine(section('overdue', DUE_2023_06_30))).map(([u]) => [
          u,
          [...DUE_2023_06_30[u]!, ...(DUE_2022_12_31[u] ?? [])].sort(),
        ]),
      ),
    );
  });

  it('sends nothing twice across a restart, a rerun and a second instance', async () => {
    await importSample();
    const first = await run('2023-07-01');
    expect(first.mail).toHaveLength(9);
    store.close();
    store = new Store(dataDir); // restart
    const again = await run('2023-07-01');
    expect(again.mail).toHaveLength(0);
    // The log says everything went out today: nothing is even due again (a claim would come back already-sent).
    expect(again.outcomes.filter((o) => o.status !== 'already-sent')).toEqual([]);
    // The claim itself: a second claim of the same unit's message on the same day comes back empty.
    const claim = {
      planId,
      unit: 'SIC',
      kind: 'unit' as const,
      day: '2023-07-01',
      items: [],
      actionIds: [],
      recipients: ['sic@primarie.test'],
      message: { subject: 's', text: 't', html: 'h' },
      messageId: '<x@primarie.test>',
    };
    expect(new ReminderStore(store).claim(claim)).toBeNull();
    expect(new ReminderStore(store).claim({ ...claim, day: '2023-07-02' })).not.toBeNull();
    // Two instances on one database, at once, on another day.
    const other = new Store(dataDir);
    try {
      const [a, b] = await Promise.all([
        runReminders(store, options({ today: '2023-07-08' })),
        runReminders(other, options({ today: '2023-07-08' })),
      ]);
      const sent = [...a, ...b].filter((o) => o.status === 'sent').map((o) => o.unit);
      expect(sent.sort()).toEqual(Object.keys(DUE_2023_06_30).sort());
      expect(
        smtp.received
          .slice(9)
          .map((r) => r.envelopeTo[0])
          .sort(),
      ).toEqual(
        Object.keys(DUE_2023_06_30)
          .map((u) => `${u.toLowerCase()}@primarie.test`)
          .sort(),
      );
    } finally {
      other.close();
    }
  });

  it('reports a refused address and still reaches the others', async () => {
    await importSample();
    const reminders = new ReminderStore(store);
    reminders.setContacts(planId, 'SIC', ['sic@primarie.test', 'refuse-me@primarie.test'], 'api');
    reminders.setContacts(planId, 'SMI', ['refuse-smi@primarie.test'], 'api');
    const { outcomes, mail } = await run('2023-07-01');
    const sic = outcomes.find((o) => o.unit === 'SIC')!;
    expect(sic.status).toBe('sent');
    expect(sic.refused?.map((r) => r.email)).toEqual(['refuse-me@primarie.test']);
    expect(mail.find((m) => m.envelopeTo.includes('sic@primarie.test'))!.envelopeTo).toEqual(['sic@primarie.test']);
    expect(outcomes.find((o) => o.unit === 'SMI')!.status).toBe('refused');
    expect(
      reminders.contacts(planId, 'SIC').find((c) => c.email === 'refuse-me@primarie.test')!.refusedAt,
    ).not.toBeNull();
    expect(reminders.contacts(planId, 'SMI')[0]!.refusedReason).toMatch(/550|unavailable/i);
  });

  it('retries a server that is down with backoff, reports it, and delivers once it is back', async () => {
    await importSample();
    const down = smtpMailer(`smtp://127.0.0.1:${await deadPort()}`);
    const outcomes = await runReminders(store, options({ today: '2023-07-01', unit: 'DME', mailer: down }));
    expect(outcomes.map((o) => [o.unit, o.status])).toEqual([['DME', 'retrying']]);
    expect(outcomes[0]!.error).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    const row = new ReminderStore(store).listLog(planId)[0]!;
    expect([row.status, row.attempts]).toEqual(['retrying', 2]);
    // Not yet due: nothing is resent; an hour later it is, once.
    expect(await retryPending(store, { mailer: smtpMailer(smtp.url), from: 'caf@primarie.test' })).toHaveLength(0);
    const later = new Date(Date.now() + 3600_000);
    const retried = await retryPending(store, { mailer: smtpMailer(smtp.url), from: 'caf@primarie.test' }, later);
    expect(retried.map((o) => o.status)).toEqual(['sent']);
    expect(smtp.received.map((r) => r.envelopeTo[0])).toEqual(['dme@primarie.test']);
    expect(smtp.received[0]!.mail.messageId).toBe(row.messageId);
    expect(await retryPending(store, { mailer: smtpMailer(smtp.url), from: 'caf@primarie.test' }, later)).toHaveLength(
      0,
    );
  });

  it('recalls recurring actions (Lunar, Trimestrial) before each period ends, once per period', async () => {
    const edited = await editCopy(new Uint8Array(readFileSync(sampleXlsxPath)), [
      { rowId: '3.2.2', column: 'deadline', value: 'Trimestrial' },
      { rowId: '4.3.1', column: 'deadline', value: 'Lunar' },
    ]);
    await importSample(edited);
    const recurring = (t: Table) =>
      Object.fromEntries(Object.entries(t).flatMap(([u, r]) => (r.recurring ? [[u, r.recurring]] : [])));
    // 2023-06-23: 7 days before the end of June, which ends both the month and the quarter.
    expect(recurring(byUnit((await run('2023-06-23')).mail))).toEqual({ DMRU: ['3.2.2'], DME: ['4.3.1'] });
    expect(recurring(byUnit((await run('2023-06-26')).mail))).toEqual({});
    // July ends a month, not a quarter.
    expect(recurring(byUnit((await run('2023-07-25')).mail))).toEqual({ DME: ['4.3.1'] });
    // In the calendar they are recurring events at each period's end (parsed back with ical.js).
    const feed = new ICAL.Component(
      ICAL.parse(
        calendarFeed(store, { planId, unit: null, today: '2023-07-25', soonDays: 30, origin: 'https://x.test' }),
      ),
    );
    const rules = Object.fromEntries(
      feed
        .getAllSubcomponents('vevent')
        .filter((v) => v.getFirstPropertyValue('rrule'))
        .map((v) => [String(v.getFirstPropertyValue('uid')), String(v.getFirstPropertyValue('rrule'))]),
    );
    expect(rules).toEqual({
      [`${planId}.3.2.2@caf-plan`]: expect.stringMatching(/^FREQ=MONTHLY;(?=.*INTERVAL=3)(?=.*BYMONTHDAY=-1)/),
      [`${planId}.4.3.1@caf-plan`]: expect.stringMatching(/^FREQ=MONTHLY;(?!.*INTERVAL=[^1])(?=.*BYMONTHDAY=-1)/),
    });
  });
});
