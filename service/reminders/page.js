/* global document, fetch, MutationObserver, Node */
// The reminders' section of the coordinator's page, its own module so the page only mounts it: whether e-mail is
// on (and why not), messages that failed or were refused, the units' addresses (editable; shown to the coordinator
// only) and the last messages. Values are put in the page as text nodes only.

const TEXT = {
  ro: {
    title: 'Mementouri prin e-mail și calendare',
    on: 'Mementourile sunt pornite: {cron} ({tz}).',
    problems: 'Mesaje netrimise sau refuzate: {n}.',
    refused: 'Adrese refuzate de serverul de e-mail',
    unit: 'Unitate',
    emails: 'Adrese de e-mail (separate prin virgulă)',
    lang: 'Limba',
    save: 'Salvează',
    saved: 'Adresele unității {unit} au fost salvate.',
    feed: 'Link calendar',
    feedMade: 'Adresa calendarului {unit} (afișată o singură dată; se abonează din Outlook sau Google Calendar): {url}',
    log: 'Ultimele mesaje',
    day: 'Ziua',
    status: 'Stare',
    subject: 'Subiect',
    none: 'Niciun mesaj încă.',
    'status-claimed': 'în curs',
    'status-sent': 'trimis',
    'status-retrying': 'se reîncearcă',
    'status-failed': 'netrimis',
    'status-refused': 'refuzat',
  },
  en: {
    title: 'E-mail reminders and calendars',
    on: 'Reminders are on: {cron} ({tz}).',
    problems: 'Messages not sent or refused: {n}.',
    refused: 'Addresses the mail server refused',
    unit: 'Unit',
    emails: 'E-mail addresses (comma separated)',
    lang: 'Language',
    save: 'Save',
    saved: 'The addresses of {unit} were saved.',
    feed: 'Calendar link',
    feedMade: 'The calendar address of {unit} (shown once; subscribe to it in Outlook or Google Calendar): {url}',
    log: 'Last messages',
    day: 'Day',
    status: 'Status',
    subject: 'Subject',
    none: 'No message yet.',
    'status-claimed': 'in progress',
    'status-sent': 'sent',
    'status-retrying': 'retrying',
    'status-failed': 'not sent',
    'status-refused': 'refused',
  },
};

const section = document.getElementById('reminders');

function lang() {
  return document.documentElement.lang === 'en' ? 'en' : 'ro';
}

function t(key, values = {}) {
  return (TEXT[lang()][key] ?? key).replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function api(path, options = {}) {
  const headers = { accept: 'application/json' };
  if (options.body) headers['content-type'] = 'application/json';
  if (options.method && options.method !== 'GET') headers['x-caf-csrf'] = '1';
  const res = await fetch(path, { credentials: 'same-origin', ...options, headers });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(lang() === 'en' ? body.message_en : body.message_ro);
  return body;
}

async function planId() {
  const select = document.getElementById('plan-select');
  if (select && select.value) return select.value;
  const plans = await api('/api/plans');
  return plans[0]?.id ?? null;
}

async function render() {
  if (!section || document.getElementById('dashboard')?.hidden) return;
  const id = await planId();
  if (!id) return;
  const at = `/api/plans/${encodeURIComponent(id)}`;
  const [state, contacts] = await Promise.all([api(`${at}/reminders`), api(`${at}/contacts`)]);
  const note = el('p', { class: state.mail.on ? 'note' : 'error', id: 'reminders-mail' });
  note.textContent = state.mail.on
    ? t('on', { cron: state.mail.cron, tz: state.mail.timezone })
    : state.mail.off[lang()];
  const out = el('p', { class: 'status', role: 'status', id: 'reminders-status' });
  const parts = [el('h2', {}, t('title')), note, out];
  if (state.problems > 0)
    parts.push(el('p', { class: 'error', id: 'reminders-problems' }, t('problems', { n: state.problems })));
  if (state.refusedAddresses.length > 0) {
    const list = el('ul', { id: 'reminders-refused' });
    for (const r of state.refusedAddresses) list.append(el('li', {}, `${r.unit}: ${r.email} — ${r.reason ?? ''}`));
    parts.push(el('h3', {}, t('refused')), list);
  }
  const table = el('table', { id: 'reminders-contacts' });
  table.append(
    el('tr', {}, el('th', {}, t('unit')), el('th', {}, t('emails')), el('th', {}, t('lang')), el('th', {}, '')),
  );
  for (const u of contacts) {
    const input = el('input', {
      type: 'text',
      size: '48',
      value: u.contacts.map((c) => c.email).join(', '),
      'aria-label': `${t('emails')} ${u.unit}`,
    });
    const choice = el(
      'select',
      { 'aria-label': `${t('lang')} ${u.unit}` },
      el('option', { value: 'ro' }, 'RO'),
      el('option', { value: 'en' }, 'EN'),
    );
    choice.value = u.lang;
    const button = el('button', { type: 'button' }, t('save'));
    button.addEventListener('click', async () => {
      const emails = input.value.split(/[\s,;]+/).filter(Boolean);
      try {
        await api(`${at}/units/${encodeURIComponent(u.unit)}/contacts`, {
          method: 'PUT',
          body: JSON.stringify({ emails, lang: choice.value }),
        });
        out.textContent = t('saved', { unit: u.unit });
      } catch (error) {
        out.textContent = String(error.message ?? error);
      }
    });
    const feed = el('button', { type: 'button', class: 'secondary' }, t('feed'));
    feed.addEventListener('click', async () => {
      try {
        const made = await api(`${at}/units/${encodeURIComponent(u.unit)}/feed-key`, { method: 'POST' });
        out.textContent = t('feedMade', { unit: u.unit, url: made.url });
      } catch (error) {
        out.textContent = String(error.message ?? error);
      }
    });
    table.append(
      el('tr', {}, el('td', {}, u.unit), el('td', {}, input), el('td', {}, choice), el('td', {}, button, ' ', feed)),
    );
  }
  parts.push(el('div', { class: 'table-wrap' }, table), el('h3', {}, t('log')));
  if (state.log.length === 0) parts.push(el('p', { class: 'note' }, t('none')));
  else {
    const log = el('table', { id: 'reminders-log' });
    log.append(
      el(
        'tr',
        {},
        el('th', {}, t('day')),
        el('th', {}, t('unit')),
        el('th', {}, t('status')),
        el('th', {}, t('subject')),
      ),
    );
    for (const row of state.log.slice(0, 20)) {
      log.append(
        el(
          'tr',
          {},
          el('td', {}, row.day),
          el('td', {}, row.unit),
          el('td', {}, t(`status-${row.status}`)),
          el('td', {}, row.subject),
        ),
      );
    }
    parts.push(el('div', { class: 'table-wrap' }, log));
  }
  section.replaceChildren(...parts);
  section.hidden = false;
}

function refresh() {
  render().catch(() => {
    // The dashboard itself reports API errors; this section stays as it was.
  });
}

if (section) {
  const dashboard = document.getElementById('dashboard');
  if (dashboard) new MutationObserver(refresh).observe(dashboard, { attributes: true, attributeFilter: ['hidden'] });
  new MutationObserver(refresh).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  document.getElementById('plan-select')?.addEventListener('change', refresh);
  refresh();
}
