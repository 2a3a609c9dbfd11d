// What the department page (/unit) needs besides the API every client uses: a one-time sign-in link the coordinator
// makes for a unit (the code is spent by its first use or when it expires), and the unit's rows as the page shows
// them (text, deadline state, owners, status, monitoring). Sign-in with a token goes through the ordinary
// POST /api/session of routes.ts; a code is exchanged here for a unit token kept in the same session cookie.
import express, { type Router } from 'express';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { UnitCode } from '../../plan/api';
import { CafError } from '../../plan/errors';
import { ownerCodes } from '../../plan/owners';
import { STATUSES } from '../../plan/status';
import type { Config } from '../config';
import { PLAN_ID_RE } from '../sources/import';
import type { Store } from '../store/store';
import {
  checkCsrf,
  forbidden,
  principal,
  principalOf,
  requireAuth,
  requireCoordinator,
  setSessionCookie,
} from './auth';
import { notFound } from './errors';
import { localToday, progressOf } from './progress';

/** How long a sign-in link holds: long enough for an e-mail to be read the next working day. */
export const CODE_TTL_MS = 72 * 3600 * 1000;
const CODE_RE = /^[A-Za-z0-9_-]{20,64}$/;
const hash = (code: string): string => createHash('sha256').update(code).digest('hex');

const PlanParams = z.object({ planId: z.string().regex(PLAN_ID_RE) });
const LinkBody = z.strictObject({ unit: UnitCode });
const CodeBody = z.strictObject({ code: z.string().max(100) });

const badCode = (): CafError =>
  new CafError(
    'code-invalid',
    {
      ro: 'Linkul de autentificare nu mai este valabil (a fost folosit deja sau a expirat). Cereți coordonatorului unul nou sau intrați cu tokenul unității.',
      en: 'The sign-in link is no longer valid (used already or expired). Ask the coordinator for a new one or sign in with the unit’s token.',
    },
    401,
  );

export function unitAccessRoutes(deps: { store: Store; config: Config; now?: () => Date }): Router {
  const { store, config } = deps;
  const now = deps.now ?? (() => new Date());
  const r = express.Router();
  const json = express.json({ limit: '4kb', strict: true, type: 'application/json' });

  const planOf = (params: unknown) => {
    const { planId } = PlanParams.parse(params);
    const plan = store.getPlan(planId);
    if (!plan) throw notFound({ ro: `Planul „${planId}”`, en: `The plan "${planId}"` });
    return plan;
  };

  r.post('/plans/:planId/unit-links', requireAuth(), requireCoordinator(), json, (req, res) => {
    const plan = planOf(req.params);
    const { unit } = LinkBody.parse(req.body);
    const current = store.revisionPlan(plan.id, plan.currentRevision)!;
    if (!current.units.some((u) => u.code === unit)) {
      throw notFound({ ro: `Unitatea ${unit} (în legenda planului)`, en: `The unit ${unit} (in the plan's legend)` });
    }
    const code = randomBytes(24).toString('base64url');
    const at = now();
    const expiresAt = new Date(at.getTime() + CODE_TTL_MS).toISOString();
    const actor = principal(res).actor;
    store.db
      .prepare(
        'INSERT INTO unit_codes (hash, plan_id, unit, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(hash(code), plan.id, unit, actor, at.toISOString(), expiresAt);
    store.audit(actor, 'unit-link.created', `${plan.id}/${unit}`, { expiresAt });
    res.status(201).json({ unit, planId: plan.id, path: `/unit?code=${code}`, expiresAt });
  });

  r.post('/unit-session', json, (req, res) => {
    checkCsrf(req, config, 'login');
    const { code } = CodeBody.parse(req.body);
    if (!CODE_RE.test(code)) throw badCode();
    const at = now().toISOString();
    // Spent in the same statement that checks it: two tabs opening one link cannot both get in.
    const row = store.db
      .prepare(
        'UPDATE unit_codes SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ? RETURNING plan_id, unit',
      )
      .get(at, hash(code), at) as { plan_id: string; unit: string } | undefined;
    if (!row) throw badCode();
    const created = store.createToken({ role: 'unit', unit: row.unit, label: `link ${row.plan_id}` });
    // The cookie gets a server-side session of the new unit token, as POST /api/session does: never the token.
    const session = store.createSession(created.record.id, config.sessionHours);
    setSessionCookie(req, res, config, session.record, session.secret);
    const p = principalOf(created.record, 'cookie');
    store.audit(p.actor, 'session.opened', row.plan_id, { via: 'unit-link' });
    res.json({ role: 'unit', unit: row.unit, planId: row.plan_id });
  });

  // The unit's rows on a day: a unit reads its own; the coordinator may look at any unit's (?unit=).
  r.get('/plans/:planId/unit-rows', requireAuth(), (req, res) => {
    const plan = planOf(req.params);
    const p = principal(res);
    const q = z.object({ unit: UnitCode.optional() }).parse(req.query);
    if (p.role === 'unit' && q.unit !== undefined && q.unit !== p.unit) {
      throw forbidden('Puteți vedea doar rândurile unității dvs.', 'You can see only your unit’s rows.');
    }
    const unit = p.role === 'unit' ? p.unit! : q.unit;
    if (!unit)
      throw new CafError('unit-required', { ro: 'Alegeți unitatea (?unit=).', en: 'Choose the unit (?unit=).' }, 400);
    const current = store.revisionPlan(plan.id, plan.currentRevision)!;
    const known = current.units.find((u) => u.code === unit);
    if (!known)
      throw notFound({ ro: `Unitatea ${unit} (în legenda planului)`, en: `The unit ${unit} (in the plan's legend)` });
    const progress = progressOf(
      plan.id,
      plan.currentRevision,
      current,
      localToday(config.timezone, now()),
      config.soonDays,
    );
    const mine = new Set(
      current.actions.filter((a) => ownerCodes(a.text.owners, current.units).includes(unit)).map((a) => a.id),
    );
    const pending = store.listSubmissions(plan.id, { unit, outcome: 'pending', limit: 1 })[0];
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      plan: { id: plan.id, name: plan.name, revision: plan.currentRevision, editable: plan.editable },
      unit: { code: known.code, name: known.name },
      today: progress.today,
      statuses: STATUSES,
      rows: progress.rows.filter((row) => mine.has(row.id)),
      pending: pending ? { id: pending.id, receivedAt: pending.receivedAt, source: pending.source } : null,
    });
  });

  return r;
}
