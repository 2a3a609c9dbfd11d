// The coordinator's page at `/`: static HTML, CSS and one ES module, plus the vocabulary it labels things with
// (criteria, deadline states, statuses) served from the plan's own tables so the page never keeps a copy. All data
// comes from the API under /api with the httpOnly session cookie; the page holds no secret and runs no inline
// script, so the strict Content-Security-Policy of app.ts applies unchanged.
import cookieParser from 'cookie-parser';
import express, { type Router } from 'express';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRITERIA } from '../../../plan/caf';
import { CHANNEL_LABELS, CONFLICT_KIND_LABELS } from '../../../plan/labels';
import { FIELD_LABELS } from '../../../plan/model';
import { CONFLICT_KINDS } from '../../../plan/report';
import { DEADLINE_STATES } from '../../../plan/state';
import { STATUSES } from '../../../plan/status';
import type { Config } from '../../config';
import type { Store } from '../../store/store';
import { sessionCookieOf, sessionOf } from '../auth';
import { reportRoutes } from '../report';

const here = path.dirname(fileURLToPath(import.meta.url));

const FILES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'merge-warning.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'unit.js': 'text/javascript; charset=utf-8',
};

export function coordinatorPage(deps: { store: Store; config?: Config; now?: () => Date }): Router {
  const r = express.Router();
  const vocabulary = JSON.stringify({
    criteria: CRITERIA.map(({ code, ro, en }) => ({ code, ro, en })),
    states: DEADLINE_STATES,
    statuses: STATUSES,
    conflictKinds: CONFLICT_KINDS,
    conflictLabels: CONFLICT_KIND_LABELS,
    channels: CHANNEL_LABELS,
    fields: FIELD_LABELS,
  });

  r.get(['/', '/index.html'], (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/html; charset=utf-8').sendFile(path.join(here, 'index.html'));
  });
  r.use(reportRoutes(deps));
  // The department page: a unit signs in with its token or a one-time link and submits its rows.
  r.get('/unit', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/html; charset=utf-8').sendFile(path.join(here, 'unit.html'));
  });
  // Only the page's own files, by name: the folder also holds this TypeScript source.
  r.get('/page/:file', (req, res, next) => {
    // Own properties only: `__proto__`, `constructor` are names a request can carry, never files.
    const type = Object.hasOwn(FILES, req.params.file) ? FILES[req.params.file] : undefined;
    if (!type) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.type(type).sendFile(path.join(here, req.params.file));
  });
  r.get('/page-data/vocabulary.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/json').send(vocabulary);
  });
  // Who the session cookie belongs to, answered 200 either way: the page asks this on every load, and a 401 from
  // /api/session would land in the browser console of every visitor who is not signed in yet.
  r.get('/page-data/session', cookieParser(), (req, res) => {
    const token = sessionOf(deps.store, sessionCookieOf(req))?.token;
    res.setHeader('Cache-Control', 'no-store');
    res.json(token ? { role: token.role, unit: token.unit } : { role: null, unit: null });
  });
  return r;
}
