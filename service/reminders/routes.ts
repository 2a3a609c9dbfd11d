// The reminders' API under /api: unit contacts (coordinator only; addresses are shown to no one else), the plan's
// reminder rules, the state of sending for the coordinator's page, a preview, and the calendar feeds, which take a
// coordinator's or the unit's token, or a revocable feed key in the URL (calendar clients send no headers).
import express, { type Request, type Response, type Router } from 'express';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UnitCode } from '../../plan/api';
import { CafError } from '../../plan/errors';
import type { Config } from '../config';
import { localToday } from '../http/progress';
import { forbidden, principal, requireAuth, requireCoordinator, unauthorized, type Principal } from '../http/auth';
import { notFound } from '../http/errors';
import { PLAN_ID_RE } from '../sources/import';
import type { PlanRecord, Store } from '../store/store';
import { calendarFeed } from './calendar';
import { ReminderSettings } from './rules';
import { dashboardCounts, runReminders } from './run';
import { mailSetup } from './setup';
import { ReminderStore } from './store';

const PlanParams = z.object({ planId: z.string().regex(PLAN_ID_RE) });
const UnitParams = PlanParams.extend({ unit: UnitCode });
const ContactsBody = z.strictObject({
  emails: z.array(z.string().trim().toLowerCase().pipe(z.email().max(254))).max(20),
  lang: z.enum(['ro', 'en']).optional(),
});
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const here = path.dirname(fileURLToPath(import.meta.url));

export function reminderRoutes(deps: { store: Store; config: Config; now?: () => Date }): Router {
  const { store, config } = deps;
  const now = deps.now ?? (() => new Date());
  const reminders = new ReminderStore(store);
  const r = express.Router();
  const json = express.json({ limit: '64kb', strict: true, type: 'application/json' });
  const coordinator = [requireAuth(), requireCoordinator()];
  const originOf = (req: Request): string => config.publicOrigin ?? `${req.protocol}://${req.get('host') ?? ''}`;

  const planOf = (req: Request): PlanRecord => {
    const { planId } = PlanParams.parse(req.params);
    const plan = store.getPlan(planId);
    if (!plan) throw notFound({ ro: `Planul „${planId}”`, en: `The plan "${planId}"` });
    return plan;
  };
  const unitOf = (req: Request, plan: PlanRecord): string => {
    const { unit } = UnitParams.parse(req.params);
    if (!store.revisionPlan(plan.id, plan.currentRevision)!.units.some((u) => u.code === unit)) {
      throw notFound({ ro: `Unitatea ${unit} (în legenda planului)`, en: `The unit ${unit} (in the plan's legend)` });
    }
    return unit;
  };

  // The section of the coordinator's page (a static script, no data): served with the API, which every app mounts,
  // so the page's one script tag always finds it.
  r.get('/reminders/page.js', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/javascript; charset=utf-8').sendFile(path.join(here, 'page.js'));
  });

  // ------------------------------------------------------------ contacts

  r.get('/plans/:planId/contacts', ...coordinator, (req, res) => {
    const plan = planOf(req);
    const current = store.revisionPlan(plan.id, plan.currentRevision)!;
    res.setHeader('Cache-Control', 'no-store');
    res.json(
      current.units.map((u) => ({
        unit: u.code,
        name: u.name,
        lang: reminders.lang(plan.id, u.code),
        contacts: reminders.contacts(plan.id, u.code),
      })),
    );
  });

  r.put('/plans/:planId/units/:unit/contacts', ...coordinator, json, (req, res) => {
    const plan = planOf(req);
    const unit = unitOf(req, plan);
    const body = ContactsBody.parse(req.body);
    const emails = [...new Set(body.emails)];
    reminders.setContacts(plan.id, unit, emails, 'api', body.lang);
    store.audit(principal(res).actor, 'contacts.set', `${plan.id}/${unit}`, { count: emails.length });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ unit, lang: reminders.lang(plan.id, unit), contacts: reminders.contacts(plan.id, unit) });
  });

  // ------------------------------------------------------------ rules, state, preview

  r.get('/plans/:planId/reminders', ...coordinator, (req, res) => {
    const plan = planOf(req);
    const setup = mailSetup(config);
    const log = reminders.listLog(plan.id, 50);
    const current = store.revisionPlan(plan.id, plan.currentRevision)!;
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      mail: { on: setup.on, off: setup.off, cron: config.remindCron, timezone: config.timezone },
      settings: reminders.settings(plan.id),
      log: log.map(({ message, ...row }) => ({ ...row, subject: message.subject })),
      problems: log.filter((l) => l.status === 'retrying' || l.status === 'failed' || l.status === 'refused').length,
      refusedAddresses: current.units.flatMap((u) =>
        reminders
          .contacts(plan.id, u.code)
          .filter((c) => c.refusedAt)
          .map((c) => ({ unit: u.code, email: c.email, at: c.refusedAt, reason: c.refusedReason })),
      ),
      counts: dashboardCounts(store, plan.id, localToday(config.timezone, now()), config.soonDays),
    });
  });

  r.put('/plans/:planId/reminders/settings', ...coordinator, json, (req, res) => {
    const plan = planOf(req);
    const settings = ReminderSettings.parse(req.body);
    reminders.setSettings(plan.id, settings, principal(res).actor);
    store.audit(principal(res).actor, 'reminders.settings', plan.id, settings);
    res.json(settings);
  });

  r.get('/plans/:planId/reminders/preview', ...coordinator, async (req, res) => {
    const plan = planOf(req);
    const today = req.query.today === undefined ? localToday(config.timezone, now()) : IsoDate.parse(req.query.today);
    const outcomes = await runReminders(store, {
      today,
      dryRun: true,
      planId: plan.id,
      mailer: null,
      from: config.mailFrom ?? '',
      origin: originOf(req),
      soonDays: config.soonDays,
    });
    res.setHeader('Cache-Control', 'no-store');
    res.json(outcomes.map(({ message, ...o }) => ({ ...o, subject: message.subject })));
  });

  // ------------------------------------------------------------ calendar feeds and their keys

  r.post('/plans/:planId/units/:unit/feed-key', requireAuth(), (req, res) => {
    const plan = planOf(req);
    const unit = unitOf(req, plan);
    const p = principal(res);
    if (p.role !== 'coordinator' && p.unit !== unit) {
      throw forbidden('Doar coordonatorul sau unitatea însăși.', 'Only the coordinator or the unit itself.');
    }
    const { id, key } = reminders.createFeedKey(plan.id, unit, p.actor);
    store.audit(p.actor, 'feed-key.created', `${plan.id}/${unit}`, { id });
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({
      id,
      key,
      url: `${originOf(req)}/api/plans/${plan.id}/calendar/${encodeURIComponent(unit)}.ics?key=${key}`,
    });
  });

  r.get('/plans/:planId/feed-keys', ...coordinator, (req, res) => {
    res.json(reminders.listFeedKeys(planOf(req).id));
  });

  r.delete('/plans/:planId/feed-keys/:id', ...coordinator, (req, res) => {
    const plan = planOf(req);
    const id = z
      .string()
      .regex(/^[0-9a-f]{12}$/)
      .parse(req.params.id);
    if (!reminders.revokeFeedKey(plan.id, id)) throw notFound({ ro: `Cheia ${id}`, en: `The key ${id}` });
    store.audit(principal(res).actor, 'feed-key.revoked', `${plan.id}/${id}`);
    res.status(204).end();
  });

  /** A feed may be read by a coordinator, by the unit (or, for the whole plan, any unit), or with a live key. */
  const allowFeed = (req: Request, res: Response, plan: PlanRecord, unit: string | null): void => {
    const p = res.locals.principal as Principal | undefined;
    if (p) {
      if (p.role === 'coordinator' || unit === null || p.unit === unit) return;
      throw forbidden('Calendarul altei unități.', "Another unit's calendar.");
    }
    const key = typeof req.query.key === 'string' ? req.query.key : undefined;
    if (!key) throw unauthorized();
    const found = reminders.findFeedKey(plan.id, key);
    if (!found || (found.unit !== null && found.unit !== unit)) {
      throw new CafError(
        'feed-key-invalid',
        { ro: 'Cheia calendarului nu este validă sau a fost revocată.', en: 'The calendar key is invalid or revoked.' },
        401,
      );
    }
  };
  const sendFeed = (req: Request, res: Response, plan: PlanRecord, unit: string | null): void => {
    allowFeed(req, res, plan, unit);
    const lang = unit ? reminders.lang(plan.id, unit) : 'ro';
    const body = calendarFeed(store, {
      planId: plan.id,
      unit,
      today: localToday(config.timezone, now()),
      soonDays: config.soonDays,
      origin: originOf(req),
      lang,
    });
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/calendar; charset=utf-8').send(body);
  };

  r.get('/plans/:planId/calendar.ics', (req, res) => {
    sendFeed(req, res, planOf(req), null);
  });
  r.get('/plans/:planId/calendar/:unit.ics', (req, res) => {
    const plan = planOf(req);
    sendFeed(req, res, plan, unitOf(req, plan));
  });

  return r;
}
