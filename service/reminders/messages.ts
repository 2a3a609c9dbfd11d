// The text of a reminder: one message per unit per run, Romanian unless the unit chose English, plain text plus a
// simple HTML twin. Every message says why it was sent and how to stop it, and carries only the unit's own actions.
import type { LocalDate } from '../../plan/model';
import { deadlineStateLabel } from '../../plan/state';
import { countWith } from '../../plan/text';
import type { ActionLine, ReminderItem, Rule } from './rules';

export type Lang = 'ro' | 'en';

export interface Message {
  subject: string;
  text: string;
  html: string;
}

const T = {
  ro: {
    'due-soon': 'Termen apropiat',
    'due-today': 'Termenul este astăzi',
    overdue: 'Termen depășit',
    recurring: 'Acțiuni recurente: perioada se încheie curând',
    'merge-receipt': 'Ce s-a preluat din copia trimisă',
    hello: (unit: string, plan: string) =>
      `Bună ziua,\n\nMesaj pentru unitatea ${unit}, planul de îmbunătățire CAF „${plan}”.`,
    deadline: 'Termen',
    state: 'Stare',
    status: 'Stadiu',
    none: '(necompletat)',
    late: (n: number) => `${countWith(n, 'zi', 'zile', 'ro')} de întârziere`,
    periodEnd: (d: string) => `perioada se încheie la ${d}`,
    merge: (id: number, rev: number) => `Îmbinarea #${id} (revizia ${rev})`,
    applied: 'preluat',
    refused: 'nepreluat',
    link: 'Pagina unității (vedeți rândurile, completați și trimiteți):',
    why: (unit: string, day: string) =>
      `De ce primiți acest mesaj: adresa dumneavoastră este trecută drept contact al unității ${unit} în planul CAF, iar coordonatorul CAF a activat mementourile (trimis la ${day}).`,
    stop: 'Cum opriți aceste mesaje: cereți coordonatorului CAF să vă scoată adresa din contactele unității sau să oprească regula în setările mementourilor caf-plan.',
    digest: 'Rezumatul săptămânal pentru coordonator',
    digestWhy: (day: string) =>
      `De ce primiți acest mesaj: adresa dumneavoastră este trecută ca adresă a coordonatorului în setările mementourilor caf-plan (trimis la ${day}). Cum îl opriți: scoateți adresa sau opriți rezumatul în aceleași setări.`,
    overduePerUnit: 'Acțiuni cu termen depășit, pe unități',
    notSubmitted: 'Unități care nu au trimis de la ultima îmbinare',
    openConflicts: 'Conflicte deschise',
    dashboard: 'Pagina coordonatorului:',
    subject: (plan: string, unit: string, parts: string[]) => `[CAF] ${unit}: ${parts.join(', ')} — ${plan}`,
    digestSubject: (plan: string, overdue: number) =>
      `[CAF] Rezumat săptămânal: ${countWith(overdue, 'acțiune', 'acțiuni', 'ro')} cu termen depășit — ${plan}`,
  },
  en: {
    'due-soon': 'Due soon',
    'due-today': 'Due today',
    overdue: 'Overdue',
    recurring: 'Recurring actions: the period ends soon',
    'merge-receipt': 'What was taken from the copy you sent',
    hello: (unit: string, plan: string) => `Hello,\n\nA message for the unit ${unit}, CAF improvement plan "${plan}".`,
    deadline: 'Deadline',
    state: 'State',
    status: 'Status',
    none: '(blank)',
    late: (n: number) => `${countWith(n, 'day', 'days', 'en')} late`,
    periodEnd: (d: string) => `the period ends on ${d}`,
    merge: (id: number, rev: number) => `Merge #${id} (revision ${rev})`,
    applied: 'applied',
    refused: 'not applied',
    link: 'The unit page (see your rows, fill them in and submit):',
    why: (unit: string, day: string) =>
      `Why you get this message: your address is a contact of the unit ${unit} in the CAF plan, and the CAF coordinator turned reminders on (sent on ${day}).`,
    stop: 'How to stop these messages: ask the CAF coordinator to remove your address from the unit contacts or to turn the rule off in the caf-plan reminder settings.',
    digest: "The coordinator's weekly digest",
    digestWhy: (day: string) =>
      `Why you get this message: your address is the coordinator's address in the caf-plan reminder settings (sent on ${day}). To stop it, remove the address or turn the digest off in the same settings.`,
    overduePerUnit: 'Overdue actions per unit',
    notSubmitted: 'Units that have not submitted since the last merge',
    openConflicts: 'Open conflicts',
    dashboard: "The coordinator's page:",
    subject: (plan: string, unit: string, parts: string[]) => `[CAF] ${unit}: ${parts.join(', ')} — ${plan}`,
    digestSubject: (plan: string, overdue: number) =>
      `[CAF] Weekly digest: ${countWith(overdue, 'overdue action', 'overdue actions', 'en')} — ${plan}`,
  },
} as const;

const ORDER: readonly Exclude<Rule, 'digest'>[] = ['overdue', 'due-today', 'due-soon', 'recurring', 'merge-receipt'];

const SUBJECT_PART: Record<Lang, Record<(typeof ORDER)[number], (n: number) => string>> = {
  ro: {
    overdue: (n) => `${countWith(n, 'acțiune', 'acțiuni', 'ro')} cu termen depășit`,
    'due-today': (n) => `${countWith(n, 'termen', 'termene', 'ro')} astăzi`,
    'due-soon': (n) => `${countWith(n, 'termen apropiat', 'termene apropiate', 'ro')}`,
    recurring: (n) => `${countWith(n, 'acțiune recurentă', 'acțiuni recurente', 'ro')}`,
    'merge-receipt': () => 'confirmarea îmbinării',
  },
  en: {
    overdue: (n) => countWith(n, 'overdue action', 'overdue actions', 'en'),
    'due-today': (n) => countWith(n, 'deadline today', 'deadlines today', 'en'),
    'due-soon': (n) => countWith(n, 'deadline soon', 'deadlines soon', 'en'),
    recurring: (n) => countWith(n, 'recurring action', 'recurring actions', 'en'),
    'merge-receipt': () => 'merge receipt',
  },
};

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const shorten = (s: string, n = 300): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
};

function actionFacts(a: ActionLine, lang: Lang, item: ReminderItem): string {
  const t = T[lang];
  const due = a.due ? ` (${a.due})` : '';
  const facts = [
    `${t.deadline}: ${a.deadline || t.none}${due}`,
    `${t.state}: ${deadlineStateLabel(a.state, lang)}`,
    `${t.status}: ${a.status || t.none}`,
  ];
  if (item.daysLate !== undefined) facts.push(t.late(item.daysLate));
  if (item.periodEnd) facts.push(t.periodEnd(item.periodEnd));
  return facts.join(' · ');
}

export interface UnitMessageInput {
  planName: string;
  unit: string;
  unitName: string;
  lang: Lang;
  today: LocalDate;
  items: ReminderItem[];
  /** The department page, `https://.../unit`. */
  link: string;
}

export function unitMessage(input: UnitMessageInput): Message {
  const { lang, items } = input;
  const t = T[lang];
  const label = `${input.unit} (${input.unitName})`;
  const text: string[] = [t.hello(label, input.planName)];
  const html: string[] = [`<p>${escapeHtml(t.hello(label, input.planName)).replace(/\n\n/, '</p><p>')}</p>`];
  const parts: string[] = [];
  for (const rule of ORDER) {
    const of = items.filter((i) => i.rule === rule);
    if (of.length === 0) continue;
    parts.push(SUBJECT_PART[lang][rule](of.length));
    text.push('', `${t[rule]}:`);
    html.push(`<h3>${escapeHtml(t[rule])}</h3><ul>`);
    for (const item of of) {
      if (item.action) {
        const a = item.action;
        const facts = actionFacts(a, lang, item);
        text.push(`- ${a.id} — ${shorten(a.text)}`, `  ${facts}`);
        html.push(
          `<li><strong>${escapeHtml(a.id)}</strong> — ${escapeHtml(shorten(a.text))}<br>${escapeHtml(facts)}</li>`,
        );
      } else if (item.receipt) {
        const r = item.receipt;
        text.push(`- ${t.merge(r.mergeId, r.revision)}`);
        html.push(`<li>${escapeHtml(t.merge(r.mergeId, r.revision))}<ul>`);
        for (const a of r.applied) {
          const line = `${a.rowId} / ${a.column}: ${t.applied} „${shorten(a.to, 120)}”`;
          text.push(`  ${line}`);
          html.push(`<li>${escapeHtml(line)}</li>`);
        }
        for (const c of r.refused) {
          const line = `${c.rowId ?? '?'} / ${c.column ?? '-'}: ${t.refused} (${c.kind}) „${shorten(c.value, 120)}”`;
          text.push(`  ${line}`);
          html.push(`<li>${escapeHtml(line)}</li>`);
        }
        html.push('</ul></li>');
      }
    }
    html.push('</ul>');
  }
  text.push('', t.link, input.link, '', '--', t.why(input.unit, input.today), t.stop);
  html.push(
    `<p>${escapeHtml(t.link)} <a href="${escapeHtml(input.link)}">${escapeHtml(input.link)}</a></p>`,
    `<hr><p style="color:#555;font-size:90%">${escapeHtml(t.why(input.unit, input.today))}<br>${escapeHtml(t.stop)}</p>`,
  );
  return {
    subject: t.subject(input.planName, input.unit, parts),
    text: text.join('\n') + '\n',
    html: `<!doctype html><html lang="${lang}"><body>${html.join('\n')}</body></html>`,
  };
}

export interface DigestInput {
  planName: string;
  lang: Lang;
  today: LocalDate;
  overdueByUnit: { unit: string; overdue: number }[];
  overdueTotal: number;
  notSubmitted: string[];
  openConflicts: number;
  link: string;
}

export function digestMessage(d: DigestInput): Message {
  const t = T[d.lang];
  const text: string[] = [`${t.digest} — ${d.planName} (${d.today})`, '', `${t.overduePerUnit} (${d.overdueTotal}):`];
  const html: string[] = [
    `<h2>${escapeHtml(t.digest)} — ${escapeHtml(d.planName)} (${d.today})</h2>`,
    `<h3>${escapeHtml(t.overduePerUnit)} (${d.overdueTotal})</h3><table>`,
  ];
  for (const u of d.overdueByUnit) {
    text.push(`- ${u.unit}: ${u.overdue}`);
    html.push(`<tr><td>${escapeHtml(u.unit)}</td><td>${u.overdue}</td></tr>`);
  }
  html.push('</table>');
  text.push('', `${t.notSubmitted} (${d.notSubmitted.length}): ${d.notSubmitted.join(', ') || '—'}`);
  html.push(
    `<h3>${escapeHtml(t.notSubmitted)} (${d.notSubmitted.length})</h3><p>${escapeHtml(d.notSubmitted.join(', ') || '—')}</p>`,
  );
  text.push('', `${t.openConflicts}: ${d.openConflicts}`, '', t.dashboard, d.link, '', '--', t.digestWhy(d.today));
  html.push(
    `<h3>${escapeHtml(t.openConflicts)}: ${d.openConflicts}</h3>`,
    `<p>${escapeHtml(t.dashboard)} <a href="${escapeHtml(d.link)}">${escapeHtml(d.link)}</a></p>`,
    `<hr><p style="color:#555;font-size:90%">${escapeHtml(t.digestWhy(d.today))}</p>`,
  );
  return {
    subject: t.digestSubject(d.planName, d.overdueTotal),
    text: text.join('\n') + '\n',
    html: `<!doctype html><html lang="${d.lang}"><body>${html.join('\n')}</body></html>`,
  };
}
