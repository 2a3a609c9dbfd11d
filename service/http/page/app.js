/* global document, localStorage, fetch, location */
// The coordinator's page: reads the API with the session cookie, draws the state of every unit, the open conflicts
// with their choices, progress charts (inline SVG) and the last merges. Values from workbooks are only ever put in
// the page as text nodes, never as HTML.

const TEXT = {
  ro: {
    skip: 'Sari la conținut',
    title: 'Planul de îmbunătățire CAF',
    plan: 'Plan',
    logout: 'Ieșire',
    loginTitle: 'Autentificare coordonator',
    loginHelp:
      'Introduceți tokenul de acces al coordonatorului (primit la instalarea serviciului sau cu „caf-plan token create --coordinator”).',
    token: 'Token de acces',
    signIn: 'Intră',
    loginFailed: 'Tokenul nu este valid sau a fost revocat.',
    notCoordinator: 'Această pagină este a coordonatorului CAF; tokenul folosit este al unei unități ({unit}).',
    summary: 'Pe scurt',
    reportLink: 'Raport de monitorizare (de tipărit)',
    overdueTitle: 'Acțiuni întârziate și cu termen apropiat',
    asOf: 'La data',
    show: 'Arată',
    overdueNone: 'Nicio acțiune întârziată sau cu termen apropiat la {today}.',
    overdueCount: '{late}, {soon} cu termen apropiat, la {today}.',
    daysLate: '{days} întârziere',
    daysLeft: 'mai sunt {days}',
    dayOne: 'zi',
    dayMany: 'zile',
    lateOne: 'acțiune întârziată',
    lateMany: 'acțiuni întârziate',
    soonOne: 'acțiune',
    soonMany: 'acțiuni',
    colAction: 'Acțiunea',
    colUnits: 'Unități',
    colDeadline: 'Termen',
    colLate: 'Întârziere',
    unowned: 'Fără responsabil cunoscut',
    sortLate: 'Ordonează după numărul de întârzieri',
    late: 'Întârziate',
    link: 'Link de autentificare',
    linkFor: 'Link pentru {unit}',
    linkMade: 'Link de autentificare pentru {unit}, valabil o singură dată până la {when}: {url}',
    pendingMerge: 'A trimis – așteaptă îmbinarea',
    inMerge: 'Nimic nou de la îmbinarea #{id}',
    neverSent: 'Nu a trimis niciodată',
    doneShare: '{pct}% realizate',
    appliedList: 'Ce a aplicat',
    mergeNow: 'Îmbină acum',
    downloadCurrent: 'Descarcă planul curent (.xlsx)',
    units: 'Unități',
    conflicts: 'Conflicte deschise',
    progress: 'Progres',
    merges: 'Ultimele îmbinări',
    loading: 'Se încarcă…',
    planLine: '{name} · revizia {revision} · {actions}',
    revision: 'Revizia curentă',
    lastMerge: 'Ultima îmbinare',
    never: 'niciodată',
    waiting: 'Trimiteri în așteptare',
    unitsSubmitted: 'din {total} unități au trimis de la ultima îmbinare',
    openConflicts: 'Conflicte deschise',
    unit: 'Unitate',
    cycle: 'De la ultima îmbinare',
    lastSubmission: 'Ultima trimitere',
    outcome: 'Rezultat',
    inLastMerge: 'În ultima îmbinare',
    submitted: 'A trimis',
    notSubmitted: 'Nu a trimis',
    none: '—',
    'outcome-pending': 'în așteptare',
    'outcome-merged': 'îmbinată',
    'outcome-superseded': 'înlocuită',
    'outcome-refused': 'refuzată',
    appliedOne: 'aplicată',
    appliedMany: 'aplicate',
    conflictOne: 'conflict',
    conflictMany: 'conflicte',
    actionOne: 'acțiune',
    actionMany: 'acțiuni',
    via: 'prin {source}',
    noConflicts: 'Nu există conflicte deschise.',
    row: 'Acțiunea {id}',
    wholeRow: 'rândul întreg',
    base: 'Valoarea la emiterea copiei',
    current: 'Valoarea din master',
    proposed: 'Propunerea {unit}',
    empty: '(gol)',
    choose: 'Alege „{value}” ({unit})',
    keep: 'Păstrează valoarea din master',
    keepRow: 'Închide (masterul rămâne cum este)',
    resolved: 'Rezolvat – {id}: {what}.',
    alsoClosed: 'Alegerea a închis și: {list} (aceeași celulă).',
    foundIn: 'găsit la îmbinarea din {when}',
    notOffered:
      'Valoarea propusă de {units} nu este validă pentru această coloană și nu poate fi aleasă; scrieți mai jos valoarea corectă.',
    chooseStatus: '— alegeți —',
    freeStatus: 'Altă stare',
    freeText: 'Altă valoare',
    freeSend: 'Scrie această valoare',
    freeStatusMissing: 'Alegeți o stare din listă.',
    freeMissing: 'Scrieți valoarea (câmpul este gol).',
    resolvedKeep: 'valoarea din master a fost păstrată',
    resolvedValue: 'noua valoare este „{value}” (revizia {revision})',
    merged: 'Îmbinarea #{id} s-a încheiat: {status}.',
    chartStates: 'Acțiuni după starea termenului',
    chartCriteria: 'Pe criterii CAF',
    chartUnits: 'Pe unități responsabile',
    progressNote: 'Starea fiecărei acțiuni la {today}: {total}.',
    mergeId: 'Nr.',
    started: 'Începută',
    trigger: 'Declanșată de',
    status: 'Stare',
    revisions: 'Revizii',
    submissions: 'Trimiteri',
    applied: 'Aplicate',
    conflictsCol: 'Conflicte',
    files: 'Fișiere',
    report: 'raport',
    workbook: 'registru',
    'trigger-schedule': 'programare',
    'trigger-manual': 'manual',
    'trigger-recovery': 'reluare',
    'merge-done': 'încheiată',
    'merge-empty': 'nimic de îmbinat',
    'merge-running': 'în curs',
    'merge-failed': 'eșuată',
    'merge-interrupted': 'întreruptă',
    noMerges: 'Nu a avut loc încă nicio îmbinare.',
    'field-status': 'Stare',
    'field-monitoring': 'Monitorizare și evaluare',
    'field-action': 'Acțiuni necesare',
    'field-result': 'Rezultate măsurabile',
    'field-owners': 'Responsabil',
    'field-deadline': 'Termen de realizare',
    'field-resources': 'Resurse necesare',
    'field-id': 'ID',
    error: 'Eroare: {message}',
    networkError: 'Serviciul nu răspunde. Verificați conexiunea și reîncărcați pagina.',
  },
  en: {
    skip: 'Skip to content',
    title: 'CAF improvement plan',
    plan: 'Plan',
    logout: 'Sign out',
    loginTitle: 'Coordinator sign-in',
    loginHelp:
      'Enter the coordinator’s access token (given when the service was installed, or by “caf-plan token create --coordinator”).',
    token: 'Access token',
    signIn: 'Sign in',
    loginFailed: 'The token is not valid or has been revoked.',
    notCoordinator: 'This page is the CAF coordinator’s; the token used belongs to a unit ({unit}).',
    summary: 'At a glance',
    reportLink: 'Monitoring report (printable)',
    overdueTitle: 'Overdue and due-soon actions',
    asOf: 'As of',
    show: 'Show',
    overdueNone: 'No overdue or due-soon action on {today}.',
    overdueCount: '{late}, {soon} due soon, on {today}.',
    daysLate: '{days} late',
    daysLeft: '{days} left',
    dayOne: 'day',
    dayMany: 'days',
    lateOne: 'overdue action',
    lateMany: 'overdue actions',
    soonOne: 'action',
    soonMany: 'actions',
    colAction: 'Action',
    colUnits: 'Units',
    colDeadline: 'Deadline',
    colLate: 'Late by',
    unowned: 'No known owner',
    sortLate: 'Sort by number of overdue actions',
    late: 'Overdue',
    link: 'Sign-in link',
    linkFor: 'Link for {unit}',
    linkMade: 'Sign-in link for {unit}, valid once until {when}: {url}',
    pendingMerge: 'Submitted – waits for the merge',
    inMerge: 'Nothing new since merge #{id}',
    neverSent: 'Never submitted',
    doneShare: '{pct}% done',
    appliedList: 'What it applied',
    mergeNow: 'Merge now',
    downloadCurrent: 'Download the current plan (.xlsx)',
    units: 'Units',
    conflicts: 'Open conflicts',
    progress: 'Progress',
    merges: 'Last merges',
    loading: 'Loading…',
    planLine: '{name} · revision {revision} · {actions}',
    revision: 'Current revision',
    lastMerge: 'Last merge',
    never: 'never',
    waiting: 'Submissions waiting',
    unitsSubmitted: 'of {total} units submitted since the last merge',
    openConflicts: 'Open conflicts',
    unit: 'Unit',
    cycle: 'Since the last merge',
    lastSubmission: 'Last submission',
    outcome: 'Outcome',
    inLastMerge: 'In the last merge',
    submitted: 'Submitted',
    notSubmitted: 'Not submitted',
    none: '—',
    'outcome-pending': 'waiting',
    'outcome-merged': 'merged',
    'outcome-superseded': 'superseded',
    'outcome-refused': 'refused',
    appliedOne: 'applied',
    appliedMany: 'applied',
    conflictOne: 'conflict',
    conflictMany: 'conflicts',
    actionOne: 'action',
    actionMany: 'actions',
    via: 'via {source}',
    noConflicts: 'There are no open conflicts.',
    row: 'Action {id}',
    wholeRow: 'the whole row',
    base: 'Value when the copy was issued',
    current: 'Value in the master',
    proposed: '{unit} proposes',
    empty: '(empty)',
    choose: 'Choose “{value}” ({unit})',
    keep: 'Keep the master’s value',
    keepRow: 'Close (the master stays as it is)',
    resolved: 'Resolved – {id}: {what}.',
    alsoClosed: 'The choice also closed: {list} (the same cell).',
    foundIn: 'found by the merge of {when}',
    notOffered:
      'The value {units} proposed is not valid for this column and cannot be chosen; type the right value below.',
    chooseStatus: '— choose —',
    freeStatus: 'Another status',
    freeText: 'Another value',
    freeSend: 'Write this value',
    freeStatusMissing: 'Choose a status from the list.',
    freeMissing: 'Type the value (the field is empty).',
    resolvedKeep: 'the master’s value was kept',
    resolvedValue: 'the new value is “{value}” (revision {revision})',
    merged: 'Merge #{id} finished: {status}.',
    chartStates: 'Actions by deadline state',
    chartCriteria: 'By CAF criterion',
    chartUnits: 'By responsible unit',
    progressNote: 'State of every action on {today}: {total}.',
    mergeId: 'No.',
    started: 'Started',
    trigger: 'Triggered by',
    status: 'Status',
    revisions: 'Revisions',
    submissions: 'Submissions',
    applied: 'Applied',
    conflictsCol: 'Conflicts',
    files: 'Files',
    report: 'report',
    workbook: 'workbook',
    'trigger-schedule': 'schedule',
    'trigger-manual': 'manual',
    'trigger-recovery': 'recovery',
    'merge-done': 'done',
    'merge-empty': 'nothing to merge',
    'merge-running': 'running',
    'merge-failed': 'failed',
    'merge-interrupted': 'interrupted',
    noMerges: 'No merge has run yet.',
    'field-status': 'Status',
    'field-monitoring': 'Monitoring and evaluation',
    'field-action': 'Actions',
    'field-result': 'Measurable results',
    'field-owners': 'Responsible',
    'field-deadline': 'Deadline',
    'field-resources': 'Resources',
    'field-id': 'ID',
    error: 'Error: {message}',
    networkError: 'The service does not answer. Check the connection and reload the page.',
  },
};

const STATE_ORDER = ['overdue', 'due-soon', 'on-track', 'recurring', 'done', 'invalid'];
const STATE_COLORS = {
  done: '#1a7f37',
  overdue: '#c62828',
  'due-soon': '#b7791f',
  'on-track': '#0b5cad',
  recurring: '#6e40c9',
  invalid: '#6b7280',
};

const app = {
  sortLate: false,
  today: null,
  lang: localStorage.getItem('caf-lang') === 'en' ? 'en' : 'ro',
  vocabulary: null,
  plans: [],
  planId: null,
  data: null,
};

// ------------------------------------------------------------------ helpers

function t(key, vars = {}) {
  const template = TEXT[app.lang][key] ?? TEXT.ro[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

/** An element with attributes and children (strings become text nodes). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) if (child !== null && child !== undefined) el.append(child);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children.flat(Infinity)) if (child !== null && child !== undefined) el.append(child);
  return el;
}

function when(iso) {
  if (!iso) return t('never');
  return new Intl.DateTimeFormat(app.lang === 'ro' ? 'ro-RO' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Europe/Bucharest',
  }).format(new Date(iso));
}

/** A count with its noun by the language's plural rules (Intl.PluralRules): 1 conflict, 2 conflicte, 20 de conflicte. */
function count(n, one, many) {
  const category = new Intl.PluralRules(app.lang === 'ro' ? 'ro-RO' : 'en-US').select(n);
  const shown = n.toLocaleString(app.lang === 'ro' ? 'ro-RO' : 'en-US');
  if (category === 'one') return `${shown} ${t(one)}`;
  return app.lang === 'ro' && category === 'other' ? `${shown} de ${t(many)}` : `${shown} ${t(many)}`;
}

function label(entry) {
  return entry ? entry[app.lang] : '';
}

function stateLabel(code) {
  return label(app.vocabulary.states.find((x) => x.code === code)) || code;
}

function say(text, isError = false) {
  const status = document.getElementById('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message_en ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
  text() {
    return app.lang === 'en' ? (this.body?.message_en ?? this.message) : (this.body?.message_ro ?? this.message);
  }
}

async function api(path, options = {}) {
  const headers = { accept: 'application/json' };
  // Writes with the session cookie carry the header the service checks against cross-site requests.
  if (options.method && options.method !== 'GET') headers['x-caf-csrf'] = '1';
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, { message_ro: TEXT.ro.networkError, message_en: TEXT.en.networkError });
  }
  if (res.status === 204) return null;
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

// ------------------------------------------------------------------ flow

function show(view) {
  document.getElementById('login').hidden = view !== 'login';
  document.getElementById('dashboard').hidden = view !== 'dashboard';
  document.getElementById('logout').hidden = view === 'login';
}

async function boot() {
  translateStatic();
  try {
    app.vocabulary ??= await api('/page-data/vocabulary.json');
    const session = await api('/page-data/session');
    if (session.role === null) {
      show('login');
      document.getElementById('token').focus();
      return;
    }
    if (session.role !== 'coordinator') {
      show('none');
      say(t('notCoordinator', { unit: session.unit }), true);
      return;
    }
    app.plans = await api('/api/plans');
    app.planId = app.plans.some((p) => p.id === app.planId) ? app.planId : (app.plans[0]?.id ?? null);
    renderPlanSelect();
    show('dashboard');
    await load();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      show('login');
      document.getElementById('token').focus();
      return;
    }
    say(error instanceof ApiError ? t('error', { message: error.text() }) : String(error), true);
  }
}

async function load() {
  if (!app.planId) return;
  const id = encodeURIComponent(app.planId);
  const [overview, progress, desk, merges] = await Promise.all([
    api(`/api/plans/${id}/overview`),
    api(`/api/plans/${id}/progress.json${app.today ? `?today=${app.today}` : ''}`),
    api(`/api/plans/${id}/desk`),
    api(`/api/plans/${id}/merges`),
  ]);
  const recent = merges.slice(0, 5);
  const reports = await Promise.all(
    recent.map((m) => (m.status === 'done' ? api(`/api/merges/${m.id}/report.json`).catch(() => null) : null)),
  );
  const refused = await Promise.all(
    overview.units.map((u) =>
      u.lastSubmission?.outcome === 'refused' ? api(`/api/submissions/${u.lastSubmission.id}`).catch(() => null) : null,
    ),
  );
  app.data = {
    overview,
    progress,
    conflicts: desk.open,
    superseded: desk.superseded,
    merges: recent,
    reports,
    refused,
  };
  render();
}

// ------------------------------------------------------------------ rendering

function translateStatic() {
  document.documentElement.lang = app.lang;
  document.title = `${t('title')} – ${app.lang === 'ro' ? 'coordonator' : 'coordinator'}`;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const toggle = document.getElementById('lang');
  toggle.textContent = app.lang === 'ro' ? 'English' : 'Română';
  toggle.lang = app.lang === 'ro' ? 'en' : 'ro';
}

function renderPlanSelect() {
  const select = document.getElementById('plan-select');
  select.replaceChildren(...app.plans.map((p) => h('option', { value: p.id, selected: p.id === app.planId }, p.name)));
  document.getElementById('plan-select-label').hidden = app.plans.length < 2;
}

function render() {
  translateStatic();
  if (!app.data) return;
  const { overview, progress } = app.data;
  document.getElementById('plan-line').textContent = t('planLine', {
    name: overview.plan.name,
    revision: overview.plan.currentRevision,
    actions: count(progress.rows.length, 'actionOne', 'actionMany'),
  });
  const download = document.getElementById('download-current');
  download.href = `/api/plans/${encodeURIComponent(overview.plan.id)}/current.xlsx`;
  renderSummary();
  renderOverdue();
  renderUnits();
  renderConflicts();
  renderProgress();
  renderMerges();
}

function renderSummary() {
  const { overview } = app.data;
  const submitted = overview.units.filter((u) => u.lastSubmission?.outcome === 'pending').length;
  const item = (term, value, small) =>
    h('div', {}, h('dt', {}, term), h('dd', {}, String(value), small ? h('small', {}, small) : null));
  document
    .getElementById('summary')
    .replaceChildren(
      item(t('revision'), overview.plan.currentRevision),
      item(
        t('lastMerge'),
        overview.lastMerge ? `#${overview.lastMerge.id}` : t('never'),
        overview.lastMerge ? when(overview.lastMerge.startedAt) : null,
      ),
      item(t('waiting'), submitted, t('unitsSubmitted', { total: overview.units.length })),
      item(t('openConflicts'), overview.openConflicts),
    );
}

/** The coordinator's first question: what is late, and whose. Overdue first (most days late on top), then due soon. */
function renderOverdue() {
  const { progress } = app.data;
  document.getElementById('asof').value = progress.today;
  const late = progress.rows.filter((r) => r.state === 'overdue').sort((a, b) => b.daysLate - a.daysLate);
  const soon = progress.rows.filter((r) => r.state === 'due-soon').sort((a, b) => a.daysLeft - b.daysLeft);
  const host = document.getElementById('overdue');
  if (late.length + soon.length === 0) {
    host.replaceChildren(h('p', { class: 'empty' }, t('overdueNone', { today: progress.today })));
    return;
  }
  const row = (r) =>
    h(
      'tr',
      { 'data-row': r.id, class: `state-${r.state}` },
      h('th', { scope: 'row' }, h('span', { class: 'row-id' }, r.id), h('span', { class: 'action-cell' }, r.action)),
      h('td', {}, r.owners.split(';').filter(Boolean).join(', ') || h('em', {}, t('unowned'))),
      h('td', {}, r.deadline),
      h(
        'td',
        { class: 'num' },
        h(
          'span',
          { class: `badge state ${r.state}` },
          r.state === 'overdue'
            ? t('daysLate', { days: count(r.daysLate, 'dayOne', 'dayMany') })
            : t('daysLeft', { days: count(r.daysLeft, 'dayOne', 'dayMany') }),
        ),
      ),
    );
  host.replaceChildren(
    h(
      'p',
      { class: 'note' },
      t('overdueCount', {
        late: count(late.length, 'lateOne', 'lateMany'),
        soon: count(soon.length, 'soonOne', 'soonMany'),
        today: progress.today,
      }),
    ),
    h(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'overdue-title' },
      h(
        'table',
        { id: 'overdue-table', class: 'stack' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('colAction')),
            h('th', { scope: 'col' }, t('colUnits')),
            h('th', { scope: 'col' }, t('colDeadline')),
            h('th', { scope: 'col', class: 'num' }, t('colLate')),
          ),
        ),
        h('tbody', {}, late.map(row), soon.map(row)),
      ),
    ),
  );
}

function lateCount(code) {
  return app.data.progress.byUnit[code]?.overdue ?? 0;
}

async function makeLink(unit, button) {
  button.disabled = true;
  try {
    const made = await api(`/api/plans/${encodeURIComponent(app.planId)}/unit-links`, {
      method: 'POST',
      body: { unit },
    });
    const box = document.getElementById('unit-link');
    box.hidden = false;
    box.textContent = t('linkMade', { unit, when: when(made.expiresAt), url: new URL(made.path, location.href).href });
    box.focus();
  } catch (error) {
    say(error instanceof ApiError ? t('error', { message: error.text() }) : String(error), true);
  } finally {
    button.disabled = false;
  }
}

function renderUnits() {
  const { overview, reports, refused } = app.data;
  const last = reports.find((r) => r) ?? null;
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      h('th', { scope: 'col' }, t('unit')),
      h('th', { scope: 'col' }, t('cycle')),
      h('th', { scope: 'col' }, t('lastSubmission')),
      h('th', { scope: 'col' }, t('outcome')),
      h('th', { scope: 'col' }, t('inLastMerge')),
      h('th', { scope: 'col', class: 'num' }, t('late')),
      h('th', { scope: 'col' }, t('link')),
    ),
  );
  const order = overview.units.map((u, i) => i);
  if (app.sortLate) order.sort((a, b) => lateCount(overview.units[b].code) - lateCount(overview.units[a].code));
  const body = h(
    'tbody',
    {},
    order.map((i) => {
      const u = overview.units[i];
      const sub = u.lastSubmission;
      const pending = sub?.outcome === 'pending';
      const counts = last?.counts.byUnit[u.code];
      const reason = refused[i]?.reason;
      return h(
        'tr',
        { 'data-unit': u.code },
        h('th', { scope: 'row' }, u.code, h('span', { class: 'unit-name' }, u.name)),
        h(
          'td',
          {},
          h(
            'span',
            { class: `badge ${pending ? 'pending' : 'none'}` },
            pending
              ? t('pendingMerge')
              : sub && overview.lastMerge
                ? t('inMerge', { id: overview.lastMerge.id })
                : sub
                  ? t('notSubmitted')
                  : t('neverSent'),
          ),
        ),
        h(
          'td',
          {},
          sub
            ? [when(sub.receivedAt), h('span', { class: 'unit-name' }, t('via', { source: channel(sub.source) }))]
            : t('none'),
        ),
        h(
          'td',
          {},
          sub ? h('span', { class: `badge ${sub.outcome}` }, t(`outcome-${sub.outcome}`)) : t('none'),
          reason ? h('span', { class: 'unit-name' }, label(reason)) : null,
        ),
        h(
          'td',
          {},
          counts
            ? `${count(counts.applied, 'appliedOne', 'appliedMany')} · ${count(counts.conflicts, 'conflictOne', 'conflictMany')}`
            : t('none'),
        ),
        h('td', { class: 'num' }, String(lateCount(u.code))),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'secondary small',
              'aria-label': t('linkFor', { unit: u.code }),
              onclick: (e) => makeLink(u.code, e.currentTarget),
            },
            t('link'),
          ),
        ),
      );
    }),
  );
  document.getElementById('units').replaceChildren(head, body);
}

function renderConflicts() {
  const { conflicts } = app.data;
  const host = document.getElementById('conflicts');
  if (conflicts.length === 0) {
    host.replaceChildren(h('p', { class: 'empty' }, t('noConflicts')));
    return;
  }
  host.replaceChildren(...conflicts.map(renderConflict));
}

function conflictTitle(c) {
  const column = c.column ? t(`field-${c.column}`) : t('wholeRow');
  return `${c.rowId ? t('row', { id: c.rowId }) : '—'} · ${column} · ${kindLabel(c.kind)}`;
}

function kindLabel(kind) {
  return label(app.vocabulary.conflictLabels[kind]) || kind;
}

function renderConflict(c) {
  const headingId = `conflict-${c.id}-title`;
  const show = (v) => (v === null || v === '' ? t('empty') : v);
  const by = (v) =>
    [v.unit, v.receivedAt ? when(v.receivedAt) : null, v.source ? t('via', { source: channel(v.source) }) : null]
      .filter(Boolean)
      .join(' · ');
  const facts = [
    c.action ? [h('dt', {}, t('field-action')), h('dd', {}, c.action.text)] : [],
    c.action
      ? [h('dt', {}, t('field-owners')), h('dd', {}, c.action.owners.join(', ') || c.action.ownersText || '—')]
      : [],
    c.base !== null ? [h('dt', {}, t('base')), h('dd', {}, show(c.base))] : [],
    c.current !== null
      ? [
          h('dt', {}, t('current')),
          h('dd', {}, show(c.current), h('span', { class: 'who' }, t('foundIn', { when: when(c.foundAt) }))),
        ]
      : [],
    c.values.map((v) => [
      h('dt', {}, t('proposed', { unit: v.unit })),
      h('dd', {}, show(v.value), h('span', { class: 'who' }, by(v))),
    ]),
  ];
  // A proposal the resolution would refuse (an unknown status) is shown above, never offered as a button.
  const notOffered = c.free === null ? [] : c.values.filter((v) => !c.choices.some((x) => x.units.includes(v.unit)));
  const freeId = `conflict-${c.id}-free`;
  const freeError = `conflict-${c.id}-free-error`;
  let free = null;
  if (c.free === 'status') {
    free = h(
      'select',
      { id: freeId, 'aria-describedby': freeError },
      h('option', { value: '' }, t('chooseStatus')),
      app.vocabulary.statuses.map((st) =>
        h('option', { value: st.ro }, app.lang === 'ro' ? st.ro : `${st.ro} – ${st.en}`),
      ),
    );
  } else if (c.free === 'text') {
    free = h('textarea', { id: freeId, rows: 2, 'aria-describedby': freeError, maxlength: 32767 });
  }
  return h(
    'article',
    { class: 'conflict', 'aria-labelledby': headingId, 'data-conflict': c.id },
    h('h3', { id: headingId }, conflictTitle(c)),
    h('p', { class: 'message' }, label(c.message)),
    h('dl', {}, facts),
    notOffered.length
      ? h('p', { class: 'note' }, t('notOffered', { units: notOffered.map((v) => v.unit).join(', ') }))
      : null,
    h(
      'div',
      { class: 'choices', role: 'group', 'aria-labelledby': headingId },
      c.choices.map((x) =>
        h(
          'button',
          { type: 'button', onclick: (e) => resolve(c, { value: x.value }, e.currentTarget) },
          t('choose', { value: show(x.value), unit: x.units.join(', ') }),
        ),
      ),
      h(
        'button',
        { type: 'button', class: 'secondary', onclick: (e) => resolve(c, { keep: true }, e.currentTarget) },
        c.free === null ? t('keepRow') : t('keep'),
      ),
    ),
    free
      ? h(
          'form',
          {
            class: 'free',
            novalidate: true,
            onsubmit: (e) => {
              e.preventDefault();
              const field = e.currentTarget.querySelector(`#${freeId}`);
              const error = e.currentTarget.querySelector(`#${freeError}`);
              const value = field.value.trim();
              if (value === '') {
                error.textContent = c.free === 'status' ? t('freeStatusMissing') : t('freeMissing');
                field.setAttribute('aria-invalid', 'true');
                field.focus();
                return;
              }
              field.removeAttribute('aria-invalid');
              error.textContent = '';
              void resolve(c, { value }, e.currentTarget.querySelector('button'));
            },
          },
          h('label', { for: freeId }, c.free === 'status' ? t('freeStatus') : t('freeText')),
          free,
          h('button', { type: 'submit', class: 'secondary' }, t('freeSend')),
          h('p', { id: freeError, class: 'error', role: 'alert' }),
        )
      : null,
  );
}

function channel(source) {
  return label(app.vocabulary.channels[source]) || source;
}

/** The outcome replaces the card where the user pressed, and takes the focus; the list then drops the conflict. */
async function resolve(conflict, body, button) {
  const card = button.closest('article.conflict');
  for (const b of card.querySelectorAll('button')) b.disabled = true;
  try {
    const done = await api(`/api/conflicts/${conflict.id}/resolve`, { method: 'POST', body });
    const what =
      done.resolution === 'keep'
        ? t('resolvedKeep')
        : t('resolvedValue', { value: done.resolvedValue, revision: done.resolvedRevision });
    await load();
    const closed =
      done.resolvedRevision === null
        ? []
        : app.data.superseded.filter((c) => c.supersededBy === done.resolvedRevision && c.id !== conflict.id);
    const outcome = h(
      'div',
      { id: 'desk-outcome', class: 'outcome', role: 'status', tabindex: '-1' },
      h('p', {}, t('resolved', { id: conflictTitle(conflict), what })),
      closed.length ? h('p', {}, t('alsoClosed', { list: closed.map((c) => conflictTitle(c)).join('; ') })) : null,
    );
    const host = document.getElementById('conflicts');
    host.prepend(outcome);
    outcome.scrollIntoView({ block: 'center' });
    outcome.focus();
  } catch (error) {
    for (const b of card.querySelectorAll('button')) b.disabled = false;
    const message = error instanceof ApiError ? t('error', { message: error.text() }) : String(error);
    const note =
      card.querySelector('.card-error') ?? h('p', { class: 'error card-error', role: 'alert', tabindex: '-1' });
    note.textContent = message;
    card.append(note);
    note.focus();
  }
}

/**
 * Horizontal stacked bars, one row per label, segments by deadline state, the label in full above its bar (no
 * truncation, readable at 400 px), the share done after it; accessible as an image with a text description.
 */
function stackedBars(id, caption, rows, width = 520) {
  const totalWidth = 120;
  const rowHeight = 44;
  const barHeight = 18;
  const totalOf = (r) => STATE_ORDER.reduce((n, k) => n + (r.counts[k] ?? 0), 0);
  const max = Math.max(1, ...rows.map(totalOf));
  const scale = (width - totalWidth) / max;
  const height = rows.length * rowHeight + 4;
  const captionId = `${id}-caption`;
  const descId = `${id}-desc`;
  const share = (r) => {
    const total = totalOf(r);
    return total ? Math.round((100 * (r.counts.done ?? 0)) / total) : 0;
  };
  const description = rows
    .map(
      (r) =>
        `${r.label}: ${
          STATE_ORDER.filter((k) => r.counts[k])
            .map((k) => `${r.counts[k]} ${stateLabel(k)}`)
            .join(', ') || 0
        } (${t('doneShare', { pct: share(r) })})`,
    )
    .join('; ');
  const svg = s(
    'svg',
    {
      class: 'chart',
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-labelledby': `${captionId} ${descId}`,
    },
    s('desc', { id: descId }, description),
    rows.map((r, i) => {
      const top = i * rowHeight + 2;
      const y = top + 18;
      let x = 0;
      const segments = STATE_ORDER.filter((k) => r.counts[k]).map((k) => {
        const w = r.counts[k] * scale;
        const g = s(
          'g',
          {},
          s(
            'rect',
            { x, y, width: Math.max(w, 1), height: barHeight, fill: STATE_COLORS[k], rx: 2 },
            s('title', {}, `${r.label} – ${stateLabel(k)}: ${r.counts[k]}`),
          ),
          w >= 18
            ? s('text', { class: 'count', x: x + w / 2, y: y + 13, 'text-anchor': 'middle' }, String(r.counts[k]))
            : null,
        );
        x += w;
        return g;
      });
      const total = totalOf(r);
      return s(
        'g',
        { 'data-label': r.label, 'data-total': total, 'data-done': share(r) },
        s('text', { class: 'bar-label', x: 0, y: top + 13 }, r.label),
        segments,
        s('text', { x: x + 6, y: y + 13 }, `${total} · ${t('doneShare', { pct: share(r) })}`),
      );
    }),
  );
  const figure = document.getElementById(id);
  figure.replaceChildren(h('figcaption', { id: captionId }, caption), svg);
}

function renderProgress() {
  const { progress } = app.data;
  const total = {};
  for (const row of progress.rows) total[row.state] = (total[row.state] ?? 0) + 1;
  document.getElementById('progress-note').textContent = t('progressNote', {
    today: progress.today,
    total: count(progress.rows.length, 'actionOne', 'actionMany'),
  });
  document.getElementById('legend').replaceChildren(
    ...STATE_ORDER.map((k) => {
      const span = h('span', {}, `${stateLabel(k)} (${total[k] ?? 0})`);
      span.style.setProperty('--swatch', STATE_COLORS[k]);
      return span;
    }),
  );
  stackedBars(
    'chart-states',
    t('chartStates'),
    STATE_ORDER.map((k) => ({ label: stateLabel(k), counts: { [k]: total[k] ?? 0 } })),
  );
  stackedBars(
    'chart-criteria',
    t('chartCriteria'),
    app.vocabulary.criteria
      .filter((c) => progress.byCriterion[c.code])
      .map((c) => ({ label: `${c.code}. ${label(c)}`, counts: progress.byCriterion[c.code] })),
  );
  stackedBars(
    'chart-units',
    t('chartUnits'),
    [
      ...Object.keys(progress.byUnit)
        .sort()
        .map((code) => ({ label: code, counts: progress.byUnit[code] })),
      // Actions whose owners name no unit of the legend get their own bar instead of dropping out.
      ...(Object.keys(progress.unowned ?? {}).length ? [{ label: t('unowned'), counts: progress.unowned }] : []),
    ],
    520,
  );
}

function renderMerges() {
  const { merges, reports } = app.data;
  const table = document.getElementById('merges');
  if (merges.length === 0) {
    table.replaceChildren(h('caption', { class: 'empty' }, t('noMerges')));
    return;
  }
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      h('th', { scope: 'col', class: 'num' }, t('mergeId')),
      h('th', { scope: 'col' }, t('started')),
      h('th', { scope: 'col' }, t('trigger')),
      h('th', { scope: 'col' }, t('status')),
      h('th', { scope: 'col' }, t('revisions')),
      h('th', { scope: 'col', class: 'num' }, t('submissions')),
      h('th', { scope: 'col', class: 'num' }, t('applied')),
      h('th', { scope: 'col', class: 'num' }, t('conflictsCol')),
      h('th', { scope: 'col' }, t('files')),
    ),
  );
  const body = h(
    'tbody',
    {},
    merges.map((m, i) => {
      const report = reports[i];
      const statusClass =
        m.status === 'done' ? 'merged' : m.status === 'failed' || m.status === 'interrupted' ? 'failed' : 'none';
      return h(
        'tr',
        {},
        h('td', { class: 'num' }, `#${m.id}`),
        h('td', {}, when(m.startedAt)),
        h('td', {}, t(`trigger-${m.trigger}`)),
        h('td', {}, h('span', { class: `badge ${statusClass}` }, t(`merge-${m.status}`))),
        h('td', {}, m.newRevision ? `${m.currentRevision} → ${m.newRevision}` : String(m.currentRevision)),
        h('td', { class: 'num' }, report ? String(report.submissions.length) : t('none')),
        h('td', { class: 'num' }, report ? String(report.counts.applied) : t('none')),
        h('td', { class: 'num' }, report ? String(report.counts.conflicts) : t('none')),
        h(
          'td',
          {},
          report ? h('a', { href: `/api/merges/${m.id}/report.json` }, t('report')) : null,
          m.mergedBlob ? [' · ', h('a', { href: `/api/merges/${m.id}/merged.xlsx` }, t('workbook'))] : null,
        ),
      );
    }),
  );
  table.replaceChildren(head, body);
}

// ------------------------------------------------------------------ events

function wire() {
  document.getElementById('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = document.getElementById('token');
    const error = document.getElementById('login-error');
    error.textContent = '';
    try {
      await api('/api/session', { method: 'POST', body: { token: input.value.trim() } });
      input.value = '';
      await boot();
      document.getElementById('main').focus();
    } catch (e) {
      error.textContent =
        e instanceof ApiError && e.status === 401 ? t('loginFailed') : e instanceof ApiError ? e.text() : String(e);
    }
  });
  document.getElementById('logout').addEventListener('click', async () => {
    await api('/api/session', { method: 'DELETE' }).catch(() => null);
    app.data = null;
    say('');
    show('login');
  });
  document.getElementById('lang').addEventListener('click', () => {
    app.lang = app.lang === 'ro' ? 'en' : 'ro';
    localStorage.setItem('caf-lang', app.lang);
    if (app.data) render();
    else translateStatic();
  });
  document.getElementById('sort-late').addEventListener('click', (event) => {
    app.sortLate = !app.sortLate;
    event.currentTarget.setAttribute('aria-pressed', String(app.sortLate));
    if (app.data) renderUnits();
  });
  document.getElementById('asof-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = document.getElementById('asof').value;
    app.today = /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
    await load().catch((error) =>
      say(error instanceof ApiError ? t('error', { message: error.text() }) : String(error), true),
    );
  });
  document.getElementById('plan-select').addEventListener('change', async (event) => {
    app.planId = event.target.value;
    await load().catch((error) =>
      say(error instanceof ApiError ? t('error', { message: error.text() }) : String(error), true),
    );
  });
  document.getElementById('merge-now').addEventListener('click', async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      const merge = await api(`/api/plans/${encodeURIComponent(app.planId)}/merges`, { method: 'POST' });
      await load();
      say(t('merged', { id: merge.id, status: t(`merge-${merge.status}`) }));
    } catch (error) {
      say(error instanceof ApiError ? t('error', { message: error.text() }) : String(error), true);
    } finally {
      button.disabled = false;
    }
  });
}

// A module script runs after the document is parsed: the elements are there.
wire();
void boot();
