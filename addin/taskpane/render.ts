// Draws the pane state into the page of taskpane.html. Each part is redrawn only when its inputs change, so a
// keyboard user's focus stays where it was (the findings list is not rebuilt when a finding is selected).
import { parseAddress } from '../../plan/address';
import { DEADLINE_STATES } from '../../plan/state';
import { columnMapping } from '../../plan/grid';
import { FIELD_LABELS, type Bilingual, type Finding, type MappedColumn } from '../../plan/model';
import { STATE_SHORT, formatDate, formatNumber, t, type Lang, type MessageKey } from '../i18n';
import type { PaneState } from './controller';
import { parseSoonDays, type FilterChoice } from './settings';
import {
  criterionOptions,
  groupFindings,
  legendEntries,
  lineRows,
  stateOptions,
  summaryRows,
  unitOptions,
  type Option,
} from './view';

export interface PaneHandlers {
  prepare(): void;
  validate(): void;
  highlight(): void;
  applyFilter(): void;
  clearFilter(): void;
  refreshSummary(): void;
  selectFinding(finding: Finding): void;
  setLang(lang: Lang): void;
  setSoonDays(days: number): void;
  setFilterChoice(patch: Partial<FilterChoice>): void;
  /** The coordinator moves a field to another column of the header (issue 13). */
  chooseColumn?(field: MappedColumn, column: number): void;
}

// The fields the mapping lets the coordinator place, in the words of the plan's headers.
const MAPPED_LABELS: Partial<Record<MappedColumn, Bilingual>> = {
  ...FIELD_LABELS,
  number: { ro: 'Nr. crt.', en: 'Running number' },
  level: { ro: 'Nivel', en: 'Level' },
  criterion: { ro: 'Criteriu', en: 'Criterion' },
  subcriterion: { ro: 'Subcriteriu', en: 'Subcriterion' },
  year: { ro: 'An (termen)', en: 'Year (deadline)' },
};
const MAPPABLE: readonly MappedColumn[] = [
  'action',
  'result',
  'owners',
  'deadline',
  'year',
  'monitoring',
  'resources',
  'status',
  'id',
  'number',
];

function byId<T extends HTMLElement>(doc: Document, id: string): T {
  const el = doc.getElementById(id);
  if (!el) throw new Error(`taskpane.html lacks #${id}`);
  return el as T;
}

/** An element with its class, text, attributes and children (the pane builds its DOM with this one helper). */
export function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  props: { className?: string; text?: string; attrs?: Record<string, string> } = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

/** Row buttons shown under a grouped finding; the rest are counted. */
const MAX_ROW_BUTTONS = 12;

const ACTION_BUTTONS = ['prepare', 'validate', 'highlight', 'apply-filter', 'clear-filter', 'refresh-summary'] as const;

export class PaneView {
  private last: Partial<Record<string, unknown[]>> = {};

  constructor(
    private readonly doc: Document,
    private readonly handlers: PaneHandlers,
  ) {
    this.wire();
  }

  /** True when any of `inputs` differs (by identity) from the previous call for `part`. */
  private changed(part: string, inputs: unknown[]): boolean {
    const prev = this.last[part];
    if (prev && prev.length === inputs.length && prev.every((v, i) => v === inputs[i])) return false;
    this.last[part] = inputs;
    return true;
  }

  private wire(): void {
    const { doc, handlers: h } = this;
    byId(doc, 'prepare').addEventListener('click', () => h.prepare());
    byId(doc, 'validate').addEventListener('click', () => h.validate());
    byId(doc, 'highlight').addEventListener('click', () => h.highlight());
    byId(doc, 'apply-filter').addEventListener('click', () => h.applyFilter());
    byId(doc, 'clear-filter').addEventListener('click', () => h.clearFilter());
    byId(doc, 'refresh-summary').addEventListener('click', () => h.refreshSummary());
    for (const button of doc.querySelectorAll<HTMLButtonElement>('[data-lang]')) {
      button.addEventListener('click', () => h.setLang(button.dataset.lang === 'en' ? 'en' : 'ro'));
    }
    const soon = byId<HTMLInputElement>(doc, 'soon-days');
    soon.addEventListener('change', () => {
      const days = parseSoonDays(soon.value);
      soon.setAttribute('aria-invalid', days === null ? 'true' : 'false');
      if (days !== null) h.setSoonDays(days);
    });
    // Each filter is a disclosure of checkboxes; one listener per list, the choice is every box ticked.
    const multi = (id: string, key: keyof Omit<FilterChoice, 'applied'>) => {
      const box = byId(doc, id);
      box.addEventListener('change', () => {
        const ticked = [...box.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((i) => i.value);
        h.setFilterChoice({ [key]: ticked });
      });
    };
    multi('filter-units', 'units');
    multi('filter-criteria', 'criteria');
    multi('filter-states', 'states');
    byId(doc, 'mapping-table').addEventListener('change', (event) => {
      const select = (event.target as HTMLElement).closest<HTMLSelectElement>('select[data-field]');
      if (select && select.value !== '') h.chooseColumn?.(select.dataset.field as MappedColumn, Number(select.value));
    });
    // Findings are buttons: Enter and Space work natively; one listener for the whole list.
    byId(doc, 'findings').addEventListener('click', (event) => {
      const target = (event.target as HTMLElement).closest<HTMLButtonElement>('button.finding, button.row');
      const finding = target ? this.findingsShown[Number(target.dataset.index)] : undefined;
      if (finding) h.selectFinding(finding);
    });
  }

  private findingsShown: Finding[] = [];

  render(state: PaneState): void {
    const lang = state.settings.lang;
    if (this.changed('lang', [lang])) this.renderLanguage(lang);
    if (this.changed('mode', [state.mode, lang])) this.renderMode(state, lang);
    this.renderBusy(state);
    if (this.changed('notice', [state.notice, lang])) this.renderNotice(state, lang);
    if (this.changed('findings', [state.findings, lang])) this.renderFindings(state.findings, lang);
    if (this.changed('mapping', [state.findings, state.plan, state.mode, lang])) this.renderMapping(state, lang);
    if (this.changed('legend', [state.summary, lang])) this.renderLegend(state, lang);
    if (this.changed('soon', [state.settings.soonDays])) {
      const input = byId<HTMLInputElement>(this.doc, 'soon-days');
      if (parseSoonDays(input.value) !== state.settings.soonDays) input.value = String(state.settings.soonDays);
      input.setAttribute('aria-invalid', 'false');
    }
    if (this.changed('filters', [state.plan, state.settings.filter, lang])) this.renderFilters(state, lang);
    if (this.changed('summary', [state.summary, state.plan, lang])) this.renderSummary(state, lang);
  }

  private renderLanguage(lang: Lang): void {
    const { doc } = this;
    doc.documentElement.lang = lang;
    doc.title = t(lang, 'appTitle');
    for (const node of doc.querySelectorAll<HTMLElement>('[data-i18n]')) {
      node.textContent = t(lang, node.dataset.i18n as MessageKey);
    }
    for (const button of doc.querySelectorAll<HTMLButtonElement>('[data-lang]')) {
      button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
    }
  }

  private renderBusy(state: PaneState): void {
    const { doc } = this;
    const busy = state.busy !== null;
    byId(doc, 'pane').setAttribute('aria-busy', String(busy));
    const progress = byId(doc, 'progress');
    progress.hidden = !busy;
    byId(doc, 'progress-text').textContent = busy ? t(state.settings.lang, state.busy!) : '';
    // While busy the buttons are marked, not disabled: disabling the focused button would throw a keyboard user's
    // focus back to the top of the pane. The controller ignores a second action meanwhile.
    for (const id of ACTION_BUTTONS) {
      const button = byId<HTMLButtonElement>(doc, id);
      button.disabled = state.offline;
      button.setAttribute('aria-disabled', String(busy || state.offline));
    }
  }

  private renderNotice(state: PaneState, lang: Lang): void {
    const box = byId(this.doc, 'notice');
    box.replaceChildren();
    box.className = 'notice';
    const notice = state.notice;
    if (!notice) return;
    box.classList.add(notice.kind);
    if (notice.kind === 'error') {
      // Errors always in both languages, Romanian first: the helpdesk may not read the user's choice.
      box.append(
        el(this.doc, 'p', { text: notice.text.ro, attrs: { lang: 'ro' } }),
        el(this.doc, 'p', { text: notice.text.en, attrs: { lang: 'en' } }),
      );
    } else {
      box.append(el(this.doc, 'p', { text: notice.text[lang], attrs: { lang } }));
    }
  }

  /** What the reader understood (shown once the plan is validated), each field with a choice of the header's columns. */
  private renderMapping(state: PaneState, lang: Lang): void {
    const { doc } = this;
    const box = byId(doc, 'mapping');
    const table = byId(doc, 'mapping-table');
    table.replaceChildren();
    const plan = state.plan;
    // Which column holds which field is the coordinator's choice (stored in _caf_plan): not shown in a department copy.
    box.hidden = state.mode.kind !== 'coordinator' || state.findings === null || !plan || plan.headerRow < 0;
    if (box.hidden || !plan) return;
    const mapping = columnMapping(plan);
    byId(doc, 'mapping-help').textContent = t(lang, 'mappingHelp', { row: mapping.headerRow, sheet: mapping.sheet });
    const at = new Map(mapping.fields.map((f) => [f.field, f]));
    for (const field of MAPPABLE) {
      const current = at.get(field);
      if (!current && field !== 'deadline' && field !== 'owners' && field !== 'result') continue;
      const select = el(doc, 'select', { attrs: { 'data-field': field, 'aria-label': MAPPED_LABELS[field]![lang] } }, [
        el(doc, 'option', { text: t(lang, 'mappingNone'), attrs: { value: '' } }),
        ...mapping.choices.map((c) =>
          el(doc, 'option', {
            text: `${c.column} · ${c.header}`,
            attrs: { value: String(c.index), ...(current?.column === c.column ? { selected: 'selected' } : {}) },
          }),
        ),
      ]);
      table.append(
        el(doc, 'tr', {}, [el(doc, 'th', { text: MAPPED_LABELS[field]![lang] }), el(doc, 'td', {}, [select])]),
      );
    }
  }

  private renderFindings(findings: Finding[] | null, lang: Lang): void {
    const { doc } = this;
    const box = byId(doc, 'findings');
    box.replaceChildren();
    this.findingsShown = [];
    byId(doc, 'findings-hint').hidden = findings === null || findings.length === 0;
    if (!findings) return;
    for (const group of groupFindings(findings)) {
      const headingId = `findings-${group.severity}`;
      const title = t(lang, group.severity === 'error' ? 'severityError' : 'severityWarning');
      const list = el(doc, 'ul', { attrs: { 'aria-labelledby': headingId } });
      for (const line of group.lines) {
        // One line per identical finding; the first cell is selected by the line, each row by its own button.
        const first = line.findings[0]!;
        const index = this.findingsShown.push(first) - 1;
        const rows = lineRows(line);
        const button = el(doc, 'button', {
          className: 'finding',
          attrs: { type: 'button', 'data-index': String(index), 'data-rule': line.rule },
        });
        if (line.findings.length === 1 && first.cell)
          button.append(el(doc, 'span', { className: 'where', text: first.cell }));
        if (line.findings.length > 1)
          button.append(el(doc, 'span', { className: 'where', text: formatNumber(line.findings.length, lang) }));
        button.append(
          el(doc, 'span', {
            className: 'text',
            text: line.findings.length > 1 ? line.text[lang] : first.message[lang],
          }),
        );
        if (!first.cell) button.disabled = true; // nothing to select for a workbook-wide finding
        const item = el(doc, 'li', {}, [button]);
        if (line.findings.length > 1 && rows.length > 0) {
          const label = t(lang, 'findingRows', { rows: '' }).trim();
          const rowList = el(
            doc,
            'div',
            { className: 'rows', attrs: { role: 'group', 'aria-label': `${line.text[lang]} – ${label}` } },
            [el(doc, 'span', { className: 'rows-label', text: `${label}:`, attrs: { 'aria-hidden': 'true' } })],
          );
          const shown = line.findings.filter((f) => f.cell).slice(0, MAX_ROW_BUTTONS);
          for (const f of shown) {
            const i = this.findingsShown.push(f) - 1;
            const row = String((parseAddress(f.cell!)?.row ?? 0) + 1);
            rowList.append(
              el(doc, 'button', {
                className: 'row',
                text: row,
                attrs: { type: 'button', 'data-index': String(i), 'aria-label': `${f.cell}: ${f.message[lang]}` },
              }),
            );
          }
          const hidden = line.findings.filter((f) => f.cell).length - shown.length;
          if (hidden > 0)
            rowList.append(el(doc, 'span', { className: 'more', text: t(lang, 'findingMore', { n: hidden }) }));
          item.append(rowList);
        }
        list.append(item);
      }
      box.append(
        el(doc, 'div', { className: `findings-group ${group.severity}`, attrs: { 'data-severity': group.severity } }, [
          el(doc, 'h3', { attrs: { id: headingId } }, [
            title,
            el(doc, 'span', { className: 'count', text: formatNumber(group.count, lang) }),
          ]),
          list,
        ]),
      );
    }
  }

  /** A department copy shows only what the unit may do: the coordinator's parts are hidden, a banner names the unit. */
  private renderMode(state: PaneState, lang: Lang): void {
    const { doc } = this;
    const mode = state.mode;
    byId(doc, 'pane').dataset.mode = mode.kind;
    for (const node of doc.querySelectorAll<HTMLElement>('[data-only]')) node.hidden = node.dataset.only !== mode.kind;
    const banner = byId(doc, 'mode-banner');
    banner.textContent = mode.kind === 'department' ? t(lang, 'modeDepartment', { unit: mode.unit }) : '';
  }

  private renderLegend(state: PaneState, lang: Lang): void {
    const { doc } = this;
    const list = byId(doc, 'legend');
    list.replaceChildren();
    const counts = state.summary?.byState ?? null;
    byId(doc, 'legend-empty').hidden = counts !== null;
    for (const entry of legendEntries(counts, lang)) {
      list.append(
        el(doc, 'li', { attrs: { 'data-state': entry.state } }, [
          el(doc, 'span', {
            className: 'swatch',
            attrs: { style: `background:${entry.fill};border-color:${entry.font}`, 'aria-hidden': 'true' },
          }),
          el(doc, 'span', { className: 'label', text: entry.label }),
          el(doc, 'span', { className: 'n', text: entry.count === null ? '–' : formatNumber(entry.count, lang) }),
        ]),
      );
    }
  }

  private renderFilters(state: PaneState, lang: Lang): void {
    const { doc } = this;
    const choice = state.settings.filter;
    const units = unitOptions(state.plan);
    fillChecks(doc, byId(doc, 'filter-units'), 'unit', units, choice.units, lang);
    byId(doc, 'units-help').hidden = units.length > 0;
    fillChecks(doc, byId(doc, 'filter-criteria'), 'criterion', criterionOptions(lang), choice.criteria, lang);
    fillChecks(doc, byId(doc, 'filter-states'), 'state', stateOptions(lang), choice.states, lang);
  }

  private renderSummary(state: PaneState, lang: Lang): void {
    const { doc } = this;
    const table = byId<HTMLTableElement>(doc, 'summary');
    const note = byId(doc, 'summary-note');
    const caption = byId(doc, 'summary-caption');
    const { summary, plan } = state;
    table.hidden = !summary || !plan;
    note.hidden = table.hidden;
    caption.hidden = table.hidden;
    if (!summary || !plan) return;
    caption.textContent = t(lang, 'summaryCaption', {
      today: formatDate(summary.today, lang),
      total: summary.total,
    });
    // A state no action of the plan is in would be a column of zeros in a narrow pane; the legend still lists it.
    const states = DEADLINE_STATES.filter((s) => summary.byState[s.code] > 0);
    const head = el(doc, 'tr', {}, [el(doc, 'th', { text: t(lang, 'summaryUnit'), attrs: { scope: 'col' } })]);
    for (const s of states) {
      const swatch = legendEntries(null, lang).find((e) => e.state === s.code)!;
      head.append(
        el(doc, 'th', { attrs: { scope: 'col', 'data-state': s.code } }, [
          el(doc, 'span', {
            className: 'swatch',
            attrs: { style: `background:${swatch.fill};border-color:${swatch.font}`, 'aria-hidden': 'true' },
          }),
          el(doc, 'abbr', { text: STATE_SHORT[s.code][lang], attrs: { title: s[lang] } }),
        ]),
      );
    }
    head.append(el(doc, 'th', { text: t(lang, 'summaryTotal'), attrs: { scope: 'col' } }));
    table.tHead!.replaceChildren(head);
    const body = table.tBodies[0]!;
    body.replaceChildren();
    for (const row of summaryRows(summary, plan)) {
      const tr = el(doc, 'tr', {
        className: row.unit === null ? 'plan-row' : '',
        attrs: { 'data-unit': row.unit ?? '' },
      });
      tr.append(
        el(doc, 'th', {
          text: row.unit ?? t(lang, 'summaryPlan'),
          attrs: { scope: 'row', ...(row.unitName ? { title: row.unitName } : {}) },
        }),
      );
      for (const s of states) {
        const n = row.byState[s.code];
        tr.append(el(doc, 'td', { className: n === 0 ? 'zero' : '', text: formatNumber(n, lang) }));
      }
      tr.append(el(doc, 'td', { text: formatNumber(row.total, lang) }));
      body.append(tr);
    }
  }
}

/** Fills a filter disclosure with one checkbox per option; its summary says which are chosen (or "all"). */
function fillChecks(
  doc: Document,
  details: HTMLElement,
  name: string,
  options: Option[],
  chosen: readonly string[],
  lang: Lang,
): void {
  const box = details.querySelector('.options')!;
  const focused =
    doc.activeElement instanceof HTMLInputElement && box.contains(doc.activeElement) ? doc.activeElement.value : null;
  box.replaceChildren(
    ...options.map((o, i) => {
      const id = `${details.id}-${i}`;
      const input = el(doc, 'input', { attrs: { type: 'checkbox', id, name, value: o.value } });
      input.checked = chosen.includes(o.value);
      return el(doc, 'label', { className: 'check', attrs: { for: id, title: o.label } }, [input, o.label]);
    }),
  );
  if (focused !== null) box.querySelector<HTMLInputElement>(`input[value="${CSS.escape(focused)}"]`)?.focus();
  const summary = details.querySelector('.chosen')!;
  const labels = options.filter((o) => chosen.includes(o.value)).map((o) => (name === 'state' ? o.label : o.value));
  summary.textContent =
    labels.length === 0
      ? t(lang, 'chosenNone')
      : labels.length <= 3
        ? labels.join(', ')
        : t(lang, 'chosenSome', { n: labels.length });
}
