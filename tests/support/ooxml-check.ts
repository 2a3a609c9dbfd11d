// An Open XML conformance checker for the workbooks the product writes, independent of service/xlsx: what Excel
// refuses or repairs, found with xmllint (well-formedness with namespaces, ECMA-376 schemas) and a namespace-aware
// parser (saxes). It returns findings, never throws for a bad file, so a test can say exactly what is wrong.
// Also: LibreOffice and Gnumeric open a batch of workbooks and give back each sheet's cells (a second reader).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import yauzl from 'yauzl';
import { repoRoot } from './seed';

export const NS = {
  main: 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
  r: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
  pr: 'http://schemas.openxmlformats.org/package/2006/relationships',
  ct: 'http://schemas.openxmlformats.org/package/2006/content-types',
  mc: 'http://schemas.openxmlformats.org/markup-compatibility/2006',
  v: 'urn:schemas-microsoft-com:vml',
  o: 'urn:schemas-microsoft-com:office:office',
  x: 'urn:schemas-microsoft-com:office:excel',
} as const;

export const REL = {
  officeDocument: `${NS.r}/officeDocument`,
  worksheet: `${NS.r}/worksheet`,
  chartsheet: `${NS.r}/chartsheet`,
  comments: `${NS.r}/comments`,
  vmlDrawing: `${NS.r}/vmlDrawing`,
  table: `${NS.r}/table`,
  image: `${NS.r}/image`,
  threadedComment: 'http://schemas.microsoft.com/office/2017/10/relationships/threadedComment',
} as const;

const SCHEMAS = path.resolve(repoRoot, '../shared/schemas/ecma-376-transitional');

export type CheckName =
  | 'package'
  | 'well-formed'
  | 'schema'
  | 'relationship-target'
  | 'relationship-id'
  | 'content-type'
  | 'vml-shape-id'
  | 'vml-idmap'
  | 'note-shape';

export interface Finding {
  check: CheckName;
  part: string;
  message: string;
}

export type Parts = Map<string, Buffer>;

/** Every entry of a zip by name (directories left out). */
export function readParts(file: string): Promise<Parts> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, decodeStrings: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('no zip'));
      const parts: Parts = new Map();
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            parts.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(parts));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

// --- A small namespace-aware tree (saxes), enough to read, strip and re-serialise a part -------------------------

export interface XAttr {
  name: string;
  uri: string;
  local: string;
  value: string;
}
export interface XElement {
  name: string;
  uri: string;
  local: string;
  attrs: XAttr[];
  children: XNode[];
}
export type XNode = XElement | string;

/** Parses with namespaces; an unbound prefix or a syntax error throws (the well-formed check reports it). */
export function parseXml(xml: string): XElement {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XElement[] = [];
  let root: XElement | undefined;
  parser.on('opentag', (tag: SaxesTagNS) => {
    const el: XElement = {
      name: tag.name,
      uri: tag.uri,
      local: tag.local,
      attrs: Object.values(tag.attributes).map((a) => ({ name: a.name, uri: a.uri, local: a.local, value: a.value })),
      children: [],
    };
    if (stack.length > 0) stack.at(-1)!.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => void stack.pop());
  parser.on('text', (t) => {
    if (stack.length > 0) stack.at(-1)!.children.push(t);
  });
  parser.on('cdata', (t) => {
    if (stack.length > 0) stack.at(-1)!.children.push(t);
  });
  parser.write(xml.replace(/^\uFEFF/, '')).close();
  if (!root) throw new Error('no root element');
  return root;
}

const esc = (s: string, attr: boolean): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(attr ? /"/g : /$^/, '&quot;')
    .replace(attr ? /[\n\r\t]/g : /$^/, (c) => `&#${c.charCodeAt(0)};`);

export function serializeXml(el: XElement): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'];
  const walk = (e: XElement): void => {
    out.push(`<${e.name}`);
    for (const a of e.attrs) out.push(` ${a.name}="${esc(a.value, true)}"`);
    if (e.children.length === 0) {
      out.push('/>');
      return;
    }
    out.push('>');
    for (const c of e.children) {
      if (typeof c === 'string') out.push(esc(c, false));
      else walk(c);
    }
    out.push(`</${e.name}>`);
  };
  walk(el);
  return out.join('');
}

export function* descendants(el: XElement): Generator<XElement> {
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    yield c;
    yield* descendants(c);
  }
}

export const childrenOf = (el: XElement, uri: string, local: string): XElement[] =>
  el.children.filter((c): c is XElement => typeof c !== 'string' && c.uri === uri && c.local === local);
export const attrOf = (el: XElement, local: string, uri = ''): string | undefined =>
  el.attrs.find((a) => a.local === local && a.uri === uri && !a.name.startsWith('xmlns'))?.value;
export const textOf = (el: XElement): string =>
  el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');

/**
 * Markup compatibility (ECMA-376 part 3) applied for validation against the 2006 schemas: elements and attributes
 * of the namespaces that mc:Ignorable names are dropped, mc:AlternateContent becomes its Fallback's content (or
 * nothing), mc: attributes go, and extLst (extension markup the schemas do not describe) is removed.
 */
export function stripIgnorable(root: XElement): XElement {
  const ignorable = new Set<string>();
  for (const el of [root, ...descendants(root)]) {
    const list = el.attrs.find((a) => a.uri === NS.mc && a.local === 'Ignorable')?.value;
    if (!list) continue;
    for (const prefix of list.split(/\s+/).filter(Boolean)) {
      // The prefix's binding, looked up on this element (writers declare the ignorable namespaces on the root).
      const decl = el.attrs.find((a) => a.name === `xmlns:${prefix}`);
      if (decl) ignorable.add(decl.value);
    }
  }
  const strip = (el: XElement): XNode[] => {
    if (ignorable.has(el.uri)) return [];
    if (el.uri === NS.main && el.local === 'extLst') return [];
    if (el.uri === NS.mc && el.local === 'AlternateContent') {
      const fallback = childrenOf(el, NS.mc, 'Fallback')[0];
      if (!fallback) return [];
      const decls = [...el.attrs, ...fallback.attrs].filter((a) => a.name.startsWith('xmlns'));
      return fallback.children.flatMap((c) => {
        if (typeof c === 'string') return [c];
        return strip(c).map((n) => {
          if (typeof n === 'string') return n;
          const have = new Set(n.attrs.map((a) => a.name));
          return { ...n, attrs: [...decls.filter((d) => !have.has(d.name)), ...n.attrs] };
        });
      });
    }
    return [
      {
        ...el,
        // xml:space="preserve" is what every writer puts on <t>; the 1st edition schema does not declare it.
        attrs: el.attrs.filter((a) => a.uri !== NS.mc && !ignorable.has(a.uri) && a.name !== 'xml:space'),
        children: el.children.flatMap((c) => (typeof c === 'string' ? [c] : strip(c))),
      },
    ];
  };
  return strip(root)[0] as XElement;
}

// --- Package structure ---------------------------------------------------------------------------------------------

export const isXmlPart = (name: string): boolean => /\.(xml|rels|vml)$/i.test(name);

export function relsPartOf(part: string): string {
  const dir = path.posix.dirname(part);
  return path.posix.join(dir === '.' ? '' : dir, '_rels', `${path.posix.basename(part)}.rels`);
}

export interface Rel {
  id: string;
  type: string;
  target: string;
  /** The part it names, resolved against the source part (undefined for an external target). */
  part?: string;
}

export function relsOf(parts: Parts, part: string): Rel[] {
  const data = parts.get(relsPartOf(part));
  if (!data) return [];
  let root: XElement;
  try {
    root = parseXml(data.toString('utf8'));
  } catch {
    return [];
  }
  return childrenOf(root, NS.pr, 'Relationship').map((r) => {
    const target = attrOf(r, 'Target') ?? '';
    const external = attrOf(r, 'TargetMode') === 'External';
    const base = path.posix.dirname(part);
    const resolved = target.startsWith('/')
      ? target.slice(1)
      : path.posix.normalize(path.posix.join(base === '.' ? '' : base, target));
    return {
      id: attrOf(r, 'Id') ?? '',
      type: attrOf(r, 'Type') ?? '',
      target,
      ...(external ? {} : { part: decodeURI(resolved) }),
    };
  });
}

/** Finds a part by name the way OPC compares them (case-insensitive). */
export function findPart(parts: Parts, name: string): string | undefined {
  if (parts.has(name)) return name;
  const lower = name.toLowerCase();
  return [...parts.keys()].find((k) => k.toLowerCase() === lower);
}

/** The extension a Default content type matches: `_rels/.rels` has the extension `rels`. */
const extensionOf = (part: string): string => {
  const base = path.posix.basename(part);
  return base.includes('.') ? base.slice(base.lastIndexOf('.') + 1).toLowerCase() : '';
};

export function contentTypes(parts: Parts): { defaults: Map<string, string>; overrides: Map<string, string> } {
  const defaults = new Map<string, string>();
  const overrides = new Map<string, string>();
  const data = parts.get('[Content_Types].xml');
  if (!data) return { defaults, overrides };
  try {
    const root = parseXml(data.toString('utf8'));
    for (const d of childrenOf(root, NS.ct, 'Default'))
      defaults.set((attrOf(d, 'Extension') ?? '').toLowerCase(), attrOf(d, 'ContentType') ?? '');
    for (const o of childrenOf(root, NS.ct, 'Override'))
      overrides.set((attrOf(o, 'PartName') ?? '').replace(/^\//, '').toLowerCase(), attrOf(o, 'ContentType') ?? '');
  } catch {
    // reported by the well-formed check
  }
  return { defaults, overrides };
}

export function contentTypeOf(parts: Parts, part: string): string | undefined {
  const { defaults, overrides } = contentTypes(parts);
  return overrides.get(part.toLowerCase()) ?? defaults.get(extensionOf(part));
}

/** The workbook part and its sheets (name, part, relationship type). */
export function sheetsOf(parts: Parts): { workbook: string; sheets: { name: string; part?: string; type?: string }[] } {
  const workbook = relsOf(parts, '').find((r) => r.type === REL.officeDocument)?.part ?? 'xl/workbook.xml';
  const data = parts.get(workbook);
  if (!data) return { workbook, sheets: [] };
  const rels = relsOf(parts, workbook);
  const root = parseXml(data.toString('utf8'));
  const sheets = [...descendants(root)]
    .filter((e) => e.uri === NS.main && e.local === 'sheet')
    .map((s) => {
      const rel = rels.find((r) => r.id === attrOf(s, 'id', NS.r));
      return { name: attrOf(s, 'name') ?? '', part: rel?.part, type: rel?.type };
    });
  return { workbook, sheets };
}

const SML_TYPES =
  /spreadsheetml\.(sheet\.main|template\.main|worksheet|sharedStrings|styles|comments)\+xml$|ms-excel\.sheet\.macroEnabled\.main\+xml$/;

/** Which schema validates a part, if any (only the parts kinds the product writes). */
function schemaOf(parts: Parts, part: string): string | undefined {
  if (part === '[Content_Types].xml') return path.join(SCHEMAS, 'opc-xsd/opc-contentTypes.xsd');
  if (part.endsWith('.rels')) return path.join(SCHEMAS, 'opc-xsd/opc-relationships.xsd');
  const type = contentTypeOf(parts, part);
  if (type && SML_TYPES.test(type)) return path.join(SCHEMAS, 'sml.xsd');
  return undefined;
}

// --- xmllint, batched: one process per package and schema ---------------------------------------------------------

function xmllint(args: string[], files: string[]): string {
  if (files.length === 0) return '';
  const r = spawnSync('xmllint', [...args, ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return r.stderr ?? '';
}

/** Groups xmllint's messages by the file they name (`file:line: ...` or `file fails to validate`). */
function messagesByFile(stderr: string, files: string[]): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  const sorted = [...files].sort((a, b) => b.length - a.length);
  for (const line of stderr.split('\n')) {
    if (!line.trim() || / validates$/.test(line)) continue;
    const file = sorted.find((f) => line.startsWith(`${f}:`) || line.startsWith(`${f} `));
    if (!file) continue;
    if (/ fails to validate$/.test(line)) continue;
    const list = byFile.get(file) ?? [];
    list.push(line.slice(file.length + 1).trim());
    byFile.set(file, list);
  }
  return byFile;
}

export interface CheckOptions {
  /**
   * The workbook the product started from: only the parts the product wrote (changed or added) are validated
   * against the schemas (a writer's own parts are not the product's business). Without it every part of the kinds
   * the product writes is validated.
   */
  input?: Parts;
}

export interface CheckItem {
  parts: Parts;
  input?: Parts;
}

/** Every check on one package. */
export async function checkXlsx(file: string, options: CheckOptions = {}): Promise<Finding[]> {
  return (await checkXlsxBatch([{ file, ...(options.input ? { input: options.input } : {}) }]))[0]!;
}

/** Every check on many packages, with one xmllint process per kind of check for the whole batch. */
export async function checkXlsxBatch(items: { file: string; input?: Parts }[]): Promise<Finding[][]> {
  const loaded: (CheckItem | Finding[])[] = [];
  for (const item of items) {
    try {
      loaded.push({ parts: await readParts(item.file), ...(item.input ? { input: item.input } : {}) });
    } catch (error) {
      loaded.push([{ check: 'package', part: '', message: `not a zip: ${(error as Error).message}` }]);
    }
  }
  const ok = loaded.filter((l): l is CheckItem => !Array.isArray(l));
  const results = checkPartsBatch(ok);
  let k = 0;
  return loaded.map((l) => (Array.isArray(l) ? l : results[k++]!));
}

export function checkParts(parts: Parts, options: CheckOptions = {}): Finding[] {
  return checkPartsBatch([{ parts, ...(options.input ? { input: options.input } : {}) }])[0]!;
}

export function checkPartsBatch(items: CheckItem[]): Finding[][] {
  const all: Finding[][] = items.map(() => []);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caf-ooxml-'));
  try {
    // Every XML part (VML included) on disk, for xmllint.
    const onDisk = items.map((item, i) => {
      const m = new Map<string, string>();
      for (const part of [...item.parts.keys()].filter(isXmlPart)) {
        const f = path.join(dir, `i${i}`, part.replace(/[[\]]/g, '_'));
        mkdirSync(path.dirname(f), { recursive: true });
        writeFileSync(f, item.parts.get(part)!);
        m.set(part, f);
      }
      return m;
    });
    // 1. Well-formed, every prefix bound (xmllint reports namespace errors).
    const files = onDisk.flatMap((m) => [...m.values()]);
    const wf = messagesByFile(xmllint(['--noout'], files), files);
    const treesOf: Map<string, XElement>[] = [];
    const brokenOf: Set<string>[] = [];
    items.forEach((item, i) => {
      const trees = new Map<string, XElement>();
      const broken = new Set<string>();
      for (const [part, f] of onDisk[i]!) {
        const messages = wf.get(f);
        if (messages?.length) {
          broken.add(part);
          const errors = messages.filter((m) => /error/.test(m));
          all[i]!.push({
            check: 'well-formed',
            part,
            message: (errors.length ? errors : messages).slice(0, 3).join(' | '),
          });
          continue;
        }
        try {
          trees.set(part, parseXml(item.parts.get(part)!.toString('utf8')));
        } catch (error) {
          broken.add(part);
          all[i]!.push({ check: 'well-formed', part, message: (error as Error).message.split('\n')[0]! });
        }
      }
      treesOf.push(trees);
      brokenOf.push(broken);
    });

    // 2. Schema validity of the parts the product writes, after markup compatibility is applied.
    const bySchema = new Map<string, { item: number; part: string; file: string }[]>();
    let n = 0;
    items.forEach((item, i) => {
      for (const [part, tree] of treesOf[i]!) {
        if (item.input?.get(part)?.equals(item.parts.get(part)!)) continue;
        const schema = schemaOf(item.parts, part);
        if (!schema) continue;
        const f = path.join(dir, 'stripped', `${n++}-${part.replace(/[^\w.]/g, '_')}`);
        mkdirSync(path.dirname(f), { recursive: true });
        writeFileSync(f, serializeXml(stripIgnorable(tree)));
        bySchema.set(schema, [...(bySchema.get(schema) ?? []), { item: i, part, file: f }]);
      }
    });
    for (const [schema, list] of bySchema) {
      const names = list.map((l) => l.file);
      const out = messagesByFile(xmllint(['--noout', '--schema', schema], names), names);
      for (const { item, part, file: f } of list) {
        const messages = out.get(f);
        if (messages?.length) all[item]!.push({ check: 'schema', part, message: messages.slice(0, 3).join(' | ') });
      }
    }

    items.forEach((item, i) => all[i]!.push(...structureFindings(item.parts, treesOf[i]!, brokenOf[i]!)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return all;
}

/** Relationships, content types, VML shape ids and notes' shapes of one package. */
function structureFindings(parts: Parts, trees: Map<string, XElement>, broken: Set<string>): Finding[] {
  const findings: Finding[] = [];
  const add = (check: CheckName, part: string, message: string): void => void findings.push({ check, part, message });

  // 3. Relationships: every target exists; every r: attribute (and VML o:relid) names a relationship of its part.
  for (const relsPart of [...parts.keys()].filter((p) => p.endsWith('.rels'))) {
    if (broken.has(relsPart)) continue;
    const source = relsPart.replace(/_rels\/([^/]*)\.rels$/, '$1');
    if (source !== '' && !findPart(parts, source))
      add('relationship-target', relsPart, 'relationships of a missing part');
    const seen = new Set<string>();
    for (const rel of relsOf(parts, source)) {
      if (seen.has(rel.id)) add('relationship-id', relsPart, `relationship id ${rel.id} used twice`);
      seen.add(rel.id);
      if (rel.part !== undefined && !findPart(parts, rel.part))
        add('relationship-target', relsPart, `${rel.id} (${rel.type.split('/').pop()}) targets missing ${rel.part}`);
    }
  }
  for (const [part, tree] of trees) {
    if (part.endsWith('.rels')) continue;
    const ids = new Set(relsOf(parts, part).map((r) => r.id));
    for (const el of [tree, ...descendants(tree)]) {
      for (const a of el.attrs) {
        const isRef = (a.uri === NS.r && !a.name.startsWith('xmlns')) || (a.uri === NS.o && a.local === 'relid');
        if (isRef && a.value !== '' && !ids.has(a.value))
          add('relationship-id', part, `<${el.name} ${a.name}="${a.value}">: no such relationship`);
      }
    }
  }

  // 4. Every part has a content type.
  const ct = contentTypes(parts);
  for (const part of parts.keys()) {
    if (part === '[Content_Types].xml') continue;
    if (!ct.overrides.has(part.toLowerCase()) && !ct.defaults.has(extensionOf(part)))
      add('content-type', part, 'no Default or Override content type');
  }

  // 5. VML. Notes drawings (named by a <legacyDrawing>, or holding notes): shape ids unique across all of them and
  // o:idmap blocks not shared. A header/footer drawing (legacyDrawingHF) is checked on its own: XlsxWriter's own
  // header drawings reuse the notes' block and Excel opens them.
  const worksheets = [...trees.keys()].filter((p) =>
    /spreadsheetml\.worksheet\+xml$/.test(contentTypeOf(parts, p) ?? ''),
  );
  const legacyOf = (sheet: string, local: 'legacyDrawing' | 'legacyDrawingHF'): string | undefined => {
    const el = childrenOf(trees.get(sheet)!, NS.main, local)[0];
    return el ? relsOf(parts, sheet).find((r) => r.id === attrOf(el, 'id', NS.r))?.part : undefined;
  };
  const vmlParts = [...trees.keys()].filter(
    (p) => /\.vml$/i.test(p) || contentTypeOf(parts, p) === 'application/vnd.openxmlformats-officedocument.vmlDrawing',
  );
  const notesDrawings = new Set(worksheets.map((s) => legacyOf(s, 'legacyDrawing')).filter((p) => p !== undefined));
  for (const p of vmlParts)
    if ([...descendants(trees.get(p)!)].some((e) => e.uri === NS.x && attrOf(e, 'ObjectType') === 'Note'))
      notesDrawings.add(p);
  const spids = new Map<string, string>();
  const blocks = new Map<number, string>();
  for (const part of vmlParts) {
    const shared = notesDrawings.has(part);
    const localSpids = new Set<string>();
    const localIds = new Set<string>();
    for (const el of descendants(trees.get(part)!)) {
      if (el.uri === NS.o && el.local === 'idmap' && shared) {
        for (const b of (attrOf(el, 'data') ?? '').split(/[\s,]+/).filter(Boolean)) {
          const other = blocks.get(Number(b));
          if (other !== undefined && other !== part) add('vml-idmap', part, `o:idmap block ${b} also used by ${other}`);
          blocks.set(Number(b), part);
        }
      }
      if (el.uri !== NS.v || el.local === 'shapetype') continue;
      const id = attrOf(el, 'id');
      const spid = attrOf(el, 'spid', NS.o) ?? id;
      if (id !== undefined) {
        if (localIds.has(id)) add('vml-shape-id', part, `two shapes with id ${id}`);
        localIds.add(id);
      }
      if (spid === undefined || !/^_x0000_s\d+$/.test(spid)) continue;
      if (localSpids.has(spid) && spid !== id) add('vml-shape-id', part, `two shapes with o:spid ${spid}`);
      localSpids.add(spid);
      if (!shared) continue;
      const other = spids.get(spid);
      if (other !== undefined && other !== part) add('vml-shape-id', part, `shape id ${spid} also in ${other}`);
      spids.set(spid, part);
    }
  }

  // 6. Every note has its shape in the VML the sheet's <legacyDrawing> names.
  for (const sheet of worksheets) {
    const commentsPart = relsOf(parts, sheet).find((r) => r.type === REL.comments)?.part;
    const comments = commentsPart ? trees.get(commentsPart) : undefined;
    if (!comments) continue;
    const refs = [...descendants(comments)]
      .filter((e) => e.uri === NS.main && e.local === 'comment')
      .map((e) => attrOf(e, 'ref') ?? '');
    if (refs.length === 0) continue;
    const vmlPart = legacyOf(sheet, 'legacyDrawing');
    const vml = vmlPart ? trees.get(vmlPart) : undefined;
    if (!vml) {
      const hasLegacy = childrenOf(trees.get(sheet)!, NS.main, 'legacyDrawing').length > 0;
      add(
        'note-shape',
        sheet,
        `${refs.length} notes (${refs.slice(0, 3).join(', ')}) but ${hasLegacy ? 'its legacyDrawing names no readable VML' : 'no <legacyDrawing>'}`,
      );
      continue;
    }
    const shapes = new Set<string>();
    for (const el of descendants(vml)) {
      if (el.uri !== NS.x || el.local !== 'ClientData' || attrOf(el, 'ObjectType') !== 'Note') continue;
      const row = childrenOf(el, NS.x, 'Row')[0];
      const col = childrenOf(el, NS.x, 'Column')[0];
      if (row && col) shapes.add(`${textOf(row).trim()},${textOf(col).trim()}`);
    }
    for (const ref of refs) {
      const m = /^([A-Z]+)(\d+)$/.exec(ref);
      if (!m) continue;
      const col = [...m[1]!].reduce((acc, ch) => acc * 26 + ch.charCodeAt(0) - 64, 0) - 1;
      if (!shapes.has(`${Number(m[2]) - 1},${col}`))
        add('note-shape', sheet, `note ${ref} has no shape in ${vmlPart} (the sheet's legacyDrawing)`);
    }
  }
  return findings;
}

// --- Second readers: LibreOffice and Gnumeric ---------------------------------------------------------------------

export type SheetCells = Map<string, string[][]>;
export interface OpenResult {
  sheets?: SheetCells;
  error?: string;
}

/** Parses the CSV LibreOffice and Gnumeric write (comma, double quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/**
 * LibreOffice opens every file (one soffice process for the whole batch) and writes each sheet as CSV; a file it
 * could not load comes back with an error.
 */
export function libreOfficeOpen(files: string[]): Map<string, OpenResult> {
  const results = new Map<string, OpenResult>();
  if (files.length === 0) return results;
  const work = mkdtempSync(path.join(os.tmpdir(), 'caf-lo-batch-'));
  try {
    const inputs = files.map((f, i) => {
      const link = path.join(work, `f${String(i).padStart(3, '0')}.xlsx`);
      writeFileSync(link, readFileSync(f));
      return link;
    });
    const out = path.join(work, 'out');
    const r = spawnSync(
      'soffice',
      [
        `-env:UserInstallation=file://${work}/profile`,
        '--headless',
        '--norestore',
        '--convert-to',
        'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1',
        '--outdir',
        out,
        ...inputs,
      ],
      { encoding: 'utf8', timeout: 600_000 },
    );
    const written = readdirSync(out, { withFileTypes: true }).map((d) => d.name);
    files.forEach((f, i) => {
      const base = `f${String(i).padStart(3, '0')}`;
      const mine = written.filter((n) => n.startsWith(`${base}-`) && n.endsWith('.csv'));
      if (mine.length === 0) {
        const why = (r.stderr ?? '').split('\n').find((l) => l.includes(path.basename(inputs[i]!)));
        results.set(f, { error: `LibreOffice could not load it${why ? `: ${why.trim()}` : ''}` });
        return;
      }
      const sheets: SheetCells = new Map();
      for (const n of mine)
        sheets.set(n.slice(base.length + 1, -'.csv'.length), parseCsv(readFileSync(path.join(out, n), 'utf8')));
      results.set(f, { sheets });
    });
  } catch (error) {
    for (const f of files) if (!results.has(f)) results.set(f, { error: (error as Error).message });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}

function gnumericOne(file: string, outDir: string): Promise<OpenResult> {
  return new Promise((resolve) => {
    const base = path.join(outDir, path.basename(file, '.xlsx'));
    mkdirSync(base, { recursive: true });
    const child = spawn('ssconvert', ['-S', '--export-type=Gnumeric_stf:stf_csv', file, path.join(base, '%s.csv')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const names = readdirSync(base).filter((n) => n.endsWith('.csv'));
      if (code !== 0 || names.length === 0) {
        resolve({
          error: `Gnumeric could not load it (exit ${code}): ${stderr.trim().split('\n').slice(-2).join(' ')}`,
        });
        return;
      }
      const sheets: SheetCells = new Map();
      for (const n of names) sheets.set(n.slice(0, -4), parseCsv(readFileSync(path.join(base, n), 'utf8')));
      resolve({ sheets });
    });
  });
}

/** Gnumeric (ssconvert) opens every file, two at a time, and writes each sheet as CSV. */
export async function gnumericOpen(files: string[], parallel = 2): Promise<Map<string, OpenResult>> {
  const results = new Map<string, OpenResult>();
  const work = mkdtempSync(path.join(os.tmpdir(), 'caf-gnm-batch-'));
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const i = next++;
        const copy = path.join(work, `f${String(i).padStart(3, '0')}.xlsx`);
        writeFileSync(copy, readFileSync(files[i]!));
        results.set(files[i]!, await gnumericOne(copy, path.join(work, 'out')));
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
