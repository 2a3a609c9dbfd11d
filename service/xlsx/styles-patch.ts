// New cell formats derived from the ones a workbook already has: a cell keeps its font, borders, alignment and
// number format and gains only what we add (a fill, a border, a date format, unlocking). New `<xf>`, `<fill>`,
// `<border>`, `<numFmt>` and `<dxf>` entries are appended, so every index the team's cells use stays valid.
import { escapeXml, type XlsxPackage } from './package';
import { attr, rootPrefix, startTags } from './xml';

export interface StyleChange {
  /** Solid fill colour as ARGB (`FFFCD5B4`). */
  fill?: string;
  /** A thin border on all four sides. */
  border?: 'thin';
  /** Number format code (`dd.mm.yyyy`). */
  numFmt?: string;
  /** false unlocks the cell (editable when the sheet is protected). */
  locked?: boolean;
  bold?: boolean;
  /** Wrap text and align to the top (long notes). */
  wrap?: boolean;
}

const STYLES_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const MINIMAL_STYLES =
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="${STYLES_NS}">` +
  '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

// Children of <styleSheet> in schema order: a list we create goes before the first later one present.
const STYLESHEET_ORDER = [
  'numFmts',
  'fonts',
  'fills',
  'borders',
  'cellStyleXfs',
  'cellXfs',
  'cellStyles',
  'dxfs',
  'tableStyles',
  'colors',
  'extLst',
];

/** Number formats Excel knows by id (ECMA-376 18.8.30) that we use: never declared again as custom ones. */
const BUILTIN_NUM_FMTS: Record<string, number> = { General: 0, '@': 49 };

/** The items of a list element (`<fills count="2">...</fills>`) and where the list lives. */
interface ListSpan {
  start: number;
  end: number;
  open: string;
  items: string[];
}

export class StylesPatch {
  private xml: string;
  private readonly p: string;
  private readonly cache = new Map<string, number>();
  private changed = false;

  constructor(
    private readonly pkg: XlsxPackage,
    private readonly part: string,
  ) {
    this.xml = pkg.text(part);
    this.p = rootPrefix(this.xml)?.prefix ?? '';
  }

  /** Opens the workbook's styles part, creating a minimal one for a workbook that has none. */
  static open(pkg: XlsxPackage): StylesPatch {
    let part = pkg.stylesPart();
    if (!part || !pkg.has(part)) {
      const dir = pkg.workbookPart.includes('/')
        ? pkg.workbookPart.slice(0, pkg.workbookPart.lastIndexOf('/') + 1)
        : '';
      part = `${dir}styles.xml`;
      pkg.setText(part, MINIMAL_STYLES);
      pkg.setOverride(part, 'application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml');
      if (!pkg.stylesPart()) {
        pkg.addRelationship(
          pkg.workbookPart,
          'http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles',
          part,
        );
      }
    }
    return new StylesPatch(pkg, part);
  }

  /** Lists as parsed since the last write: style lookups run per cell, the styles part changes rarely. */
  private readonly lists = new Map<string, ListSpan | null>();

  private list(local: string): ListSpan | null {
    if (this.lists.has(local)) return this.lists.get(local)!;
    const span = this.parseList(local);
    this.lists.set(local, span);
    return span;
  }

  private parseList(local: string): ListSpan | null {
    const qname = `${this.p}${local}`;
    const tag = startTags(this.xml, qname)[0];
    if (!tag) return null;
    if (tag.tag.endsWith('/>'))
      return { start: tag.start, end: tag.end, open: tag.tag.slice(0, -2).trimEnd() + '>', items: [] };
    const close = `</${qname}>`;
    const closeAt = this.xml.indexOf(close, tag.end);
    if (closeAt < 0) return null;
    return {
      start: tag.start,
      end: closeAt + close.length,
      open: tag.tag,
      items: splitChildren(this.xml.slice(tag.end, closeAt)),
    };
  }

  private writeList(local: string, span: ListSpan | null, items: string[]): void {
    const qname = `${this.p}${local}`;
    let open = span?.open ?? `<${qname}>`;
    open = /\scount\s*=/.test(open)
      ? open.replace(/(\scount\s*=\s*)("[^"]*"|'[^']*')/, `$1"${items.length}"`)
      : open.replace(/^(<[^\s/>]+)/, `$1 count="${items.length}"`);
    const element = `${open}${items.join('')}</${qname}>`;
    if (span) {
      this.xml = this.xml.slice(0, span.start) + element + this.xml.slice(span.end);
    } else {
      this.xml = insertInOrder(this.xml, this.p, 'styleSheet', STYLESHEET_ORDER, local, element);
    }
    this.changed = true;
    // Positions of every list after this one moved.
    this.lists.clear();
  }

  /**
   * Appends an item to a list and returns its index; an identical item already there is reused, so preparing a
   * workbook twice does not grow its styles.
   */
  private append(local: string, item: string): number {
    const span = this.list(local);
    const items = span?.items ?? [];
    const same = items.indexOf(item);
    if (same >= 0) return same;
    this.writeList(local, span, [...items, item]);
    return items.length;
  }

  /** The `<xf>` of cellXfs at `index` (index 0 when out of range, as Excel reads it). */
  private cellXf(index: number): string {
    const items = this.list('cellXfs')?.items ?? [];
    return items[index] ?? items[0] ?? `<${this.p}xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`;
  }

  /** Whether cells of this format are locked when the sheet is protected (the default is locked). */
  isLocked(index: number): boolean {
    const m = new RegExp(`<${this.p}protection\\b[^>]*>`).exec(this.cellXf(index));
    if (!m) return true;
    const locked = attr(m[0], 'locked');
    return locked !== '0' && locked !== 'false';
  }

  cellXfCount(): number {
    return this.list('cellXfs')?.items.length ?? 0;
  }

  private numFmtId(code: string): number {
    const builtin = BUILTIN_NUM_FMTS[code];
    if (builtin !== undefined) return builtin;
    const span = this.list('numFmts');
    let max = 163;
    for (const item of span?.items ?? []) {
      const id = Number(attr(item, 'numFmtId'));
      if (attr(item, 'formatCode') === code) return id;
      if (id > max) max = id;
    }
    const id = max + 1;
    this.writeList('numFmts', span, [
      ...(span?.items ?? []),
      `<${this.p}numFmt numFmtId="${id}" formatCode="${escapeXml(code)}"/>`,
    ]);
    return id;
  }

  private fillXml(argb: string): string {
    const p = this.p;
    return `<${p}fill><${p}patternFill patternType="solid"><${p}fgColor rgb="${argb}"/><${p}bgColor indexed="64"/></${p}patternFill></${p}fill>`;
  }

  private boldFont(fontId: number): number {
    const fonts = this.list('fonts')?.items ?? [];
    const base = fonts[fontId] ?? fonts[0] ?? `<${this.p}font/>`;
    if (new RegExp(`<${this.p}b\\s*/>`).test(base)) return fontId;
    const bold = base.endsWith('/>')
      ? base.slice(0, -2).trimEnd() + `><${this.p}b/></${this.p}font>`
      : base.replace(/^(<[^>]*>)/, `$1<${this.p}b/>`);
    return this.append('fonts', bold);
  }

  /** The index of a cell format that is `base` plus `change`; the same request gives the same index. */
  derive(base: number, change: StyleChange): number {
    const key = `${base}|${JSON.stringify(change)}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const p = this.p;
    let xf = this.cellXf(base);
    const setAttr = (name: string, value: string | number): void => {
      const re = new RegExp(`(\\s${name}\\s*=\\s*)("[^"]*"|'[^']*')`);
      xf = re.test(xf) ? xf.replace(re, `$1"${value}"`) : xf.replace(/^(<[^\s/>]+)/, `$1 ${name}="${value}"`);
    };
    const children = (): { open: string; inner: string } => {
      if (xf.endsWith('/>')) return { open: xf.slice(0, -2).trimEnd() + '>', inner: '' };
      const gt = xf.indexOf('>');
      return { open: xf.slice(0, gt + 1), inner: xf.slice(gt + 1, xf.lastIndexOf('<')) };
    };
    const setChild = (local: string, element: string): void => {
      const { open, inner } = children();
      const re = new RegExp(`<${p}${local}\\b[^>]*?(/>|>[\\s\\S]*?</${p}${local}>)`);
      let next = re.test(inner) ? inner.replace(re, element) : null;
      if (next === null) {
        // CT_Xf children: alignment, protection, extLst.
        if (local === 'alignment') next = element + inner;
        else {
          const ext = inner.indexOf(`<${p}extLst`);
          next = ext >= 0 ? inner.slice(0, ext) + element + inner.slice(ext) : inner + element;
        }
      }
      xf = `${open}${next}</${p}xf>`;
    };
    if (change.fill) {
      setAttr('fillId', this.append('fills', this.fillXml(change.fill)));
      setAttr('applyFill', 1);
    }
    if (change.border) {
      const side = (s: string): string => `<${p}${s} style="thin"><${p}color indexed="64"/></${p}${s}>`;
      const border = `<${p}border>${side('left')}${side('right')}${side('top')}${side('bottom')}<${p}diagonal/></${p}border>`;
      setAttr('borderId', this.append('borders', border));
      setAttr('applyBorder', 1);
    }
    if (change.numFmt) {
      setAttr('numFmtId', this.numFmtId(change.numFmt));
      setAttr('applyNumberFormat', 1);
    }
    if (change.bold) {
      setAttr('fontId', this.boldFont(Number(attr(xf, 'fontId') ?? 0)));
      setAttr('applyFont', 1);
    }
    if (change.wrap) {
      const current = new RegExp(`<${p}alignment\\b[^>]*/>`).exec(xf)?.[0];
      let alignment = current ?? `<${p}alignment/>`;
      for (const [name, value] of [
        ['wrapText', '1'],
        ['vertical', 'top'],
      ] as const) {
        const re = new RegExp(`(\\s${name}\\s*=\\s*)("[^"]*"|'[^']*')`);
        alignment = re.test(alignment)
          ? alignment.replace(re, `$1"${value}"`)
          : alignment.replace(/^(<\S+?)(\s*\/>)$/, `$1 ${name}="${value}"$2`);
      }
      setChild('alignment', alignment);
      setAttr('applyAlignment', 1);
    }
    if (change.locked !== undefined) {
      setChild('protection', `<${p}protection locked="${change.locked ? 1 : 0}"/>`);
      setAttr('applyProtection', 1);
    }
    const index = this.append('cellXfs', xf);
    this.cache.set(key, index);
    return index;
  }

  /** The cell formats filled solid with `argb` (how an earlier run's marks are recognised). */
  xfsFilledWith(argb: string): Set<number> {
    const fills = this.list('fills')?.items ?? [];
    const ids = new Set<number>();
    fills.forEach((fill, i) => {
      if (/patternType="solid"/.test(fill) && new RegExp(`<${this.p}fgColor rgb="${argb}"`).test(fill)) ids.add(i);
    });
    const out = new Set<number>();
    (this.list('cellXfs')?.items ?? []).forEach((xf, i) => {
      if (ids.has(Number(attr(xf, 'fillId') ?? 0))) out.add(i);
    });
    return out;
  }

  /**
   * The format `index` was derived from by `derive(base, { fill })`: the same format with another fill (no fill
   * when several fit), else the format with its fill removed.
   */
  withoutFill(index: number): number {
    const items = this.list('cellXfs')?.items ?? [];
    const strip = (xf: string): string => xf.replace(/\s(fillId|applyFill)\s*=\s*"[^"]*"/g, '');
    const key = strip(items[index] ?? '');
    const marked = Number(attr(items[index] ?? '', 'fillId') ?? 0);
    const candidates = items
      .map((xf, i) => ({ xf, i }))
      .filter(({ xf, i }) => i !== index && Number(attr(xf, 'fillId') ?? 0) !== marked && strip(xf) === key);
    const plain = candidates.find(({ xf }) => Number(attr(xf, 'fillId') ?? 0) === 0) ?? candidates[0];
    if (plain) return plain.i;
    return this.append('cellXfs', key);
  }

  /** A differential format for conditional formats: a fill and optionally a font colour. */
  addDxf(fill: string, fontColor?: string): number {
    const p = this.p;
    const font = fontColor ? `<${p}font><${p}color rgb="${fontColor}"/></${p}font>` : '';
    // In a dxf a solid fill's colour is the bgColor (ECMA-376 18.8.32).
    return this.append(
      'dxfs',
      `<${p}dxf>${font}<${p}fill><${p}patternFill patternType="solid"><${p}bgColor rgb="${fill}"/></${p}patternFill></${p}fill></${p}dxf>`,
    );
  }

  commit(): void {
    if (this.changed) this.pkg.setText(this.part, this.xml);
    this.changed = false;
  }
}

/** The child elements of an element's inside, each as its text (comments and whitespace between them dropped). */
export function splitChildren(inner: string): string[] {
  const out: string[] = [];
  let pos = 0;
  for (;;) {
    const lt = inner.indexOf('<', pos);
    if (lt < 0) return out;
    if (inner.startsWith('<!--', lt)) {
      pos = inner.indexOf('-->', lt) + 3;
      if (pos < 3) return out;
      continue;
    }
    const end = elementEnd(inner, lt);
    if (end < 0) return out;
    out.push(inner.slice(lt, end));
    pos = end;
  }
}

/** The end (exclusive) of the element starting at `lt`, counting nested elements of the same name. */
export function elementEnd(xml: string, lt: number): number {
  let nameEnd = lt + 1;
  while (nameEnd < xml.length && !/[\s/>]/.test(xml[nameEnd]!)) nameEnd++;
  const qname = xml.slice(lt + 1, nameEnd);
  const gt = xml.indexOf('>', nameEnd);
  if (gt < 0) return -1;
  if (xml.charCodeAt(gt - 1) === 47 /* / */) return gt + 1;
  const open = `<${qname}`;
  const close = `</${qname}>`;
  let depth = 1;
  let pos = gt + 1;
  for (;;) {
    const nextClose = xml.indexOf(close, pos);
    if (nextClose < 0) return -1;
    let nextOpen = xml.indexOf(open, pos);
    while (nextOpen >= 0 && nextOpen < nextClose && !/[\s/>]/.test(xml[nextOpen + open.length] ?? '')) {
      nextOpen = xml.indexOf(open, nextOpen + 1);
    }
    if (nextOpen >= 0 && nextOpen < nextClose) {
      const openGt = xml.indexOf('>', nextOpen);
      if (xml.charCodeAt(openGt - 1) !== 47) depth++;
      pos = openGt + 1;
      continue;
    }
    depth--;
    pos = nextClose + close.length;
    if (depth === 0) return pos;
  }
}

/** Top-level children of the root element `rootLocal`: their local names and spans. */
export function topLevel(
  xml: string,
  prefix: string,
  rootLocal: string,
): { local: string; start: number; end: number }[] {
  const root = startTags(xml, `${prefix}${rootLocal}`)[0];
  if (!root) return [];
  const close = xml.lastIndexOf(`</${prefix}${rootLocal}>`);
  const out: { local: string; start: number; end: number }[] = [];
  let pos = root.end;
  while (pos < close) {
    const lt = xml.indexOf('<', pos);
    if (lt < 0 || lt >= close) break;
    if (xml.startsWith('<!--', lt)) {
      pos = xml.indexOf('-->', lt) + 3;
      continue;
    }
    if (xml.startsWith('<?', lt)) {
      pos = xml.indexOf('?>', lt) + 2;
      continue;
    }
    const end = elementEnd(xml, lt);
    if (end < 0) break;
    let nameEnd = lt + 1;
    while (!/[\s/>]/.test(xml[nameEnd]!)) nameEnd++;
    const qname = xml.slice(lt + 1, nameEnd);
    out.push({ local: qname.slice(qname.indexOf(':') + 1), start: lt, end });
    pos = end;
  }
  return out;
}

/**
 * Inserts `element` as a child of the root, before the first existing child that the schema orders after
 * `local` (children the order does not know are skipped), or at the end.
 */
export function insertInOrder(
  xml: string,
  prefix: string,
  rootLocal: string,
  order: readonly string[],
  local: string,
  element: string,
): string {
  const rank = order.indexOf(local);
  for (const child of topLevel(xml, prefix, rootLocal)) {
    const childRank = order.indexOf(child.local);
    if (childRank > rank) return xml.slice(0, child.start) + element + xml.slice(child.start);
  }
  const close = xml.lastIndexOf(`</${prefix}${rootLocal}>`);
  return xml.slice(0, close) + element + xml.slice(close);
}
