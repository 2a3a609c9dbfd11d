// The monitoring report at /report: one printable HTML page (print CSS, no script) the coordinator prints or saves
// as PDF: the plan, the day it describes, progress per criterion and per unit, the overdue actions, the open
// conflicts and the units that have sent nothing since the last merge. Signed in by the page's session cookie.
import cookieParser from 'cookie-parser';
import express, { type Router } from 'express';
import { z } from 'zod';
import { CRITERIA } from '../../plan/caf';
import { CONFLICT_KIND_LABELS } from '../../plan/labels';
import { FIELD_LABELS } from '../../plan/model';
import { DEADLINE_STATES, type DeadlineState } from '../../plan/state';
import { countWith } from '../../plan/text';
import type { Config } from '../config';
import type { Store } from '../store/store';
import { sessionCookieOf, sessionOf } from './auth';
import { localToday, progressOf, type StateCounts } from './progress';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STATES: DeadlineState[] = ['overdue', 'due-soon', 'on-track', 'recurring', 'done', 'invalid'];

const CSS = `
body{font-family:system-ui,'Noto Sans',sans-serif;color:#1b1f24;margin:2rem;line-height:1.4}
h1{font-size:1.5rem;margin:0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem;border-bottom:2px solid #0d2f57}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #c4c9d0;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#eef2f7}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#57606a;margin:.2rem 0 1rem}.bar{display:inline-block;height:.7rem;background:#1a7f37;vertical-align:middle}
.print{margin:1rem 0}@media print{.print{display:none}body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}
thead{display:table-header-group}@page{size:A4;margin:15mm 12mm}}
`;

export function reportRoutes(deps: { store: Store; config?: Config; now?: () => Date }): Router {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const r = express.Router();
  r.get('/report', cookieParser(), (req, res) => {
    const token = sessionOf(store, sessionCookieOf(req))?.token;
    res.setHeader('Cache-Control', 'no-store');
    if (!token || token.role !== 'coordinator') {
      res
        .status(401)
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><html lang="ro"><meta charset="utf-8"><title>Raport</title><p>Raportul este al coordonatorului: intrați mai întâi pe <a href="/">pagina coordonatorului</a>. / The report is the coordinator's: sign in on <a href="/">the coordinator's page</a> first.</p></html>`,
        );
      return;
    }
    const q = z
      .object({
        plan: z.string().max(100).optional(),
        today: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/)
          .optional(),
      })
      .parse(req.query);
    const plans = store.listPlans();
    const plan = (q.plan ? plans.find((p) => p.id === q.plan) : plans[0]) ?? undefined;
    if (!plan) {
      res.status(404).type('text/html; charset=utf-8').send('<!doctype html><meta charset="utf-8"><p>Niciun plan.</p>');
      return;
    }
    const today = q.today ?? localToday(deps.config?.timezone ?? 'Europe/Bucharest', now());
    const current = store.revisionPlan(plan.id, plan.currentRevision)!;
    const progress = progressOf(plan.id, plan.currentRevision, current, today, deps.config?.soonDays ?? 30);
    const stateName = (s: DeadlineState) => DEADLINE_STATES.find((x) => x.code === s)!.ro;
    const total = (c: StateCounts) => STATES.reduce((n, s) => n + (c[s] ?? 0), 0);
    const pct = (c: StateCounts) => (total(c) ? Math.round((100 * (c.done ?? 0)) / total(c)) : 0);
    const countsTable = (title: string, rows: { label: string; counts: StateCounts }[]) => `
      <table><thead><tr><th>${esc(title)}</th>${STATES.map((s) => `<th class="n">${esc(stateName(s))}</th>`).join('')}<th class="n">Total</th><th>Realizate</th></tr></thead><tbody>
      ${rows
        .map(
          (row) =>
            `<tr><th scope="row">${esc(row.label)}</th>${STATES.map((s) => `<td class="n">${row.counts[s] ?? 0}</td>`).join('')}<td class="n">${total(row.counts)}</td><td><span class="bar" style="width:${pct(row.counts) * 0.6}px"></span> ${pct(row.counts)}%</td></tr>`,
        )
        .join('')}</tbody></table>`;
    const overdue = progress.rows
      .filter((x) => x.state === 'overdue')
      .sort((a, b) => (b.daysLate ?? 0) - (a.daysLate ?? 0));
    const conflicts = store.listConflicts(plan.id, 'open');
    const lastMerge = store.lastMerge(plan.id);
    const pending = new Set(store.listSubmissions(plan.id, { outcome: 'pending', limit: 10_000 }).map((s) => s.unit));
    const silent = current.units.filter((u) => !pending.has(u.code));
    const fmt = new Intl.DateTimeFormat('ro-RO', {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone: 'Europe/Bucharest',
    });
    const html = `<!doctype html><html lang="ro"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Raport de monitorizare – ${esc(plan.name)}</title><style>${CSS}</style></head><body>
<h1>Raport de monitorizare a planului de îmbunătățire CAF</h1>
<p class="meta"><strong>${esc(plan.name)}</strong> · revizia ${plan.currentRevision} · ${esc(countWith(current.actions.length, 'acțiune', 'acțiuni', 'ro'))}<br>
Situația la ${esc(today)} · ultima îmbinare: ${lastMerge ? `#${lastMerge.id}, ${esc(fmt.format(new Date(lastMerge.startedAt)))}` : 'niciuna'}</p>
<p class="print">Tipăriți pagina sau salvați-o ca PDF (Ctrl+P).</p>
<h2>Progres pe criterii CAF</h2>
${countsTable(
  'Criteriu',
  CRITERIA.filter((c) => progress.byCriterion[c.code]).map((c) => ({
    label: `${c.code}. ${c.ro}`,
    counts: progress.byCriterion[c.code]!,
  })),
)}
<h2>Progres pe unități responsabile</h2>
${countsTable('Unitate', [
  ...Object.keys(progress.byUnit)
    .sort()
    .map((code) => ({ label: code, counts: progress.byUnit[code]! })),
  ...(total(progress.unowned) ? [{ label: 'Fără responsabil cunoscut', counts: progress.unowned }] : []),
])}
<h2>Acțiuni cu termen depășit (${overdue.length})</h2>
${
  overdue.length
    ? `<table><thead><tr><th>ID</th><th>${esc(FIELD_LABELS.action.ro)}</th><th>${esc(FIELD_LABELS.owners.ro)}</th><th>${esc(FIELD_LABELS.deadline.ro)}</th><th class="n">Zile de întârziere</th><th>${esc(FIELD_LABELS.status.ro)}</th></tr></thead><tbody>
${overdue
  .map(
    (x) =>
      `<tr><td>${esc(x.id)}</td><td>${esc(x.action)}</td><td>${esc(x.owners.split(';').filter(Boolean).join(', ') || 'fără responsabil cunoscut')}</td><td>${esc(x.deadline)}</td><td class="n">${x.daysLate ?? ''}</td><td>${esc(x.status)}</td></tr>`,
  )
  .join('')}</tbody></table>`
    : '<p>Nicio acțiune cu termen depășit.</p>'
}
<h2>Conflicte deschise (${conflicts.length})</h2>
${
  conflicts.length
    ? `<table><thead><tr><th>Acțiunea</th><th>Coloana</th><th>Tip</th><th>Valori propuse</th></tr></thead><tbody>${conflicts
        .map(
          (c) =>
            `<tr><td>${esc(c.rowId ?? '—')}</td><td>${esc(c.column ? FIELD_LABELS[c.column].ro : 'rândul întreg')}</td><td>${esc(CONFLICT_KIND_LABELS[c.kind].ro)}</td><td>${c.values.map((v) => `${esc(v.unit)}: „${esc(v.value)}”`).join('<br>')}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>Niciun conflict deschis.</p>'
}
<h2>Unități care nu au trimis de la ultima îmbinare (${silent.length})</h2>
<p>${silent.map((u) => `${esc(u.code)} – ${esc(u.name)}`).join('; ') || 'Toate unitățile au trimis.'}</p>
</body></html>`;
    res.type('text/html; charset=utf-8').send(html);
  });
  return r;
}
