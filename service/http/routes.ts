// The routes under /api. Each parses its params, query and body with zod, checks who may call it, and hands the
// work to the store, the intake (service/sources/intake.ts) or the jobs; it never builds a plan itself.
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CafError } from '../../plan/errors';
import { FIELDS, SCHEMA_VERSION } from '../../plan/model';
import { departmentCopy } from '../xlsx/copy';
import type { Config } from '../config';
import { resolveConflict } from '../jobs/resolve';
import type { MergeRunner } from '../jobs/merge';
import { importWorkbook, PLAN_ID_RE } from '../sources/import';
import { UnitCode } from '../../plan/api';
import { receiptPage, RECEIPT_PAGE, submitRows, submitWorkbook } from '../sources/intake';
import { Receipt } from '../../plan/api';
import { diffPlans } from '../store/diff';
import type { PlanRecord, Store } from '../store/store';
import {
  checkCsrf,
  clearSessionCookie,
  forbidden,
  principal,
  principalOf,
  requireAuth,
  requireCoordinator,
  sessionCookieOf,
  sessionOf,
  setSessionCookie,
  unauthorized,
  type Principal,
} from './auth';
import type { Lockout } from './lockout';
import { notFound } from './errors';
import { healthHandler } from '../admin/health';
import { localToday, progressCsv, progressOf } from './progress';
import { deskRoutes } from './desk';
import { unitAccessRoutes } from './unit-access';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const PlanId = z.string().regex(PLAN_ID_RE, 'a plan id: letters, digits, dot, _ and -');
const Revision = z.coerce.number().int().positive().max(1_000_000_000);
const RowKey = z.string().regex(/^\d{1,12}$/, 'a number');
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

const PlanParams = z.object({ planId: PlanId });
const SessionBody = z.strictObject({ token: z.string().min(1).max(200) });
const TokenBody = z.union([
  z.strictObject({ role: z.literal('coordinator'), label: z.string().max(200).optional() }),
  z.strictObject({ role: z.literal('unit'), unit: UnitCode, label: z.string().max(200).optional() }),
]);
const ResolveBody = z.union([
  z.strictObject({ value: z.string().max(32_767) }),
  z.strictObject({ keep: z.literal(true) }),
]);
const EditableBody = z.strictObject({ editable: z.array(z.enum(FIELDS)).max(FIELDS.length) });
/** A page of a long list: `offset` items skipped, at most `limit` given; the total is in X-Total-Count. */
const Page = (max: number) =>
  z.object({
    offset: z.coerce.number().int().nonnegative().max(10_000_000).optional(),
    limit: z.coerce.number().int().positive().max(max).optional(),
  });

/** A safe name for Content-Disposition: ASCII letters, digits, dot, dash. */
function attachment(res: Response, name: string): void {
  res.setHeader('Content-Disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
}

function fileNameOf(req: Request): string | undefined {
  const raw = req.headers['x-file-name'];
  if (typeof raw !== 'string') return undefined;
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    // Not percent-encoded: keep it as sent.
  }
  // Only the last path segment, no control characters: a name is metadata, never a path the service opens.
  name = name
    .split(/[\\/]/)
    .pop()!
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is stripped here
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .slice(0, 200);
  return name === '' || name === '.' || name === '..' ? undefined : name;
}

/**
 * The channel a JSON submission came by, named in its receipt: the department page (the session cookie), the
 * add-in (its client says so in X-CAF-Client), or any other program with a token (curl, a script).
 */
function jsonChannel(req: Request, p: Principal): string {
  if (p.via === 'cookie') return 'page';
  return req.headers['x-caf-client'] === 'addin' ? 'addin' : 'api';
}

export function apiRoutes(deps: {
  store: Store;
  config: Config;
  merges: MergeRunner;
  logger: Logger;
  lockout: Lockout;
  now?: () => Date;
}): Router {
  const { store, config, merges, lockout } = deps;
  const bounds = { maxExtraRows: config.maxExtraRows };
  const now = deps.now ?? (() => new Date());
  const r = express.Router();
  const json = express.json({ limit: config.maxJsonBytes, strict: true, type: 'application/json' });
  const xlsx = express.raw({ type: [XLSX_TYPE, 'application/octet-stream'], limit: config.maxUploadBytes });
  const coordinator = [requireAuth(), requireCoordinator()];

  const planOf = (req: Request): PlanRecord => {
    const { planId } = PlanParams.parse(req.params);
    const plan = store.getPlan(planId);
    if (!plan) throw notFound({ ro: `Planul „${planId}”`, en: `The plan "${planId}"` });
    return plan;
  };
  const bytesOf = (req: Request): Uint8Array => {
    if (!Buffer.isBuffer(req.body)) {
      throw new CafError(
        'unsupported-media-type',
        {
          ro: `Trimiteți fișierul .xlsx cu Content-Type: ${XLSX_TYPE}.`,
          en: `Send the .xlsx file with Content-Type: ${XLSX_TYPE}.`,
        },
        415,
      );
    }
    if (req.body.length === 0) {
      throw new CafError('empty-body', { ro: 'Fișierul trimis este gol.', en: 'The file sent is empty.' }, 400);
    }
    return new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.length);
  };
  const sendXlsx = (res: Response, bytes: Uint8Array, name: string): void => {
    attachment(res, name);
    res.type(XLSX_TYPE).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  };

  // ------------------------------------------------------------ health and session

  r.get('/health', healthHandler({ store, config, merges, now }));

  r.post('/session', json, (req, res) => {
    checkCsrf(req, config, 'login');
    const { token } = SessionBody.parse(req.body);
    const record = store.findToken(token);
    if (!record) throw lockout.failure(req, token, unauthorized());
    // The cookie gets a session of its own, never the token: it expires, and signing out ends it on the server.
    const { secret, record: session } = store.createSession(record.id, config.sessionHours);
    setSessionCookie(req, res, config, session, secret);
    const p = principalOf(record, 'cookie');
    store.audit(p.actor, 'session.opened', session.id, { expiresAt: session.expiresAt });
    res.json({ role: p.role, unit: p.unit ?? null });
  });

  r.get('/session', requireAuth(), (_req, res) => {
    const p = principal(res);
    res.json({ role: p.role, unit: p.unit ?? null, via: p.via });
  });

  r.delete('/session', (req, res) => {
    const found = sessionOf(store, sessionCookieOf(req));
    if (found && store.revokeSession(found.session.id)) {
      store.audit(principalOf(found.token, 'cookie').actor, 'session.closed', found.session.id);
    }
    clearSessionCookie(req, res, config);
    res.status(204).end();
  });

  // ------------------------------------------------------------ plans and revisions

  r.get('/plans', requireAuth(), (_req, res) => {
    res.json(store.listPlans());
  });

  r.post('/plans', ...coordinator, xlsx, async (req, res) => {
    const query = z.object({ name: z.string().max(200).optional(), id: PlanId.optional() }).parse(req.query);
    const imported = await importWorkbook(store, {
      bytes: bytesOf(req),
      name: query.name ?? fileNameOf(req),
      planId: query.id,
      actor: principal(res).actor,
    });
    res.status(201).json(imported);
  });

  r.get('/plans/:planId', requireAuth(), (req, res) => {
    const plan = planOf(req);
    const current = store.revisionPlan(plan.id, plan.currentRevision)!;
    res.json({
      ...plan,
      actions: current.actions.length,
      units: current.units,
      openConflicts: store.countConflicts(plan.id, 'open'),
      lastMerge: store.lastMerge(plan.id) ?? null,
    });
  });

  r.post('/plans/:planId/editable', ...coordinator, json, (req, res) => {
    const plan = planOf(req);
    const { editable } = EditableBody.parse(req.body);
    store.setEditable(plan.id, editable);
    store.audit(principal(res).actor, 'plan.editable', plan.id, { editable });
    res.json(store.getPlan(plan.id));
  });

  r.get('/plans/:planId/revisions', requireAuth(), (req, res) => {
    res.json(store.listRevisions(planOf(req).id));
  });

  const sendRevision = (res: Response, plan: PlanRecord, revision: number, format: string): void => {
    const record = store.getRevision(plan.id, revision);
    if (!record) throw notFound({ ro: `Revizia ${revision}`, en: `Revision ${revision}` });
    if (format === 'xlsx') return sendXlsx(res, store.blobs.get(record.blob), `${plan.id}-r${revision}.xlsx`);
    res.json({ ...record, plan: store.revisionPlan(plan.id, revision) });
  };
  const Format = z.enum(['json', 'xlsx']);

  r.get('/plans/:planId/current.:format', requireAuth(), (req, res) => {
    const plan = planOf(req);
    sendRevision(res, plan, plan.currentRevision, Format.parse(req.params.format));
  });

  r.get('/plans/:planId/revisions/:rev.:format', requireAuth(), (req, res) => {
    const plan = planOf(req);
    sendRevision(res, plan, Revision.parse(req.params.rev), Format.parse(req.params.format));
  });

  r.get('/plans/:planId/diff', requireAuth(), (req, res) => {
    const plan = planOf(req);
    const q = z.object({ from: Revision, to: Revision.optional() }).parse(req.query);
    const to = q.to ?? plan.currentRevision;
    const a = store.revisionPlan(plan.id, q.from);
    const b = store.revisionPlan(plan.id, to);
    if (!a || !b) throw notFound({ ro: 'Revizia', en: 'The revision' });
    res.json({ planId: plan.id, from: q.from, to, changes: diffPlans(a, b) });
  });

  // ------------------------------------------------------------ department copies

  r.get('/plans/:planId/copies/:unit.xlsx', requireAuth(), async (req, res) => {
    const plan = planOf(req);
    const unit = UnitCode.parse(req.params.unit);
    const p = principal(res);
    if (p.role === 'unit' && p.unit !== unit) {
      throw forbidden(
        `Tokenul unității ${p.unit} poate descărca doar copia unității ${p.unit}.`,
        `The token of unit ${p.unit} can download only the copy of unit ${p.unit}.`,
      );
    }
    const current = store.revisionPlan(plan.id, plan.currentRevision)!;
    if (!current.units.some((u) => u.code === unit)) {
      throw notFound({ ro: `Unitatea ${unit} (în legenda planului)`, en: `The unit ${unit} (in the plan's legend)` });
    }
    const revision = store.getRevision(plan.id, plan.currentRevision)!;
    const copy = await departmentCopy(store.blobs.get(revision.blob), current, unit, {
      planId: plan.id,
      revision: plan.currentRevision,
      unit,
      issuedAt: now().toISOString(),
      schemaVersion: SCHEMA_VERSION,
      editable: plan.editable,
    });
    store.audit(p.actor, 'copy.issued', `${plan.id}/${unit}`, { revision: plan.currentRevision });
    sendXlsx(res, copy, `${plan.id}-r${plan.currentRevision}-${unit}.xlsx`);
  });

  // ------------------------------------------------------------ submissions

  r.post('/plans/:planId/submissions', requireAuth(), xlsx, json, async (req, res) => {
    const plan = planOf(req);
    const p = principal(res);
    const caller = { actor: p.actor, ...(p.unit ? { unit: p.unit } : {}) };
    const intake = req.is('application/json')
      ? await submitRows(store, { planId: plan.id, body: req.body, source: jsonChannel(req, p), caller, bounds })
      : await submitWorkbook(store, {
          planId: plan.id,
          bytes: bytesOf(req),
          source: 'upload',
          caller,
          bounds,
          ...(fileNameOf(req) ? { fileName: fileNameOf(req) } : {}),
        });
    res.status(intake.duplicate ? 200 : 201).json(intake.receipt);
  });

  r.get('/plans/:planId/submissions', requireAuth(), (req, res) => {
    const plan = planOf(req);
    const p = principal(res);
    const q = z
      .object({
        unit: UnitCode.optional(),
        outcome: z.enum(['pending', 'merged', 'superseded', 'refused']).optional(),
        limit: z.coerce.number().int().positive().max(1000).optional(),
      })
      .parse(req.query);
    if (p.role === 'unit' && q.unit !== undefined && q.unit !== p.unit) {
      throw forbidden('Puteți vedea doar trimiterile unității dvs.', 'You can see only your unit’s submissions.');
    }
    const unit = p.role === 'unit' ? p.unit : q.unit;
    res.json(
      store.listSubmissions(plan.id, {
        ...(unit ? { unit } : {}),
        ...(q.outcome ? { outcome: q.outcome } : {}),
        limit: q.limit ?? 200,
      }),
    );
  });

  r.get('/submissions/:id', requireAuth(), (req, res) => {
    const id = RowKey.parse(req.params.id);
    const s = store.getSubmission(id);
    const p = principal(res);
    if (!s || (p.role === 'unit' && s.unit !== p.unit)) throw notFound({ ro: 'Trimiterea', en: 'The submission' });
    res.json({ ...s, receipt: receiptPage(Receipt.parse(s.receipt)) });
  });

  r.get('/submissions/:id/receipt', requireAuth(), (req, res) => {
    const s = store.getSubmission(RowKey.parse(req.params.id));
    const p = principal(res);
    if (!s || (p.role === 'unit' && s.unit !== p.unit)) throw notFound({ ro: 'Trimiterea', en: 'The submission' });
    const q = Page(1000).parse(req.query);
    res.json(receiptPage(Receipt.parse(s.receipt), q.offset ?? 0, q.limit ?? RECEIPT_PAGE));
  });

  r.get('/submissions/:id/file', ...coordinator, (req, res) => {
    const s = store.getSubmission(RowKey.parse(req.params.id));
    if (!s) throw notFound({ ro: 'Trimiterea', en: 'The submission' });
    const bytes = store.blobs.get(s.blob);
    if (s.kind === 'json') return res.type('application/json').send(bytes);
    sendXlsx(res, bytes, `${s.planId}-submission-${s.id}-${s.unit}.xlsx`);
  });

  // ------------------------------------------------------------ merges

  r.post('/plans/:planId/merges', ...coordinator, async (req, res) => {
    const plan = planOf(req);
    const merge = await merges.run(plan.id, 'manual', principal(res).actor);
    res.status(201).json({ ...merge, report: store.mergeReport(merge.id) ?? null });
  });

  r.get('/plans/:planId/merges', ...coordinator, (req, res) => {
    res.json(store.listMerges(planOf(req).id));
  });

  const mergeOf = (req: Request) => {
    const merge = store.getMerge(Number(RowKey.parse(req.params.id)));
    if (!merge) throw notFound({ ro: 'Îmbinarea', en: 'The merge' });
    return merge;
  };

  r.get('/merges/:id', ...coordinator, (req, res) => {
    res.json(mergeOf(req));
  });

  r.get('/merges/:id/report.json', ...coordinator, (req, res) => {
    const merge = mergeOf(req);
    const report = store.mergeReport(merge.id);
    if (!report) throw notFound({ ro: 'Raportul îmbinării', en: 'The merge report' });
    res.json(report);
  });

  r.get('/merges/:id/merged.xlsx', ...coordinator, (req, res) => {
    const merge = mergeOf(req);
    if (!merge.mergedBlob) throw notFound({ ro: 'Registrul îmbinat', en: 'The merged workbook' });
    sendXlsx(res, store.blobs.get(merge.mergedBlob), `${merge.planId}-r${merge.newRevision}.xlsx`);
  });

  // ------------------------------------------------------------ conflicts

  r.get('/plans/:planId/conflicts', ...coordinator, (req, res) => {
    const plan = planOf(req);
    const q = Page(1000)
      .extend({ status: z.enum(['open', 'resolved']).optional() })
      .parse(req.query);
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 1000;
    const total = store.countConflicts(plan.id, q.status);
    res.setHeader('X-Total-Count', String(total));
    res.json(store.listConflicts(plan.id, q.status, { offset, limit }));
  });

  r.post('/conflicts/:id/resolve', ...coordinator, json, async (req, res) => {
    const id = Number(RowKey.parse(req.params.id));
    const resolution = ResolveBody.parse(req.body);
    const done = await resolveConflict(store, merges, { conflictId: id, resolution, actor: principal(res).actor });
    res.json(done);
  });

  // ------------------------------------------------------------ progress (open data: no token needed)

  // Open data is read far more often than the plan changes: a revision's progress on a day is computed once.
  const progressCache = new Map<string, ReturnType<typeof progressOf>>();
  const progressFor = (req: Request) => {
    const plan = planOf(req);
    const q = z.object({ today: IsoDate.optional() }).parse(req.query);
    const today = q.today ?? localToday(config.timezone, now());
    const key = `${plan.id}\u0000${plan.currentRevision}\u0000${today}`;
    let progress = progressCache.get(key);
    if (!progress) {
      progress = progressOf(
        plan.id,
        plan.currentRevision,
        store.revisionPlan(plan.id, plan.currentRevision)!,
        today,
        config.soonDays,
      );
      if (progressCache.size >= 16) progressCache.delete(progressCache.keys().next().value!);
      progressCache.set(key, progress);
    }
    return progress;
  };

  r.get('/plans/:planId/progress.json', (req, res) => {
    res.json(progressFor(req));
  });

  r.get('/plans/:planId/progress.csv', (req, res) => {
    const progress = progressFor(req);
    attachment(res, `${progress.planId}-progres-${progress.today}.csv`);
    const { lang } = z.object({ lang: z.enum(['ro', 'en']).optional() }).parse(req.query);
    res.type('text/csv; charset=utf-8').send(progressCsv(progress, lang ?? 'ro'));
  });

  // ------------------------------------------------------------ the coordinator's overview

  r.get('/plans/:planId/overview', ...coordinator, (req, res) => {
    const plan = planOf(req);
    const current = store.revisionPlan(plan.id, plan.currentRevision)!;
    const latest = new Map<string, ReturnType<Store['listSubmissions']>[number]>();
    for (const s of store.listSubmissions(plan.id, { limit: 10_000 })) latest.set(s.unit, s);
    res.json({
      plan,
      lastMerge: store.lastMerge(plan.id) ?? null,
      openConflicts: store.countConflicts(plan.id, 'open'),
      units: current.units.map((u) => {
        const s = latest.get(u.code);
        return {
          code: u.code,
          name: u.name,
          lastSubmission: s
            ? { id: s.id, receivedAt: s.receivedAt, outcome: s.outcome, baseRevision: s.baseRevision, source: s.source }
            : null,
        };
      }),
    });
  });

  // ------------------------------------------------------------ the department page's sign-in links and rows

  r.use(unitAccessRoutes({ store, config, now }));
  r.use(deskRoutes({ store }));

  // ------------------------------------------------------------ tokens and audit

  r.get('/tokens', ...coordinator, (_req, res) => {
    res.json(store.listTokens());
  });

  r.post('/tokens', ...coordinator, json, (req, res) => {
    const body = TokenBody.parse(req.body);
    const created = store.createToken(body);
    store.audit(principal(res).actor, 'token.created', created.record.id, {
      role: body.role,
      unit: created.record.unit,
    });
    // The only time the secret leaves the service.
    res.status(201).json({ ...created.record, token: created.token });
  });

  r.delete('/tokens/:id', ...coordinator, (req, res) => {
    const id = z
      .string()
      .regex(/^[0-9a-f]{12}$/)
      .parse(req.params.id);
    if (!store.revokeToken(id)) throw notFound({ ro: 'Tokenul', en: 'The token' });
    store.audit(principal(res).actor, 'token.revoked', id);
    res.status(204).end();
  });

  r.get('/audit', ...coordinator, (req, res) => {
    const q = z.object({ limit: z.coerce.number().int().positive().max(1000).optional() }).parse(req.query);
    res.json(store.listAudit(q.limit ?? 200));
  });

  return r;
}

export type { Principal };
