// The namespace-aware model of the small parts we change (workbook, relationships, content types, comments,
// VML, app properties): parsed with @xmldom/xmldom into a DOM where every element and attribute carries its
// namespace as the declarations in scope bind it, whatever prefix the writer chose (Excel's `r:`, openpyxl's
// per-element `xmlns:r`, Open XML SDK's `x:`, VML's `ns0`). New nodes are created by namespace; the serializer
// declares a prefix where none is bound, so what we write is well-formed by construction.
// The big sheet and shared-string parts keep their streaming path (sheet.ts, sheet-patch.ts).
import { DOMParser, XMLSerializer, type Document, type Element, type Node } from '@xmldom/xmldom';
import { readError } from './read-errors';
import { findDtd } from './xml';
import { refuseDtd } from './segments';

export const NS = {
  main: 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
  strictMain: 'http://purl.oclc.org/ooxml/spreadsheetml/main',
  rel: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
  pkgRel: 'http://schemas.openxmlformats.org/package/2006/relationships',
  contentTypes: 'http://schemas.openxmlformats.org/package/2006/content-types',
  vml: 'urn:schemas-microsoft-com:vml',
  office: 'urn:schemas-microsoft-com:office:office',
  excel: 'urn:schemas-microsoft-com:office:excel',
  extProps: 'http://schemas.openxmlformats.org/officeDocument/2006/extended-properties',
  docPropsVTypes: 'http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes',
} as const;

/** The prefix we give a namespace when a new node needs one and none is bound where it goes. */
const PREFERRED: Record<string, string> = {
  [NS.rel]: 'r',
  [NS.vml]: 'v',
  [NS.office]: 'o',
  [NS.excel]: 'x',
  [NS.docPropsVTypes]: 'vt',
};

function malformed(part: string, detail: string): Error {
  return readError(
    'xlsx-malformed',
    `Partea ${part} a fișierului nu este XML corect (${detail}): fișierul nu poate fi modificat.`,
    `Part ${part} of the file is not well-formed XML (${detail}): the file cannot be changed.`,
  );
}

/** Parses a part; a DOCTYPE is refused, malformed XML is a one-line error (xlsx-malformed), never a stack. */
export function parseXml(text: string, part: string): Document {
  if (findDtd(text) >= 0) refuseDtd(part);
  let problem: string | null = null;
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level: string, message: string) => {
        if (level !== 'warning' && problem === null) problem = String(message).split('\n')[0] ?? 'error';
      },
    }).parseFromString(text, 'text/xml');
  } catch (error) {
    throw malformed(part, error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
  }
  if (problem !== null) throw malformed(part, problem);
  if (!doc.documentElement) throw malformed(part, 'no root element');
  return doc;
}

export function serializeXml(doc: Document): string {
  return new XMLSerializer().serializeToString(doc);
}

export function isElement(node: Node | null): node is Element {
  return node !== null && node.nodeType === 1;
}

/** Child elements of `parent`, optionally only those of namespace `ns` and local name `local`. */
export function children(parent: Element | Document, ns?: string, local?: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (!isElement(n)) continue;
    if (ns !== undefined && n.namespaceURI !== ns) continue;
    if (local !== undefined && n.localName !== local) continue;
    out.push(n);
  }
  return out;
}

export function child(parent: Element | Document, ns: string, local: string): Element | null {
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (isElement(n) && n.namespaceURI === ns && n.localName === local) return n;
  }
  return null;
}

/** Every descendant element of namespace `ns` and local name `local`, in document order. */
export function descendants(root: Element | Document, ns: string, local: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, local));
}

/** The prefix bound to `ns` in scope at `el` ('' when it is the default namespace), or null when none is. */
export function prefixInScope(el: Element, ns: string): string | null {
  let defaultSeen = false;
  for (let n: Node | null = el; n && isElement(n); n = n.parentNode) {
    const attrs = n.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i)!;
      if (a.name === 'xmlns') {
        // The nearest default-namespace declaration decides what an unprefixed name means here.
        if (!defaultSeen && a.value === ns) return '';
        defaultSeen = true;
      } else if (a.prefix === 'xmlns' && a.value === ns && a.localName) {
        // Usable only if no nearer declaration rebinds that prefix.
        if (boundTo(el, a.localName) === ns) return a.localName;
      }
    }
  }
  return null;
}

/** The namespace `prefix` is bound to at `el` by the declarations in scope, or null. */
export function boundTo(el: Element, prefix: string): string | null {
  for (let n: Node | null = el; n && isElement(n); n = n.parentNode) {
    const decl = n.getAttributeNodeNS('http://www.w3.org/2000/xmlns/', prefix);
    if (decl) return decl.value;
  }
  return null;
}

/**
 * The qualified name a new node of namespace `ns` gets under `parent`: with the prefix bound there, else with
 * our preferred one (the serializer then declares it on the node). An element may use the default namespace;
 * an attribute never does (unprefixed attributes have no namespace).
 */
export function qualified(parent: Element, ns: string, local: string, forAttribute = false): string {
  const bound = prefixInScope(parent, ns);
  if (bound === '' && !forAttribute) return local;
  if (bound) return `${bound}:${local}`;
  let prefix = PREFERRED[ns] ?? 'ns';
  // A preferred prefix bound to another namespace here: pick a free one.
  for (let n = 1; boundTo(parent, prefix) !== null; n++) prefix = `${PREFERRED[ns] ?? 'ns'}${n}`;
  return `${prefix}:${local}`;
}

/** A new element of namespace `ns` named for where it goes (`parent`), appended to `parent`. */
export function createElement(parent: Element, ns: string, local: string): Element {
  const el = parent.ownerDocument!.createElementNS(ns, qualified(parent, ns, local));
  // A prefix not bound at the parent is declared on the node itself, so lookups in scope (before serializing)
  // and the serializer agree on it.
  if (el.prefix && prefixInScope(parent, ns) !== el.prefix)
    el.setAttributeNS('http://www.w3.org/2000/xmlns/', `xmlns:${el.prefix}`, ns);
  parent.appendChild(el);
  return el;
}

/** Sets a namespaced attribute with a prefix bound at `el` (declared on `el` when none is). */
export function setAttributeNS(el: Element, ns: string, local: string, value: string): void {
  const existing = el.getAttributeNodeNS(ns, local);
  if (existing) {
    existing.value = value;
    return;
  }
  const name = qualified(el, ns, local, true);
  const prefix = name.slice(0, name.indexOf(':'));
  if (prefixInScope(el, ns) !== prefix) el.setAttributeNS('http://www.w3.org/2000/xmlns/', `xmlns:${prefix}`, ns);
  el.setAttributeNS(ns, name, value);
}

/** A new child with attributes (unprefixed ones) and optional text, appended to `parent` (move it to insert it elsewhere). */
export function element(
  parent: Element,
  ns: string,
  local: string,
  attrs: Record<string, string | number> = {},
  text?: string,
): Element {
  const el = createElement(parent, ns, local);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.appendChild(parent.ownerDocument!.createTextNode(text));
  return el;
}

/**
 * Inserts `node` (a child of namespace `ns`) into `parent` where the schema's sequence `order` puts it: before
 * the first child whose local name comes later in `order`. Children of other namespaces (extensions,
 * mc:AlternateContent) are stepped over; an extLst always stays last.
 */
export function insertInOrder(parent: Element, ns: string, order: readonly string[], node: Element): void {
  const rank = order.indexOf(node.localName ?? '');
  if (rank < 0) throw new Error(`xlsx: ${node.localName} is not in the schema order`);
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (!isElement(n)) continue;
    const r = n.namespaceURI === ns ? order.indexOf(n.localName ?? '') : -1;
    if (r > rank || (n.namespaceURI === ns && n.localName === 'extLst')) {
      parent.insertBefore(node, n);
      return;
    }
  }
  parent.appendChild(node);
}

/** The element's text content. */
export function textOf(el: Element): string {
  return el.textContent ?? '';
}
