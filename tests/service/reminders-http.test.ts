// The reminders through the service: contacts (coordinator only), the legend's E-mail column at import, the
// coordinator's digest against the dashboard's own numbers, a merge receipt, and the calendar feeds parsed back with
// ical.js (an RFC 5545 parser independent of the generator).
import ExcelJS from 'exceljs';
import ICAL from 'ical.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { smtpMailer } from '../../service/reminders/mailer';
import { runReminders } from '../../service/reminders/run';
import { ReminderStore } from '../../service/reminders/store';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { importSample, sampleBytes, startService, type Running } from './support';

// DMRU's dated actions in the seed and their due dates (SEM. I 2023 = 2023-06-30, SEM. II 2023 = 2023-12-31);
// 3.2.2 (Permanent) has no date.
const DMRU_EVENTS: Record<string, string> = {
  '1.3.2': '2023-12-31',
  '3.1.2': '2023-12-31',
  '3.1.3': '2023-06-30',
  '3.2.1': '2023-06-30',
  '3.2.3': '2023-06-30',
  '3.2.4': '2023-12-31',
  '3.3.1': '2023-12-31',
  '3.3.2': '2023-12-31',
  '3.3.3': '2023-12-31',
  '3.3.4': '2023-12-31',
  '3.3.5': '2023-12-31',
  '3.3.6': '2023-06-30',
  '4.6.1': '2023-12-31',
  '7.1.1': '2023-12-31',
  '7.2.1': '2023-12-31',
};

interface Parsed {
  uid: string;
  id: string;
  start: string;
  allDay: boolean;
  sequence: number;
  summary: string;
  rrule: string | null;
}

function parseFeed(text: string): Parsed[] {
  const cal = new ICAL.Component(ICAL.parse(text));
  expect(cal.name).toBe('vcalendar');
  expect(cal.getFirstPropertyValue('version')).toBe('2.0');
  return cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    expect(v.getFirstPropertyValue('dtstamp')).toBeTruthy();
    const rrule = v.getFirstPropertyValue('rrule');
    return {
      uid: e.uid,
      id: /^(\S+) /.exec(e.summary.replace(/^✔ Realizat: /, ''))![1]!,
      start: e.startDate.toString(),
      allDay: e.startDate.isDate,
      sequence: Number(v.getFirstPropertyValue('sequence') ?? 0),
      summary: e.summary,
      rrule: rrule ? String(rrule) : null,
    };
  });
}

describe('reminders and calendars through the service', () => {
  let s: Running;
  let smtp: TestSmtp;
  let planId: string;

  beforeEach(async () => {
    s = await startService();
    smtp = await startSmtp();
    planId = await importSample(s);
  });
  afterEach(async () => {
    await s.close();
    await smtp.close();
  });

  it('lets only the coordinator set and see unit addresses', async () => {
    const put = (token: string | undefined, emails: unknown) =>
      s.call('PUT', `/api/plans/${planId}/units/DMRU/contacts`, { token, body: { emails } });
    expect((await put(s.unitToken('DMRU'), ['x@primarie.test'])).status).toBe(403);
    expect((await put(undefined, ['not an address'])).status).toBe(400);
    expect((await s.call('PUT', `/api/plans/${planId}/units/NOPE/contacts`, { body: { emails: [] } })).status).toBe(
      404,
    );
    const ok = await put(undefined, ['DMRU@Primarie.test', 'sef.dmru@primarie.test']);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { contacts: { email: string }[] }).contacts.map((c) => c.email)).toEqual([
      'dmru@primarie.test',
      'sef.dmru@primarie.test',
    ]);
    expect((await s.call('GET', `/api/plans/${planId}/contacts`, { token: s.unitToken('DMRU') })).status).toBe(403);
    expect(await (await s.call('GET', `/api/plans/${planId}/units/DMRU/contacts`)).status).toBe(404);
    const all = (await (await s.call('GET', `/api/plans/${planId}/contacts`)).json()) as {
      unit: string;
      contacts: { email: string }[];
    }[];
    expect(all.find((u) => u.unit === 'DMRU')!.contacts).toHaveLength(2);
    // Addresses appear nowhere a unit can read.
    const plan = await (await s.call('GET', `/api/plans/${planId}`, { token: s.unitToken('SIC') })).text();
    expect(plan).not.toContain('@primarie.test');
  });

  it('takes the addresses of the legend’s E-mail column at import', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(sampleBytes()) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    let legendRows = 0;
    ws.eachRow((row) => {
      const first = String(row.getCell(1).value ?? '').trim();
      if (first.startsWith('Legend')) row.getCell(3).value = 'E-mail';
      const m = /^(DMRU|SIC) - /.exec(first);
      if (m) {
        row.getCell(3).value =
          m[1] === 'DMRU' ? 'dmru@primarie.test; resurse.umane@primarie.test' : 'sic@primarie.test';
        legendRows++;
      }
    });
    expect(legendRows).toBe(2);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const res = await s.call('POST', '/api/plans?name=Cu%20adrese', { body: bytes });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { plan: { id: string } }).plan.id;
    const reminders = new ReminderStore(s.store);
    expect(reminders.contacts(id, 'DMRU').map((c) => [c.email, c.source])).toEqual([
      ['dmru@primarie.test', 'legend'],
      ['resurse.umane@primarie.test', 'legend'],
    ]);
    expect(reminders.contacts(id, 'SIC').map((c) => c.email)).toEqual(['sic@primarie.test']);
    expect(reminders.contacts(id, 'DME')).toEqual([]);
  });

  it('sends the coordinator a digest whose counts are the dashboard’s, and units a merge receipt', async () => {
    // DMRU marks 3.2.1 done (its own row) and changes 1.3.1 (SMI's): applied, and a not-owner conflict.
    const submit = (unit: string, rows: { id: string; values: Record<string, string> }[]) =>
      s.call('POST', `/api/plans/${planId}/submissions`, {
        token: s.unitToken(unit),
        body: { unit, baseRevision: 1, rows },
      });
    expect(
      (
        await submit('DMRU', [
          { id: '3.2.1', values: { status: 'Realizat' } },
          { id: '1.3.1', values: { status: 'În curs' } },
        ])
      ).status,
    ).toBeLessThan(300);
    expect((await s.call('POST', `/api/plans/${planId}/merges`)).status).toBeLessThan(300);
    expect((await submit('SIC', [{ id: '1.4.2', values: { monitoring: 'în lucru' } }])).status).toBeLessThan(300);

    const put = await s.call('PUT', `/api/plans/${planId}/reminders/settings`, {
      body: { coordinatorEmails: ['coordonator@primarie.test'] },
    });
    expect(put.status).toBe(200);
    const reminders = new ReminderStore(s.store);
    reminders.setContacts(planId, 'DMRU', ['dmru@primarie.test'], 'api');
    // 2023-07-03 is a Monday, the default digest day.
    const outcomes = await runReminders(s.store, {
      today: '2023-07-03',
      mailer: smtpMailer(smtp.url),
      from: 'caf@primarie.test',
      origin: s.url,
      soonDays: 30,
    });
    expect(
      outcomes
        .filter((o) => o.status === 'sent')
        .map((o) => o.unit)
        .sort(),
    ).toEqual(['DMRU', 'coordinator']);

    const digest = smtp.received.find((r) => r.envelopeTo[0] === 'coordonator@primarie.test')!.mail.text!;
    const overdueByUnit = Object.fromEntries(
      [...digest.matchAll(/^- (\w+): (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
    );
    const notSubmitted = /nu au trimis de la ultima îmbinare \((\d+)\): (.*)$/m.exec(digest)!;
    const conflicts = Number(/^Conflicte deschise: (\d+)$/m.exec(digest)![1]);

    // The dashboard's sources: progress per unit, the overview's units and open conflicts.
    const progress = (await (await s.call('GET', `/api/plans/${planId}/progress.json?today=2023-07-03`)).json()) as {
      byUnit: Record<string, { overdue?: number }>;
    };
    const overview = (await (await s.call('GET', `/api/plans/${planId}/overview`)).json()) as {
      openConflicts: number;
      units: { code: string; lastSubmission: { outcome: string } | null }[];
    };
    expect(overdueByUnit).toEqual(
      Object.fromEntries(Object.entries(progress.byUnit).flatMap(([u, c]) => (c.overdue ? [[u, c.overdue]] : []))),
    );
    expect(overdueByUnit.DMRU).toBe(3); // 3.1.3, 3.2.3, 3.3.6: 3.2.1 is done now
    expect(conflicts).toBe(overview.openConflicts);
    expect(conflicts).toBe(1);
    const waiting = overview.units.filter((u) => u.lastSubmission?.outcome !== 'pending').map((u) => u.code);
    expect(notSubmitted[2]!.split(', ')).toEqual(waiting);
    expect(waiting).not.toContain('SIC');
    expect(Number(notSubmitted[1])).toBe(overview.units.length - 1);

    const receipt = smtp.received.find((r) => r.envelopeTo[0] === 'dmru@primarie.test')!.mail.text!;
    expect(receipt).toMatch(/Ce s-a preluat din copia trimisă:\n- Îmbinarea #\d+ \(revizia 2\)/);
    expect(receipt).toMatch(/3\.2\.1 \/ status: preluat „Realizat”/);
    expect(receipt).toMatch(/1\.3\.1 \/ status: nepreluat \(not-owner\)/);
  });

  it('serves a unit’s calendar feed: one all-day event per dated action, stable UIDs, SEQUENCE on change', async () => {
    const feed = async (at: string, token?: string | null) => s.call('GET', at, { token });
    const res = await feed(`/api/plans/${planId}/calendar/DMRU.ics`, s.unitToken('DMRU'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const before = parseFeed(await res.text());
    expect(Object.fromEntries(before.map((e) => [e.id, e.start]))).toEqual(DMRU_EVENTS);
    expect(before.every((e) => e.allDay && e.sequence === 0 && e.rrule === null)).toBe(true);
    expect(new Set(before.map((e) => e.uid)).size).toBe(before.length);

    // Access: another unit's token no, no token no, a feed key yes until revoked.
    expect((await feed(`/api/plans/${planId}/calendar/DMRU.ics`, s.unitToken('SIC'))).status).toBe(403);
    expect((await feed(`/api/plans/${planId}/calendar/DMRU.ics`, null)).status).toBe(401);
    const created = (await (await s.call('POST', `/api/plans/${planId}/units/DMRU/feed-key`)).json()) as {
      id: string;
      key: string;
      url: string;
    };
    expect(created.key).toMatch(/^cal_[A-Za-z0-9_-]{43}$/);
    const byKey = await fetch(created.url);
    expect(byKey.status).toBe(200);
    expect(parseFeed(await byKey.text())).toHaveLength(15);
    expect((await feed(`/api/plans/${planId}/calendar/SIC.ics?key=${created.key}`, null)).status).toBe(401);

    // The whole plan: 72 actions less the 7 Permanent ones.
    const plan = parseFeed(await (await feed(`/api/plans/${planId}/calendar.ics`)).text());
    expect(plan).toHaveLength(65);

    // A merge marks 3.2.1 done: same UIDs, its SEQUENCE goes up, the others stay.
    await s.call('POST', `/api/plans/${planId}/submissions`, {
      token: s.unitToken('DMRU'),
      body: { unit: 'DMRU', baseRevision: 1, rows: [{ id: '3.2.1', values: { status: 'Realizat' } }] },
    });
    expect((await s.call('POST', `/api/plans/${planId}/merges`)).status).toBeLessThan(300);
    const after = parseFeed(await (await fetch(created.url)).text());
    expect(after.map((e) => e.uid).sort()).toEqual(before.map((e) => e.uid).sort());
    expect(after.filter((e) => e.sequence > 0).map((e) => [e.id, e.sequence])).toEqual([['3.2.1', 1]]);
    expect(after.find((e) => e.id === '3.2.1')!.summary).toMatch(/^✔ Realizat: 3\.2\.1 /);

    expect((await s.call('DELETE', `/api/plans/${planId}/feed-keys/${created.id}`)).status).toBe(204);
    expect((await fetch(created.url)).status).toBe(401);
  });
});
