// The pane's "Service" section: connection settings, the department's Submit and receipt, the coordinator's Sync,
// conflicts and department copies. It builds its own DOM inside #pane (taskpane.ts mounts it) and draws the state of
// addin/service/connect.ts; it holds no behaviour of its own.
import { FIELD_LABELS, type Bilingual } from '../../plan/model';
import type { Lang } from '../i18n';
import { roamingStore } from '../excel/sync';
import { ConnectController, type ConnectState } from '../service/connect';
import { connectMessage, type ConnectMessageKey } from '../service/messages';
import type { ConflictRecord, Receipt } from '../service/schemas';
import type { Download } from '../service/client';
import { createConnectPort } from './connect-port';
import { officeReady } from './ready';
import { el as element } from './render';
import type { KeyValueStore } from './settings';

const STYLE = `
#service [hidden] { display: none !important; }
#service .banner { margin: 0 0 8px; padding: 6px 8px; border-radius: 4px; background: #e8f0fb; font-weight: 600; }
#service .banner.none { background: #fff4ce; font-weight: normal; }
#service details { margin: 6px 0 10px; }
#service summary { cursor: pointer; font-weight: 600; }
#service .field input { width: 100%; box-sizing: border-box; }
#service ul.plain { list-style: none; margin: 4px 0; padding: 0; }
#service ul.plain li { padding: 4px 0; border-bottom: 1px solid #e1e1e1; }
#service .conflict { padding: 6px 0; border-bottom: 1px solid #e1e1e1; }
#service .conflict .what { font-weight: 600; }
#service .conflict .side { display: flex; gap: 6px; align-items: baseline; margin: 4px 0; }
#service .conflict .side .value { flex: 1; overflow-wrap: anywhere; }
#service .conflict button { font-size: 12px; padding: 2px 8px; }
#service .copies { display: flex; gap: 6px; align-items: center; }
#service .copies select { flex: 1; min-width: 0; }
#service .notice { margin-bottom: 8px; }
`;

function text(lang: Lang, b: Bilingual): string {
  return b[lang];
}

export interface ConnectMount {
  controller: ConnectController;
  setLang(lang: Lang): void;
  start(): Promise<void>;
}

/** The address of the service when it serves this pane itself (the usual deployment), else ''. */
function ownOrigin(): string {
  if (typeof location === 'undefined') return '';
  const { protocol, hostname, origin } = location;
  return protocol === 'https:' || (protocol === 'http:' && ['localhost', '127.0.0.1'].includes(hostname)) ? origin : '';
}

function save(download: Download): void {
  const url = URL.createObjectURL(download.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = download.fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function mountConnect(
  doc: Document,
  options: { store: KeyValueStore | null; today: string; lang: Lang },
): ConnectMount {
  let lang = options.lang;
  const style = doc.createElement('style');
  style.textContent = STYLE;
  doc.head.append(style);

  const el = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    props?: Parameters<typeof element>[2],
    children?: (Node | string)[],
  ): HTMLElementTagNameMap[K] => element(doc, tag, props, children);

  const section = el('section', { attrs: { id: 'service', 'aria-labelledby': 'service-title' } });
  const title = el('h2', { attrs: { id: 'service-title' } });
  const banner = el('p', { className: 'banner', attrs: { id: 'service-banner' } });
  const notice = el('div', {
    className: 'notice',
    attrs: { id: 'service-notice', role: 'status', 'aria-live': 'polite' },
  });
  const retry = el('button', { className: 'action secondary', attrs: { type: 'button', id: 'service-retry' } });
  const connection = el('details', { attrs: { id: 'service-connection' } });
  const connectionTitle = el('summary');
  const urlLabel = el('label', { attrs: { for: 'service-url' } });
  const url = el('input', { attrs: { id: 'service-url', type: 'url', autocomplete: 'url', spellcheck: 'false' } });
  const tokenLabel = el('label', { attrs: { for: 'service-token' } });
  const token = el('input', {
    attrs: { id: 'service-token', type: 'password', autocomplete: 'off', 'aria-describedby': 'service-token-help' },
  });
  const tokenHelp = el('p', { className: 'help', attrs: { id: 'service-token-help' } });
  const check = el('button', { className: 'action', attrs: { type: 'button', id: 'service-check' } });
  connection.append(
    connectionTitle,
    el('div', { className: 'field' }, [urlLabel, url]),
    el('div', { className: 'field' }, [tokenLabel, token, tokenHelp]),
    check,
  );

  const department = el('div', { attrs: { id: 'service-department' } });
  const ownRows = el('p', { className: 'help', attrs: { id: 'service-own-rows' } });
  const submit = el('button', { className: 'action primary', attrs: { type: 'button', id: 'service-submit' } });
  const submitHelp = el('p', { className: 'help' });
  const receipt = el('div', { attrs: { id: 'service-receipt' } });
  department.append(ownRows, submit, submitHelp, receipt);

  const coordinator = el('div', { attrs: { id: 'service-coordinator' } });
  const sync = el('button', { className: 'action primary', attrs: { type: 'button', id: 'service-sync' } });
  const syncHelp = el('p', { className: 'help' });
  const conflictsTitle = el('h3', { attrs: { id: 'service-conflicts-title' } });
  const conflicts = el('div', { attrs: { id: 'service-conflicts', 'aria-labelledby': 'service-conflicts-title' } });
  const copiesTitle = el('h3', { attrs: { id: 'service-copies-title' } });
  const copyUnit = el('select', { attrs: { id: 'service-copy-unit', 'aria-labelledby': 'service-copies-title' } });
  const copyButton = el('button', { className: 'action secondary', attrs: { type: 'button', id: 'service-copy' } });
  coordinator.append(
    sync,
    syncHelp,
    conflictsTitle,
    conflicts,
    copiesTitle,
    el('div', { className: 'copies' }, [copyUnit, copyButton]),
  );

  section.append(title, banner, notice, retry, connection, department, coordinator);
  // Last in the pane: the plan's own work comes first; in a department copy Submit follows Validate and Filters.
  (doc.getElementById('pane') ?? doc.body).append(section);

  let view: ConnectState | null = null;
  const controller = new ConnectController({
    port: createConnectPort(),
    store: options.store,
    today: options.today,
    defaultUrl: ownOrigin(),
    onChange: (state) => render(state),
  });

  // ------------------------------------------------------------------ events
  const saveConnection = (): void => controller.setConnection({ serviceUrl: url.value, token: token.value });
  url.addEventListener('change', saveConnection);
  token.addEventListener('change', saveConnection);
  const guarded = (button: HTMLButtonElement, action: () => void): void =>
    button.addEventListener('click', () => {
      if (button.getAttribute('aria-disabled') !== 'true') action();
    });
  guarded(check, () => {
    saveConnection();
    void controller.check();
  });
  guarded(submit, () => void controller.submit());
  guarded(sync, () => void controller.sync());
  guarded(retry, () => void controller.retryNow());
  guarded(copyButton, () => {
    if (copyUnit.value) void controller.downloadCopy(copyUnit.value, save);
  });
  conflicts.addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-conflict]');
    if (!button || button.getAttribute('aria-disabled') === 'true') return;
    const id = Number(button.dataset.conflict);
    if (button.dataset.keep === 'true') void controller.resolve(id, { keep: true });
    else void controller.resolve(id, { value: button.dataset.value ?? '' });
  });

  // ------------------------------------------------------------------ drawing
  const m = (key: ConnectMessageKey, params: Record<string, string | number> = {}): string =>
    text(lang, connectMessage(key, params));

  function renderReceipt(r: Receipt | null): void {
    receipt.replaceChildren();
    if (!r) return;
    receipt.append(el('h3', { text: m('receiptTitle') }));
    const list = (titleKey: ConnectMessageKey, items: string[]): void => {
      if (items.length === 0) return;
      receipt.append(el('h3', { text: `${m(titleKey)} (${items.length})` }));
      receipt.append(
        el(
          'ul',
          { className: 'plain' },
          items.map((i) => el('li', { text: i })),
        ),
      );
    };
    list(
      'willApplyTitle',
      r.willApply.map((c) => `${c.rowId} · ${text(lang, FIELD_LABELS[c.column])}: „${c.from}” → „${c.to}”`),
    );
    list(
      'refusedTitle',
      r.refused.map(
        (c) =>
          `${c.rowId ?? '—'}${c.column ? ` · ${text(lang, FIELD_LABELS[c.column])}` : ''}: ${text(lang, c.message)}`,
      ),
    );
  }

  function renderConflicts(items: ConflictRecord[] | null, busy: boolean): void {
    conflicts.replaceChildren();
    if (items === null) return;
    if (items.length === 0) {
      conflicts.append(el('p', { className: 'help', text: m('noConflicts') }));
      return;
    }
    for (const c of items) {
      const where = `#${c.id} · ${c.rowId ?? '—'}${c.column ? ` · ${text(lang, FIELD_LABELS[c.column])}` : ''}`;
      const box = el('div', { className: 'conflict', attrs: { 'data-conflict-id': String(c.id) } }, [
        el('div', { className: 'what', text: where }),
        el('div', { className: 'help', text: text(lang, c.message) }),
      ]);
      const button = (label: string, data: Record<string, string>): HTMLButtonElement => {
        const b = el('button', { className: 'action secondary', text: label, attrs: { type: 'button', ...data } });
        if (busy) b.setAttribute('aria-disabled', 'true');
        return b;
      };
      box.append(
        el('div', { className: 'side' }, [
          el('span', { className: 'value', text: `${m('conflictPlanValue')}: „${c.current ?? ''}”` }),
          button(m('conflictKeep'), { 'data-conflict': String(c.id), 'data-keep': 'true' }),
        ]),
      );
      if (c.column !== null && c.rowId !== null) {
        for (const v of c.values) {
          box.append(
            el('div', { className: 'side' }, [
              el('span', { className: 'value', text: `${v.unit}: „${v.value}”` }),
              button(`${m('conflictChoose')} (${v.unit})`, { 'data-conflict': String(c.id), 'data-value': v.value }),
            ]),
          );
        }
      } else {
        box.append(el('p', { className: 'help', text: m('conflictWholeRow') }));
      }
      conflicts.append(box);
    }
  }

  function render(state: ConnectState): void {
    const busy = state.busy !== null;
    title.textContent = m('title');
    connectionTitle.textContent = m('connectionTitle');
    urlLabel.textContent = m('urlLabel');
    tokenLabel.textContent = m('tokenLabel');
    tokenHelp.textContent = m('tokenHelp');
    check.textContent = m('checkButton');
    submit.textContent = m('submitButton');
    submitHelp.textContent = m('submitHelp');
    sync.textContent = m('syncButton');
    syncHelp.textContent = m('syncHelp');
    conflictsTitle.textContent = m('conflictsTitle');
    copiesTitle.textContent = m('copiesTitle');
    copyButton.textContent = m('copyButton');
    retry.textContent = m('retryButton');
    if (doc.activeElement !== url) url.value = state.connection.serviceUrl;
    if (doc.activeElement !== token) token.value = state.connection.token;
    if (!state.connection.serviceUrl || !state.connection.token) connection.open = true;
    else if (view?.session === null && state.session !== null) connection.open = false; // checked: fold it away

    const mode = state.mode;
    banner.classList.toggle('none', mode.kind === 'none');
    banner.textContent =
      mode.kind === 'department'
        ? m('departmentBanner', { unit: mode.unit, plan: mode.planId, revision: String(mode.revision) })
        : mode.kind === 'coordinator'
          ? m('coordinatorBanner', { plan: mode.planId, revision: String(mode.revision) })
          : m('noPlanBanner');
    department.hidden = mode.kind !== 'department';
    coordinator.hidden = mode.kind !== 'coordinator';
    if (mode.kind === 'department') {
      const findings = state.findings ?? [];
      const errors = findings.filter((f) => f.severity === 'error').length;
      ownRows.textContent = `${m('ownRows', { rows: mode.rows, unit: mode.unit })} ${
        state.findings ? m('ownFindings', { errors, warnings: findings.length - errors }) : ''
      }`.trim();
    }

    notice.className = `notice${state.notice ? ` ${state.notice.kind}` : ''}`;
    notice.replaceChildren(
      ...(state.notice
        ? [state.notice.text, ...(state.notice.details ?? [])].map((b) => el('p', { text: text(lang, b) }))
        : busy
          ? [el('p', { text: m(state.busy!) })]
          : []),
    );
    retry.hidden = state.retry === null || busy;
    for (const b of [check, submit, sync, copyButton, retry]) {
      if (busy) b.setAttribute('aria-disabled', 'true');
      else b.removeAttribute('aria-disabled');
    }
    section.setAttribute('aria-busy', String(busy));

    const units = state.units.map((u) => u.code).join();
    if (copyUnit.dataset.units !== units || copyUnit.dataset.lang !== lang) {
      copyUnit.dataset.units = units;
      copyUnit.dataset.lang = lang;
      const chosen = copyUnit.value;
      copyUnit.replaceChildren(
        ...state.units.map((u) => el('option', { text: `${u.code} – ${u.name}`, attrs: { value: u.code } })),
      );
      if (chosen) copyUnit.value = chosen;
    }
    renderReceipt(state.receipt);
    renderConflicts(state.conflicts, busy);
    view = state;
  }

  render(controller.state);
  return {
    controller,
    setLang(next) {
      if (next === lang) return;
      lang = next;
      if (view) render(view);
    },
    async start() {
      try {
        await officeReady();
      } catch {
        return; // outside Excel the pane says so already
      }
      await controller.start();
    },
  };
}

/** Roaming settings where the host has them, else the given store (localStorage). */
export function connectionStore(fallback: KeyValueStore | null): KeyValueStore | null {
  return roamingStore() ?? fallback;
}
