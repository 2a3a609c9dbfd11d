// Just enough XML for the parts of an .xlsx we read, scanned with indexOf rather than parsed into a DOM: the
// sheet and shared-string parts of a big plan are tens of megabytes, and we only need a handful of elements.
// We never expand entities beyond the five predefined ones and character references; a part that declares a
// DOCTYPE or ENTITY is refused outright (billion laughs), see `refuseDtd`.

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes `&amp;`, `&#233;`, `&#xE9;`; an unknown entity is kept literally (without a DTD it means nothing). */
export function decodeEntities(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, name: string) => {
    if (name.charCodeAt(0) === 35 /* # */) {
      const code = name.charCodeAt(1) === 120 /* x */ ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name] ?? whole;
  });
}

/**
 * OOXML escapes characters XML cannot carry as `_xHHHH_` (`_x000D_` is a carriage return); `_x005F_` is an
 * escaped underscore, so `_x005F_x000D_` stays the literal text `_x000D_`.
 */
export function decodeOoxmlEscapes(text: string): string {
  if (text.indexOf('_x') < 0) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_whole, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Text content of an element as the user typed it. */
export function decodeText(raw: string): string {
  const text = raw;
  if (text.indexOf('<![CDATA[') >= 0) {
    // Excel never writes CDATA, but some generators do; its content is literal (no entities to decode).
    const parts: string[] = [];
    let pos = 0;
    for (;;) {
      const start = text.indexOf('<![CDATA[', pos);
      if (start < 0) break;
      const end = text.indexOf(']]>', start + 9);
      if (end < 0) break;
      parts.push(decodeOoxmlEscapes(decodeEntities(text.slice(pos, start))), text.slice(start + 9, end));
      pos = end + 3;
    }
    parts.push(decodeOoxmlEscapes(decodeEntities(text.slice(pos))));
    return parts.join('');
  }
  return decodeOoxmlEscapes(decodeEntities(text));
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** True when `text[at]` ends a tag name: `<c ` or `<c>` or `<c/>` but not `<cols`. */
export function endsName(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return code === 62 /* > */ || code === 47 /* / */ || isSpace(code);
}

/**
 * Value of attribute `name` in a start tag's text (`<c r="A1" t="s">`), entity-decoded; null when absent.
 * `name` may carry a prefix (`r:id`); a name without one also matches only the exact, unprefixed attribute.
 */
export function attr(tag: string, name: string): string | null {
  let from = 0;
  for (;;) {
    const at = tag.indexOf(name, from);
    if (at < 0) return null;
    from = at + name.length;
    if (!isSpace(tag.charCodeAt(at - 1))) continue;
    let i = from;
    while (isSpace(tag.charCodeAt(i))) i++;
    if (tag.charCodeAt(i) !== 61 /* = */) continue;
    i++;
    while (isSpace(tag.charCodeAt(i))) i++;
    const quote = tag[i];
    if (quote !== '"' && quote !== "'") continue;
    const end = tag.indexOf(quote, i + 1);
    if (end < 0) return null;
    return decodeEntities(tag.slice(i + 1, end));
  }
}

/** Start of the root element (after the prolog, comments and processing instructions), or -1. */
function rootStart(text: string): number {
  let pos = 0;
  for (;;) {
    const lt = text.indexOf('<', pos);
    if (lt < 0) return -1;
    const next = text.charCodeAt(lt + 1);
    if (next === 63 /* ? */) {
      const end = text.indexOf('?>', lt + 2);
      if (end < 0) return -1;
      pos = end + 2;
    } else if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) return -1;
      pos = end + 3;
    } else if (next === 33 /* ! */) {
      return -1; // a DOCTYPE: refuseDtd reports it
    } else {
      return lt;
    }
  }
}

/**
 * The namespace prefix the part uses for its root element and, in every file we have seen, for all the
 * SpreadsheetML elements under it: '' for `<worksheet>`, 'x:' for `<x:worksheet>`. Null when no root yet.
 */
export function rootPrefix(text: string): { prefix: string; local: string } | null {
  const lt = rootStart(text);
  if (lt < 0) return null;
  let end = lt + 1;
  while (end < text.length && !endsName(text, end)) end++;
  if (end >= text.length) return null;
  const name = text.slice(lt + 1, end);
  const colon = name.indexOf(':');
  return colon < 0 ? { prefix: '', local: name } : { prefix: name.slice(0, colon + 1), local: name.slice(colon + 1) };
}

/** Where a DOCTYPE or ENTITY declaration appears in the text, or -1. Case-insensitive on purpose. */
export function findDtd(text: string): number {
  let pos = text.indexOf('<!');
  while (pos >= 0) {
    const word = text.slice(pos + 2, pos + 9).toUpperCase();
    if (word.startsWith('DOCTYPE') || word.startsWith('ENTITY')) return pos;
    pos = text.indexOf('<!', pos + 2);
  }
  return -1;
}

/**
 * The text of the `<t>` elements of one shared string or inline string (the inside of `<si>` or `<is>`) joined:
 * plain text and rich-text runs (`<r><t>`) alike; phonetic runs (`<rPh>`, Japanese readings) are not part of
 * the value.
 */
export function stringItemText(item: string, prefix: string): string {
  const tOpen = `<${prefix}t`;
  const tClose = `</${prefix}t>`;
  const rPhOpen = `<${prefix}rPh`;
  const rPhClose = `</${prefix}rPh>`;
  let out = '';
  let pos = 0;
  let nextRPh = item.indexOf(rPhOpen);
  for (;;) {
    const t = item.indexOf(tOpen, pos);
    if (t < 0) break;
    if (nextRPh >= 0 && nextRPh < t) {
      const skip = item.indexOf(rPhClose, nextRPh);
      if (skip < 0) break;
      pos = skip + rPhClose.length;
      nextRPh = item.indexOf(rPhOpen, pos);
      continue;
    }
    pos = t + tOpen.length;
    if (!endsName(item, pos)) continue;
    const gt = item.indexOf('>', pos);
    if (gt < 0) break;
    pos = gt + 1;
    if (item.charCodeAt(gt - 1) === 47 /* / */) continue; // <t/>
    const end = item.indexOf(tClose, gt);
    if (end < 0) break;
    out += decodeText(item.slice(gt + 1, end));
    pos = end + tClose.length;
  }
  return out;
}

/** `AB12` -> 0-based row and column; null when it is not a cell reference. */
export function parseCellRef(ref: string): { row: number; col: number } | null {
  let col = 0;
  let i = 0;
  const n = ref.length;
  while (i < n) {
    const code = ref.charCodeAt(i) | 0x20; // lower-case letters
    if (code < 97 || code > 122) break;
    col = col * 26 + (code - 96);
    i++;
  }
  if (i === 0 || i > 3) return null;
  let row = 0;
  let digits = 0;
  while (i < n) {
    const code = ref.charCodeAt(i);
    if (code < 48 || code > 57) return null;
    row = row * 10 + (code - 48);
    digits++;
    i++;
  }
  if (digits === 0 || row < 1) return null;
  return { row: row - 1, col: col - 1 };
}

/** The first start tag `<qname ...>` of `xml` at or after `from` (not `<qnameX`), with its offsets; null when none. */
function nextStartTag(xml: string, qname: string, from: number): { tag: string; start: number; end: number } | null {
  const open = `<${qname}`;
  let pos = from;
  for (;;) {
    const at = xml.indexOf(open, pos);
    if (at < 0) return null;
    pos = at + open.length;
    if (!endsName(xml, pos)) continue;
    const gt = xml.indexOf('>', pos);
    return gt < 0 ? null : { tag: xml.slice(at, gt + 1), start: at, end: gt + 1 };
  }
}

/** A start tag's text (`<sheet name=".." .../>`) for each element `qname` of `xml`, with its offsets. */
export function startTags(xml: string, qname: string): { tag: string; start: number; end: number }[] {
  const out: { tag: string; start: number; end: number }[] = [];
  for (let t = nextStartTag(xml, qname, 0); t; t = nextStartTag(xml, qname, t.end)) out.push(t);
  return out;
}

export interface ElementSpan {
  /** Offsets of `<`, of just after the start tag's `>`, and of just after the end tag (or the `/>`). */
  start: number;
  tagEnd: number;
  end: number;
  /** The start tag's text. */
  tag: string;
  selfClosing: boolean;
}

/**
 * The elements `qname` of `xml` in order (`<row ...>...</row>`, `<c .../>`), for elements that do not nest in one
 * another, as rows, cells and shared strings do not. Each search resumes after the previous element's end tag, so
 * its content is read once. Stops at the first one that is cut off.
 */
export function* elements(xml: string, qname: string): Generator<ElementSpan> {
  const close = `</${qname}>`;
  for (let t = nextStartTag(xml, qname, 0); t;) {
    const selfClosing = xml.charCodeAt(t.end - 2) === 47;
    const closeAt = selfClosing ? -1 : xml.indexOf(close, t.end);
    if (!selfClosing && closeAt < 0) return;
    const end = selfClosing ? t.end : closeAt + close.length;
    yield { start: t.start, tagEnd: t.end, end, tag: t.tag, selfClosing };
    t = nextStartTag(xml, qname, end);
  }
}
