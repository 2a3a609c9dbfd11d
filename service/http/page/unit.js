/* global document, localStorage, fetch, location, history, URLSearchParams, Blob, CSS */
// The department page: a unit without the add-in signs in (its token, or a one-time link from the coordinator),
// sees its actions, edits the columns units may edit and sends them as JSON rows through the submissions API, or
// uploads its filled-in copy. The receipt says what the next merge will apply and refuse. Values from workbooks are
// only ever put in the page as text nodes.

const TEXT = {
  ro: {
    skip: 'Sari la conținut',
    title: 'Planul de îmbunătățire CAF',
    logout: 'Ieșire',
    loginTitle: 'Autentificare unitate',
    loginHelp:
      'Introduceți tokenul de acces al unității, primit de la coordonatorul CAF, sau deschideți linkul de autentificare primit de la acesta.',
    token: 'Token de acces',
    signIn: 'Intră',
    loginFailed: 'Tokenul nu este valid sau a fost revocat.',
    coordinatorHere:
      'Sunteți autentificat ca coordonator: pagina unităților cere tokenul unei unități. Pagina coordonatorului este la „/”.',
    planLine: '{plan} · {unit} ({name}) · revizia {revision}',
    rowsTitle: 'Acțiunile unității',
    rowsNote: '{count} la {today}. Puteți modifica: {fields}.',
    action: 'Acțiunea {id}',
    result: 'Rezultate măsurabile',
    deadline: 'Termen',
    owners: 'Responsabili',
    lateBy: '{days} întârziere',
    leftDays: 'mai sunt {days}',
    day: 'zi',
    days: 'zile',
    actions: 'acțiuni',
    actionOne: 'acțiune',
    noStatus: '(fără stare)',
    currentFree: '{value} (valoarea actuală, din afara listei)',
    submit: 'Trimite la coordonator',
    changedNone: 'Nicio modificare încă.',
    changed: '{count} de trimis.',
    rowOne: 'rând modificat',
    rowsMany: 'rânduri modificate',
    nothingToSend: 'Nu ați modificat nimic: nu este nimic de trimis.',
    sending: 'Se trimite…',
    receiptTitle: 'Confirmarea trimiterii',
    receiptWhen: 'Primită la {when} ({id}).',
    duplicate: 'Aceleași date fuseseră deja primite; aceasta este confirmarea de atunci.',
    willApply: 'Se vor aplica la următoarea îmbinare',
    refused: 'Refuzate',
    change: '{id} · {column}: „{from}” → „{to}”',
    empty: '(gol)',
    uploadTitle: 'Sau trimiteți copia completată (.xlsx)',
    uploadHelp:
      'Copia unității descărcată din serviciu, completată în Excel, LibreOffice sau Google Sheets (descărcată ca .xlsx).',
    downloadCopy: 'Descarcă copia unității (.xlsx)',
    dropLabel: 'Trageți fișierul aici sau alegeți-l',
    notXlsx: 'Fișierul „{name}” nu este un registru .xlsx.',
    uploading: 'Se trimite fișierul „{name}”…',
    pending: 'O trimitere a unității așteaptă următoarea îmbinare (primită la {when}).',
    error: 'Eroare: {message}',
    networkError: 'Serviciul nu răspunde. Verificați conexiunea și reîncărcați pagina.',
  },
  en: {
    skip: 'Skip to content',
    title: 'CAF improvement plan',
    logout: 'Sign out',
    loginTitle: 'Department sign-in',
    loginHelp: 'Enter your unit’s access token, given by the CAF coordinator, or open the sign-in link they sent you.',
    token: 'Access token',
    signIn: 'Sign in',
    loginFailed: 'The token is not valid or has been revoked.',
    coordinatorHere:
      'You are signed in as the coordinator: the department page needs a unit’s token. The coordinator’s page is at “/”.',
    planLine: '{plan} · {unit} ({name}) · revision {revision}',
    rowsTitle: 'Your unit’s actions',
    rowsNote: '{count} on {today}. You can change: {fields}.',
    action: 'Action {id}',
    result: 'Measurable results',
    deadline: 'Deadline',
    owners: 'Owners',
    lateBy: '{days} late',
    leftDays: '{days} left',
    day: 'day',
    days: 'days',
    actions: 'actions',
    actionOne: 'action',
    noStatus: '(no status)',
    currentFree: '{value} (current value, not in the list)',
    submit: 'Send to the coordinator',
    changedNone: 'No change yet.',
    changed: '{count} to send.',
    rowOne: 'changed row',
    rowsMany: 'changed rows',
    nothingToSend: 'You changed nothing: there is nothing to send.',
    sending: 'Sending…',
    receiptTitle: 'Submission receipt',
    receiptWhen: 'Received at {when} ({id}).',
    duplicate: 'The same data had been received already; this is the receipt from then.',
    willApply: 'Will be applied at the next merge',
    refused: 'Refused',
    change: '{id} · {column}: “{from}” → “{to}”',
    empty: '(empty)',
    uploadTitle: 'Or send your filled-in copy (.xlsx)',
    uploadHelp:
      'Your unit’s copy downloaded from the service, filled in with Excel, LibreOffice or Google Sheets (downloaded as .xlsx).',
    downloadCopy: 'Download your unit’s copy (.xlsx)',
    dropLabel: 'Drop the file here or choose it',
    notXlsx: 'The file “{name}” is not an .xlsx workbook.',
    uploading: 'Sending the file “{name}”…',
    pending: 'A submission of your unit waits for the next merge (received at {when}).',
    error: 'Error: {message}',
    networkError: 'The service does not answer. Check the connection and reload the page.',
  },
};

/** The columns this page can edit; others a plan makes editable are edited in the copy. */
const PAGE_FIELDS = ['status', 'monitoring'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const app = {
  lang: localStorage.getItem('caf-lang') === 'en' ? 'en' : 'ro',
  vocabulary: null,
  planId: null,
  data: null,
  receipt: null,
};

function t(key, vars = {}) {
  const template = TEXT[app.lang][key] ?? TEXT.ro[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

/** A count with its noun by the language's plural rules: 1 zi, 2 zile, 20 de zile. */
function count(n, one, many) {
  const category = new Intl.PluralRules(app.lang === 'ro' ? 'ro-RO' : 'en-US').select(n);
  const shown = n.toLocaleString(app.lang === 'ro' ? 'ro-RO' : 'en-US');
  if (category === 'one') return `${shown} ${t(one)}`;
  return app.lang === 'ro' && category === 'other' ? `${shown} de ${t(many)}` : `${shown} ${t(many)}`;
}

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

function when(iso) {
  return new Intl.DateTimeFormat(app.lang === 'ro' ? 'ro-RO' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Europe/Bucharest',
  }).format(new Date(iso));
}

const label = (entry) => (entry ? entry[app.lang] : '');
// Column names come from the plan's own table (plan/model FIELD_LABELS), served with the vocabulary.
const field = (f) => label(app.vocabulary.fields[f]) || f;

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
const errorText = (error) => (error instanceof ApiError ? t('error', { message: error.text() }) : String(error));

async function api(path, options = {}) {
  const headers = { accept: 'application/json', ...(options.headers ?? {}) };
  if (options.method && options.method !== 'GET') headers['x-caf-csrf'] = '1';
  let body = options.body;
  if (body !== undefined && !(body instanceof Blob) && !(body instanceof ArrayBuffer)) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method: options.method ?? 'GET', headers, credentials: 'same-origin', body });
  } catch {
    throw new ApiError(0, { message_ro: TEXT.ro.networkError, message_en: TEXT.en.networkError });
  }
  if (res.status === 204) return null;
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

// ------------------------------------------------------------------ flow

function show(view) {
  document.getElementById('login').hidden = view !== 'login';
  document.getElementById('unit-view').hidden = view !== 'unit';
  document.getElementById('logout').hidden = view !== 'unit';
}

async function boot() {
  translateStatic();
  try {
    app.vocabulary ??= await api('/page-data/vocabulary.json');
    const code = new URLSearchParams(location.search).get('code');
    if (code) {
      // The code is spent at once; the address bar must not keep it (history, a shared screen).
      history.replaceState(null, '', location.pathname);
      try {
        const opened = await api('/api/unit-session', { method: 'POST', body: { code } });
        app.planId = opened.planId;
      } catch (error) {
        show('login');
        document.getElementById('login-error').textContent = errorText(error);
        return;
      }
    }
    const session = await api('/page-data/session');
    if (session.role !== 'unit') {
      show('login');
      if (session.role === 'coordinator') say(t('coordinatorHere'));
      return;
    }
    if (!app.planId) {
      const plans = await api('/api/plans');
      app.planId = plans[0]?.id ?? null;
    }
    await load();
    show('unit');
  } catch (error) {
    say(errorText(error), true);
  }
}

async function load() {
  app.data = await api(`/api/plans/${encodeURIComponent(app.planId)}/unit-rows`);
  render();
  const pending = app.data.pending;
  if (pending && !app.receipt) say(t('pending', { when: when(pending.receivedAt) }));
}

// ------------------------------------------------------------------ rendering

function translateStatic() {
  document.documentElement.lang = app.lang;
  document.title = `${t('title')} – ${app.lang === 'ro' ? 'pagina unității' : 'department page'}`;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const toggle = document.getElementById('lang');
  toggle.textContent = app.lang === 'ro' ? 'English' : 'Română';
  toggle.lang = app.lang === 'ro' ? 'en' : 'ro';
}

function stateName(code) {
  return label(app.vocabulary.states.find((s) => s.code === code)) || code;
}

function editableHere() {
  return PAGE_FIELDS.filter((f) => app.data.plan.editable.includes(f));
}

function render() {
  translateStatic();
  if (!app.data) return;
  const { plan, unit, rows, today } = app.data;
  document.getElementById('plan-line').textContent = t('planLine', {
    plan: plan.name,
    unit: unit.code,
    name: unit.name,
    revision: plan.revision,
  });
  document.getElementById('rows-note').textContent = t('rowsNote', {
    count: count(rows.length, 'actionOne', 'actions'),
    today,
    fields: editableHere().map(field).join(', '),
  });
  document.getElementById('download-copy').href =
    `/api/plans/${encodeURIComponent(plan.id)}/copies/${encodeURIComponent(unit.code)}.xlsx`;
  const editable = editableHere();
  document.getElementById('rows').replaceChildren(...rows.map((row) => renderRow(row, editable)));
  renderReceipt();
  updateChanged();
}

function renderRow(row, editable) {
  const headingId = `row-${row.id}-title`;
  const late =
    row.daysLate !== null
      ? t('lateBy', { days: count(row.daysLate, 'day', 'days') })
      : row.daysLeft !== null
        ? t('leftDays', { days: count(row.daysLeft, 'day', 'days') })
        : null;
  const controls = [];
  if (editable.includes('status')) {
    const id = `status-${row.id}`;
    const known = app.data.statuses.some((s) => s.ro === row.status);
    const options = [
      h('option', { value: '', selected: row.status === '' }, t('noStatus')),
      !known && row.status !== ''
        ? h('option', { value: row.status, selected: true }, t('currentFree', { value: row.status }))
        : null,
      app.data.statuses.map((s) =>
        h(
          'option',
          { value: s.ro, selected: s.ro === row.status, lang: 'ro' },
          app.lang === 'ro' ? s.ro : `${s.ro} – ${s.en}`,
        ),
      ),
    ];
    controls.push(
      h(
        'div',
        { class: 'field' },
        h('label', { for: id }, field('status')),
        h(
          'select',
          { id, 'data-row': row.id, 'data-field': 'status', 'data-original': row.status, onchange: updateChanged },
          options,
        ),
      ),
    );
  }
  if (editable.includes('monitoring')) {
    const id = `monitoring-${row.id}`;
    const area = h('textarea', {
      id,
      rows: 3,
      'data-row': row.id,
      'data-field': 'monitoring',
      'data-original': row.monitoring,
      oninput: updateChanged,
    });
    area.value = row.monitoring;
    controls.push(h('div', { class: 'field' }, h('label', { for: id }, field('monitoring')), area));
  }
  return h(
    'article',
    { class: `unit-row state-${row.state}`, 'aria-labelledby': headingId, 'data-row': row.id },
    h('h3', { id: headingId }, t('action', { id: row.id })),
    h('p', { class: 'action-text' }, row.action),
    h(
      'dl',
      { class: 'facts' },
      row.result ? [h('dt', {}, t('result')), h('dd', {}, row.result)] : null,
      h('dt', {}, t('deadline')),
      h(
        'dd',
        {},
        row.deadline || '—',
        ' ',
        h('span', { class: `badge state ${row.state}` }, stateName(row.state)),
        late ? h('span', { class: 'late' }, ` ${late}`) : null,
      ),
      h('dt', {}, t('owners')),
      h('dd', {}, row.owners.split(';').filter(Boolean).join(', ') || '—'),
    ),
    controls,
  );
}

function changedRows() {
  const byRow = new Map();
  for (const el of document.querySelectorAll('#rows [data-field]')) {
    if (el.value === el.dataset.original) continue;
    const values = byRow.get(el.dataset.row) ?? {};
    values[el.dataset.field] = el.value;
    byRow.set(el.dataset.row, values);
  }
  return [...byRow].map(([id, values]) => ({ id, values }));
}

function updateChanged() {
  const n = changedRows().length;
  document.getElementById('changed').textContent =
    n === 0 ? t('changedNone') : t('changed', { count: count(n, 'rowOne', 'rowsMany') });
}

function showValue(v) {
  return v === null || v === undefined || v === '' ? t('empty') : v;
}

function renderReceipt() {
  const section = document.getElementById('receipt');
  const r = app.receipt;
  section.hidden = !r;
  if (!r) return;
  const list = (items, text) =>
    h(
      'ul',
      {},
      items.map((x) => h('li', {}, text(x))),
    );
  const parts = [
    h('p', { class: 'receipt-message' }, label(r.message)),
    h('p', { class: 'note' }, t('receiptWhen', { when: when(r.receivedAt), id: `#${r.submission}` })),
    r.duplicate ? h('p', { class: 'note' }, t('duplicate')) : null,
    r.willApply.length
      ? [
          h('h3', {}, `${t('willApply')} (${r.willApply.length})`),
          list(r.willApply, (c) =>
            t('change', { id: c.rowId, column: field(c.column), from: showValue(c.from), to: showValue(c.to) }),
          ),
        ]
      : null,
    r.refused.length
      ? [
          h('h3', {}, `${t('refused')} (${r.refused.length})`),
          list(r.refused, (c) => [
            h(
              'strong',
              {},
              `${c.rowId ?? '—'} · ${c.column ? field(c.column) : ''} · ${label(app.vocabulary.conflictLabels[c.kind])}`,
            ),
            h('br'),
            label(c.message),
          ]),
        ]
      : null,
  ];
  document.getElementById('receipt-body').replaceChildren(...parts.flat(Infinity).filter(Boolean));
}

/** The receipt appears at the top, and focus moves to it, so a screen reader reads it and a sighted user sees it. */
async function showReceipt(receipt) {
  app.receipt = receipt;
  say('');
  await load();
  const section = document.getElementById('receipt');
  section.scrollIntoView({ block: 'start' });
  section.focus();
}

// ------------------------------------------------------------------ events

async function uploadFile(file) {
  if (!/\.xlsx$/i.test(file.name)) {
    say(t('notXlsx', { name: file.name }), true);
    return;
  }
  say(t('uploading', { name: file.name }));
  try {
    const receipt = await api(`/api/plans/${encodeURIComponent(app.planId)}/submissions`, {
      method: 'POST',
      body: await file.arrayBuffer(),
      headers: { 'content-type': XLSX, 'x-file-name': encodeURIComponent(file.name) },
    });
    await showReceipt(receipt);
  } catch (error) {
    say(errorText(error), true);
  }
}

function wire() {
  document.getElementById('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = document.getElementById('token');
    const error = document.getElementById('login-error');
    error.textContent = '';
    try {
      await api('/api/session', { method: 'POST', body: { token: input.value.trim() } });
      input.value = '';
      say('');
      await boot();
      document.getElementById('main').focus();
    } catch (e) {
      error.textContent = e instanceof ApiError && e.status === 401 ? t('loginFailed') : errorText(e);
    }
  });
  document.getElementById('logout').addEventListener('click', async () => {
    await api('/api/session', { method: 'DELETE' }).catch(() => null);
    app.data = null;
    app.receipt = null;
    say('');
    show('login');
  });
  document.getElementById('lang').addEventListener('click', () => {
    app.lang = app.lang === 'ro' ? 'en' : 'ro';
    localStorage.setItem('caf-lang', app.lang);
    if (app.data) {
      // Keep what was typed: re-rendering starts from the service's values, so carry the edits over.
      const edits = changedRows();
      render();
      for (const { id, values } of edits)
        for (const [f, v] of Object.entries(values)) {
          const el = document.querySelector(`#rows [data-row="${CSS.escape(id)}"][data-field="${f}"]`);
          if (el) el.value = v;
        }
      updateChanged();
    } else translateStatic();
  });
  document.getElementById('rows-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const rows = changedRows();
    if (rows.length === 0) {
      say(t('nothingToSend'));
      return;
    }
    const button = document.getElementById('submit');
    button.disabled = true;
    say(t('sending'));
    try {
      const receipt = await api(`/api/plans/${encodeURIComponent(app.planId)}/submissions`, {
        method: 'POST',
        body: { unit: app.data.unit.code, baseRevision: app.data.plan.revision, rows },
      });
      await showReceipt(receipt);
    } catch (error) {
      say(errorText(error), true);
    } finally {
      button.disabled = false;
    }
  });
  document.getElementById('file').addEventListener('change', (event) => {
    const file = event.target.files?.[0];
    if (file) void uploadFile(file);
    event.target.value = '';
  });
  const drop = document.getElementById('drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const file = event.dataTransfer?.files?.[0];
    if (file) void uploadFile(file);
  });
}

wire();
void boot();
