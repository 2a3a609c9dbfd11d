// Notes (legacy comments) of a worksheet: the comments part (CT_Comments) and the VML drawing that shows them,
// both as namespace-aware DOMs. The VML is the one the sheet's `<legacyDrawing r:id>` names, never the first
// VML relationship: a sheet may also hold a header/footer VML (`legacyDrawingHF`, the institution's logo),
// drawings, tables and threaded comments, their relationships in any order. Both parts are created when missing.
// Shape ids are unique in the package: each VML owns blocks of 1024 ids (`o:idmap`), shapes take `_x0000_sN`.
import type { Document, Element } from '@xmldom/xmldom';
import { CafError } from '../../plan/errors';
import {
  NS,
  child,
  children,
  descendants,
  element,
  prefixInScope,
  qualified,
  serializeXml,
  setAttributeNS,
  textOf,
} from './dom';
import { CONTENT_TYPES, REL_TYPES, type XlsxPackage } from './package';
import { parseCellRef } from './xml';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
/** CT_Comments children in schema order. */
const COMMENTS_ORDER = ['authors', 'commentList', 'extLst'];

export interface NoteOptions {
  /** Size of the note box, in columns and rows. */
  columns?: number;
  rows?: number;
  author?: string;
}

export interface NewNote {
  ref: string;
  row: number;
  col: number;
  text: string;
  options: NoteOptions;
}

/** What notes need of the worksheet: its `<legacyDrawing>`'s relationship id, and a way to set it. */
export interface LegacyDrawingHost {
  part: string;
  legacyDrawingId(): string | null;
  setLegacyDrawing(rid: string): void;
}

function rootOf(doc: Document): Element {
  return doc.documentElement!;
}

/** The comments part of a sheet, by relationship type (a sheet has at most one). */
function commentsPartOf(pkg: XlsxPackage, sheetPart: string): string | null {
  return pkg.related(sheetPart, REL_TYPES.comments).find((r) => r.target && pkg.has(r.target))?.target ?? null;
}

/** The VML part the sheet's `<legacyDrawing>` names, when it names an existing VML drawing. */
function notesVmlOf(pkg: XlsxPackage, host: LegacyDrawingHost): string | null {
  const rid = host.legacyDrawingId();
  if (!rid) return null;
  const rel = pkg.relationship(host.part, rid);
  return rel?.type === REL_TYPES.vmlDrawing && rel.target && pkg.has(rel.target) ? rel.target : null;
}

/** Text of a run or of a `<text>` (its `<t>` descendants). */
function runText(el: Element): string {
  return descendants(el, NS.main, 't')
    .map((t) => textOf(t))
    .join('');
}

function shapeCell(shape: Element): { row: number; col: number; note: boolean } | null {
  const data = child(shape, NS.excel, 'ClientData');
  if (!data) return null;
  const row = child(data, NS.excel, 'Row');
  const col = child(data, NS.excel, 'Column');
  if (!row || !col) return null;
  return {
    row: Number(textOf(row).trim()),
    col: Number(textOf(col).trim()),
    note: (data.getAttribute('ObjectType') ?? '') === 'Note',
  };
}

/**
 * Removes notes an earlier run of ours wrote: a whole note by `author` whose text `ours` recognises (and its
 * VML shape), and, in someone else's note, the runs we appended after a blank line. Other notes stay as written.
 */
export function removeNotes(
  pkg: XlsxPackage,
  host: LegacyDrawingHost,
  author: string,
  ours: (text: string) => boolean,
): void {
  const part = commentsPartOf(pkg, host.part);
  if (!part) return;
  const doc = pkg.dom(part);
  const root = rootOf(doc);
  const authorsEl = child(root, NS.main, 'authors');
  const authors = authorsEl ? children(authorsEl, NS.main, 'author').map(textOf) : [];
  const list = child(root, NS.main, 'commentList');
  if (!list) return;
  const removed = new Set<string>();
  let changed = false;
  for (const comment of children(list, NS.main, 'comment')) {
    const text = child(comment, NS.main, 'text');
    if (!text) continue;
    const runs = children(text, NS.main, 'r');
    const texts = runs.map(runText);
    if (authors[Number(comment.getAttribute('authorId'))] === author && ours(runText(text))) {
      list.removeChild(comment);
      const ref = parseCellRef(comment.getAttribute('ref') ?? '');
      if (ref) removed.add(`${ref.row}:${ref.col}`);
      changed = true;
      continue;
    }
    const drop = runs.filter((_, i) => ours(texts[i]!) || (texts[i] === '\n\n' && ours(texts[i + 1] ?? '')));
    if (drop.length > 0 && drop.length < runs.length) {
      for (const run of drop) text.removeChild(run);
      changed = true;
    }
  }
  if (!changed) return;
  pkg.setDom(part, doc);
  const vmlPart = notesVmlOf(pkg, host);
  if (!vmlPart || removed.size === 0) return;
  const vml = pkg.dom(vmlPart);
  let shapesRemoved = false;
  for (const shape of descendants(vml, NS.vml, 'shape')) {
    const cell = shapeCell(shape);
    if (cell?.note && removed.has(`${cell.row}:${cell.col}`)) {
      shape.parentNode!.removeChild(shape);
      shapesRemoved = true;
    }
  }
  if (shapesRemoved) pkg.setDom(vmlPart, vml);
}

/** Text as OOXML carries it in a text node: characters XML cannot hold as `_xHHHH_` (encodeCellText without XML escaping). */
export type TextEncoder = (text: string) => string;

function newRun(parent: Element, text: string, encode: TextEncoder): Element {
  const run = element(parent, NS.main, 'r');
  const t = element(run, NS.main, 't', {}, encode(text));
  t.setAttributeNS(XML_NS, 'xml:space', 'preserve');
  return run;
}

/** Writes notes into the sheet's comments part, and their shapes into the VML its `<legacyDrawing>` names. */
export function writeNotes(
  pkg: XlsxPackage,
  host: LegacyDrawingHost,
  notes: readonly NewNote[],
  encode: TextEncoder,
): void {
  if (notes.length === 0) return;
  let part = commentsPartOf(pkg, host.part);
  if (!part) {
    part = pkg.freeName((n) => `xl/comments${n}.xml`);
    pkg.setText(
      part,
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="${NS.main}"><authors/><commentList/></comments>`,
    );
    pkg.setOverride(part, CONTENT_TYPES.comments);
    pkg.addRelationship(host.part, REL_TYPES.comments, part);
  }
  const doc = pkg.dom(part);
  const root = rootOf(doc);
  const ensure = (local: string): Element => {
    let el = child(root, NS.main, local);
    if (!el) {
      el = element(root, NS.main, local);
      const next = children(root, NS.main).find(
        (c) => COMMENTS_ORDER.indexOf(c.localName ?? '') > COMMENTS_ORDER.indexOf(local),
      );
      root.insertBefore(el, next ?? null);
    }
    return el;
  };
  const authorsEl = ensure('authors');
  const list = ensure('commentList');
  const authorIds = new Map<string, number>();
  children(authorsEl, NS.main, 'author').forEach((a, i) => {
    if (!authorIds.has(textOf(a))) authorIds.set(textOf(a), i);
  });
  const byRef = new Map<string, Element>();
  for (const c of children(list, NS.main, 'comment')) {
    const ref = c.getAttribute('ref');
    if (ref && !byRef.has(ref)) byRef.set(ref, c);
  }
  const shapes: NewNote[] = [];
  for (const note of notes) {
    const existing = byRef.get(note.ref);
    const existingText = existing ? child(existing, NS.main, 'text') : null;
    if (existingText) {
      // A note already there (the team's) keeps its text; ours follows after a blank line.
      const plain = children(existingText, NS.main, 't');
      for (const t of plain) {
        // A `<text>` holding a bare `<t>` cannot be followed by runs (CT_Rst: t, then r*): make it a run.
        const run = element(existingText, NS.main, 'r');
        existingText.insertBefore(run, t);
        run.appendChild(t);
      }
      existingText.insertBefore(
        newRun(existingText, '\n\n', encode),
        child(existingText, NS.main, 'rPh') ?? child(existingText, NS.main, 'phoneticPr'),
      );
      existingText.insertBefore(
        newRun(existingText, note.text, encode),
        child(existingText, NS.main, 'rPh') ?? child(existingText, NS.main, 'phoneticPr'),
      );
      continue;
    }
    const author = note.options.author ?? 'caf-plan';
    let authorId = authorIds.get(author);
    if (authorId === undefined) {
      authorId = children(authorsEl, NS.main, 'author').length;
      authorIds.set(author, authorId);
      element(authorsEl, NS.main, 'author', {}, author);
    }
    const comment = element(list, NS.main, 'comment', { ref: note.ref, authorId });
    const text = element(comment, NS.main, 'text');
    newRun(text, note.text, encode);

    byRef.set(note.ref, comment);
    shapes.push(note);
  }
  pkg.setDom(part, doc);
  if (shapes.length > 0) writeShapes(pkg, host, shapes);
}

const SHAPE_ID = /^_x0000_s(\d+)$/;

/** The VML parts of the package (by relationship type from any part, and by extension), their DOMs when well-formed. */
function vmlParts(pkg: XlsxPackage): string[] {
  return pkg.names.filter((name) => /\.vml$/i.test(name));
}

/** The idmap blocks a VML claims and the shape numbers it uses. */
function vmlIds(doc: Document): { blocks: number[]; shapes: number[] } {
  const blocks: number[] = [];
  for (const idmap of descendants(doc, NS.office, 'idmap')) {
    for (const d of (idmap.getAttribute('data') ?? '').split(/[,\s]+/)) if (/^\d+$/.test(d)) blocks.push(Number(d));
  }
  const shapes: number[] = [];
  for (const shape of descendants(doc, NS.vml, 'shape')) {
    for (const value of [shape.getAttribute('id') ?? '', shape.getAttributeNS(NS.office, 'spid') ?? '']) {
      const m = SHAPE_ID.exec(value);
      if (m) shapes.push(Number(m[1]));
    }
  }
  return { blocks, shapes };
}

function writeShapes(pkg: XlsxPackage, host: LegacyDrawingHost, notes: readonly NewNote[]): void {
  const usedBlocks = new Set<number>();
  const usedShapes = new Set<number>();
  let vmlPart = notesVmlOf(pkg, host);
  for (const name of vmlParts(pkg)) {
    if (name === vmlPart) continue;
    let ids: { blocks: number[]; shapes: number[] };
    try {
      ids = vmlIds(pkg.dom(name));
    } catch {
      continue; // A VML we cannot parse is not ours to change; its ids are not counted.
    }
    ids.blocks.forEach((b) => usedBlocks.add(b));
    ids.shapes.forEach((s) => {
      usedShapes.add(s);
      usedBlocks.add(Math.floor(s / 1024));
    });
  }
  const freeBlock = (): number => {
    let b = 1;
    while (usedBlocks.has(b)) b++;
    usedBlocks.add(b);
    return b;
  };
  const otherBlocks = new Set(usedBlocks);
  let doc: Document;
  if (vmlPart) {
    try {
      doc = pkg.dom(vmlPart);
    } catch (error) {
      if (error instanceof CafError) {
        throw new CafError(
          'xlsx-vml-malformed',
          {
            ro: `Desenul VML al notelor foii (${vmlPart}) nu este XML corect: notele nu pot fi adăugate.`,
            en: `The sheet's notes VML drawing (${vmlPart}) is not well-formed XML: notes cannot be added.`,
          },
          422,
        );
      }
      throw error;
    }
  } else {
    const block = freeBlock();
    vmlPart = pkg.freeName((n) => `xl/drawings/vmlDrawing${n}.vml`);
    pkg.setText(
      vmlPart,
      `<xml xmlns:v="${NS.vml}" xmlns:o="${NS.office}" xmlns:x="${NS.excel}">` +
        `<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="${block}"/></o:shapelayout></xml>`,
    );
    pkg.setDefault('vml', CONTENT_TYPES.vmlDrawing);
    const rid = pkg.addRelationship(host.part, REL_TYPES.vmlDrawing, vmlPart);
    host.setLegacyDrawing(rid);
    doc = pkg.dom(vmlPart);
  }
  const root = rootOf(doc);
  const own = vmlIds(doc);
  const blocks = own.blocks.filter((b) => !otherBlocks.has(b));
  blocks.forEach((b) => usedBlocks.add(b));
  own.shapes.forEach((s) => usedShapes.add(s));
  if (blocks.length === 0) {
    const block = freeBlock();
    blocks.push(block);
    let idmap = descendants(doc, NS.office, 'idmap')[0];
    if (!idmap) {
      const layout = element(root, NS.office, 'shapelayout');
      setAttributeNS(layout, NS.vml, 'ext', 'edit');
      root.insertBefore(layout, root.firstChild);
      idmap = element(layout, NS.office, 'idmap');
      setAttributeNS(idmap, NS.vml, 'ext', 'edit');
    }
    const data = (idmap.getAttribute('data') ?? '').trim();
    idmap.setAttribute('data', data ? `${data},${block}` : String(block));
  }
  let blockAt = 0;
  let next = blocks[0]! * 1024 + 1;
  const nextId = (): number => {
    for (;;) {
      if (next >= (blocks[blockAt]! + 1) * 1024) {
        blockAt++;
        if (blockAt >= blocks.length) {
          const block = freeBlock();
          blocks.push(block);
          const idmap = descendants(doc, NS.office, 'idmap')[0]!;
          idmap.setAttribute('data', `${idmap.getAttribute('data')},${block}`);
        }
        next = blocks[blockAt]! * 1024 + 1;
      }
      const id = next++;
      if (!usedShapes.has(id)) {
        usedShapes.add(id);
        return id;
      }
    }
  };

  const hasType = descendants(doc, NS.vml, 'shapetype').some((t) => t.getAttribute('id') === '_x0000_t202');
  if (!hasType) {
    const type = element(root, NS.vml, 'shapetype', {
      id: '_x0000_t202',
      coordsize: '21600,21600',
      path: 'm,l,21600r21600,l21600,xe',
    });
    setAttributeNS(type, NS.office, 'spt', '202');
    element(type, NS.vml, 'stroke', { joinstyle: 'miter' });
    const path = element(type, NS.vml, 'path', { gradientshapeok: 't' });
    setAttributeNS(path, NS.office, 'connecttype', 'rect');
  }
  // The shapes are many (a merge may mark thousands of cells) and all alike: written as markup after the DOM,
  // each with the prefixes bound at the root, or its own declarations where the root binds none (openpyxl
  // declares VML namespaces per element).
  const prefixes: string[] = [];
  const declared: string[] = [];
  for (const ns of [NS.vml, NS.office, NS.excel]) {
    const bound = prefixInScope(root, ns);
    if (bound) {
      prefixes.push(bound);
      continue;
    }
    const name = qualified(root, ns, 'a', true);
    const prefix = name.slice(0, name.indexOf(':'));
    prefixes.push(prefix);
    declared.push(` xmlns:${prefix}="${ns}"`);
  }
  const [v, o, x] = prefixes as [string, string, string];
  let z = descendants(doc, NS.vml, 'shape').length;
  const shapes: string[] = [];
  for (const note of notes) {
    const cols = note.options.columns ?? 3;
    const rows = note.options.rows ?? 4;
    const top = Math.max(0, note.row - 1);
    const anchor = `${note.col + 1}, 15, ${top}, 10, ${note.col + 1 + cols}, 15, ${top + rows}, 4`;
    shapes.push(
      `<${v}:shape${declared.join('')} id="_x0000_s${nextId()}" type="#_x0000_t202" style="position:absolute;margin-left:60pt;margin-top:2pt;width:${cols * 64}pt;height:${rows * 15}pt;z-index:${++z};visibility:hidden" fillcolor="#ffffe1" ${o}:insetmode="auto">` +
        `<${v}:fill color2="#ffffe1"/><${v}:shadow on="t" color="black" obscured="t"/><${v}:path ${o}:connecttype="none"/>` +
        `<${v}:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></${v}:textbox>` +
        `<${x}:ClientData ObjectType="Note"><${x}:MoveWithCells/><${x}:SizeWithCells/><${x}:Anchor>${anchor}</${x}:Anchor>` +
        `<${x}:AutoFill>False</${x}:AutoFill><${x}:Row>${note.row}</${x}:Row><${x}:Column>${note.col}</${x}:Column></${x}:ClientData></${v}:shape>`,
    );
  }
  const xml = serializeXml(doc);
  const close = xml.lastIndexOf(`</${root.tagName}>`);
  if (close < 0) {
    // A root written empty (`<xml/>`) gains its content.
    root.appendChild(doc.createTextNode(''));
    const open = serializeXml(doc);
    const at = open.lastIndexOf(`</${root.tagName}>`);
    pkg.setText(vmlPart, open.slice(0, at) + shapes.join('') + open.slice(at));
    return;
  }
  pkg.setText(vmlPart, xml.slice(0, close) + shapes.join('') + xml.slice(close));
}
