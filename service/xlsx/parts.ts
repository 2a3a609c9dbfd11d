// Readers of the package's small structural parts as namespace-aware DOMs (dom.ts): relationships, content
// types and the workbook's sheet list. Shared by the reader (read.ts) and the package we patch (package.ts), so
// both find parts the same way: by relationship type and by the id that references them, never by file name,
// prefix text or position.
import path from 'node:path';
import type { Document, Element } from '@xmldom/xmldom';
import { NS, child, children, descendants } from './dom';

export interface Relationship {
  id: string;
  type: string;
  /** The Target attribute as written. */
  rawTarget: string;
  /** Zip entry name the target resolves to; null for external targets. */
  target: string | null;
}

export type SheetState = 'visible' | 'hidden' | 'veryHidden';

export interface SheetEntry {
  name: string;
  sheetId: number;
  state: SheetState;
  /** The relationship id of `<sheet r:id>` (the r prefix as bound in scope), or null. */
  rid: string | null;
  /** 0-based position in `<sheets>` (what `localSheetId` counts). */
  index: number;
}

export function relsPathOf(part: string): string {
  const dir = path.posix.dirname(part);
  return `${dir === '.' ? '' : dir + '/'}_rels/${path.posix.basename(part)}.rels`;
}

/** The source part a `.rels` part describes the relationships of ('' for the package's own). */
export function sourceOfRels(relsPath: string): string {
  const dir = path.posix.dirname(path.posix.dirname(relsPath));
  return `${dir === '.' ? '' : dir + '/'}${path.posix.basename(relsPath).replace(/\.rels$/i, '')}`;
}

/** Resolves a relationship Target against the folder of its source (absolute targets from the package root). */
export function resolveTarget(sourceDir: string, rawTarget: string): string {
  return rawTarget.startsWith('/')
    ? path.posix.normalize(rawTarget).slice(1)
    : path.posix.normalize(path.posix.join(sourceDir === '.' ? '' : sourceDir, rawTarget)).replace(/^(\.\.\/)+/, '');
}

/** Every `<Relationship>` of a .rels part, in the package relationships namespace whatever its prefix. */
export function relationshipsOf(doc: Document, relsPath: string): Relationship[] {
  const sourceDir = path.posix.dirname(path.posix.dirname(relsPath));
  return descendants(doc, NS.pkgRel, 'Relationship').flatMap((el) => {
    const id = el.getAttribute('Id');
    const type = el.getAttribute('Type');
    const rawTarget = el.getAttribute('Target');
    if (!id || !type || rawTarget === null) return [];
    const external = el.getAttribute('TargetMode') === 'External';
    return [{ id, type, rawTarget, target: external ? null : resolveTarget(sourceDir, rawTarget) }];
  });
}

export function sheetsElement(doc: Document): Element | null {
  return doc.documentElement ? child(doc.documentElement, NS.main, 'sheets') : null;
}

/** The workbook's `<sheet>` entries, their `r:id` read by namespace (openpyxl declares it on each sheet). */
export function workbookSheets(doc: Document): SheetEntry[] {
  const sheets = sheetsElement(doc);
  if (!sheets) return [];
  return children(sheets, NS.main, 'sheet').map((el, index) => {
    const state = el.getAttribute('state');
    return {
      name: el.getAttribute('name') ?? '',
      sheetId: Number(el.getAttribute('sheetId') ?? 0),
      state: state === 'hidden' || state === 'veryHidden' ? state : 'visible',
      rid: el.getAttributeNS(NS.rel, 'id') || null,
      index,
    };
  });
}

/** `<workbookPr date1904="1"/>`: serials count days from 1904-01-01 (old Mac workbooks). */
export function uses1904(doc: Document): boolean {
  const pr = doc.documentElement ? child(doc.documentElement, NS.main, 'workbookPr') : null;
  const value = pr?.getAttribute('date1904');
  return value === '1' || value === 'true';
}

/** Whether the part's root is the SpreadsheetML element `local` (in its namespace, whatever the prefix). */
export function rootIs(doc: Document, local: string): boolean {
  const root = doc.documentElement;
  return !!root && root.localName === local && (root.namespaceURI === NS.main || root.namespaceURI === NS.strictMain);
}
