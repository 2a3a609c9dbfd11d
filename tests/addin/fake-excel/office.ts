// The Office.js surface over a FakeWorkbook: `Excel.run`, request contexts, proxy objects. As in Office.js, a
// proxy queues what is done to it; nothing reaches the workbook before `context.sync()`, and a property can be
// read only after it was loaded and synced (PropertyNotLoaded otherwise). Each sync is counted and its request
// (the queued operations as JSON) and response (the loaded properties) measured, which is what the tests assert.
import type { WorkbookGrid } from '../../../plan/model';
import {
  FakeOfficeError,
  FakeSheet,
  FakeWorkbook,
  MAX_COLUMNS,
  MAX_ROWS,
  cfIntersects,
  intersection,
  intersects,
  rectArea,
  parseRangeAddress,
  quoteSheetName,
  rectAddress,
  type FakeConditionalFormat,
  type FilterCriteria,
  type ListRule,
  type ProtectionOptions,
  type Rect,
  type Visibility,
  type ChangedEvent,
  type FakeComment,
  type FakeNote,
} from './model';

type Target = unknown;

interface ScalarSpec {
  get?: (t: never, ctx: FakeContext) => unknown;
  set?: (t: never, value: unknown, ctx: FakeContext) => void;
}
interface NavSpec {
  kind: () => Kind;
  get: (t: never) => Target | null;
  orNull?: boolean;
}
interface MethodSpec {
  kind?: () => Kind;
  orNull?: boolean;
  /** An action runs in queue order at sync; otherwise the method is a path, evaluated when first used. */
  action?: boolean;
  run: (t: never, args: unknown[], ctx: FakeContext) => unknown;
}
interface Kind {
  name: string;
  scalars?: Record<string, ScalarSpec>;
  navs?: Record<string, NavSpec>;
  methods?: Record<string, MethodSpec>;
  items?: { kind: () => Kind; list: (t: never) => Target[] };
}

interface RangeRef {
  sheet: FakeSheet;
  rect: Rect;
}
interface AreasRef {
  sheet: FakeSheet;
  rects: Rect[];
}
interface CfRef {
  sheet: FakeSheet;
  cf: FakeConditionalFormat;
}

interface Op {
  json: unknown;
  /** Applies the operation; a load returns what travels back in the response. */
  run?: () => unknown;
}

type LoadTree = Map<string, LoadTree>;

const HANDLE = Symbol('fake-office-handle');

class Handle {
  readonly id: number;
  fixed: { value: Target | null } | undefined;
  memo: { sync: number; value: Target | null } | undefined;
  snapshot: Map<string, unknown> | undefined;
  isNull: boolean | undefined;
  readonly children = new Map<string, object>();
  proxy!: object;

  constructor(
    readonly ctx: FakeContext,
    readonly kind: Kind,
    readonly resolveFn: () => Target | null,
    readonly orNull: boolean,
  ) {
    this.id = ctx.nextHandleId++;
  }

  resolve(): Target | null {
    if (this.fixed) return this.fixed.value;
    if (this.memo && this.memo.sync === this.ctx.syncNumber) return this.memo.value;
    const value = this.resolveFn();
    this.memo = { sync: this.ctx.syncNumber, value };
    return value;
  }

  target(): Target {
    const t = this.resolve();
    if (t === null)
      throw new FakeOfficeError('ItemNotFound', `The requested resource doesn't exist (${this.kind.name}).`);
    return t;
  }
}

function handleOf(value: unknown): Handle | undefined {
  return value && typeof value === 'object' ? ((value as Record<symbol, Handle>)[HANDLE] ?? undefined) : undefined;
}

function notLoaded(kind: string, name: string): FakeOfficeError {
  return new FakeOfficeError(
    'PropertyNotLoaded',
    `The property '${name}' is not available. Before reading the property's value, call the load method on the containing object (${kind}) and call "context.sync()" on the associated request context.`,
  );
}

function parseLoad(spec: unknown): LoadTree {
  const tree: LoadTree = new Map();
  let paths: string[] = [];
  if (spec === undefined || spec === null) paths = [];
  else if (typeof spec === 'string') paths = spec.split(',');
  else if (Array.isArray(spec)) paths = spec.flatMap((s: string) => s.split(','));
  else if (typeof spec === 'object') {
    const o = spec as { select?: string; expand?: string };
    paths = [...(o.select ? o.select.split(',') : []), ...(o.expand ? o.expand.split(',') : [])];
  }
  for (const raw of paths) {
    const path = raw.trim();
    if (!path) continue;
    let node = tree;
    for (const part of path.split('/')) {
      let next = node.get(part);
      if (!next) node.set(part, (next = new Map()));
      node = next;
    }
  }
  return tree;
}

export class FakeContext {
  readonly workbook: object;
  readonly trackedObjects = { add: (): void => undefined, remove: (): void => undefined };
  nextHandleId = 1;
  syncNumber = 0;
  private queue: Op[] = [];
  private responseParts: string[] = [];

  constructor(readonly fake: FakeWorkbook) {
    this.workbook = this.makeProxy(WorkbookKind, () => fake, false, { fixed: true });
  }

  makeProxy(kind: Kind, resolveFn: () => Target | null, orNull: boolean, opts: { fixed?: boolean } = {}): object {
    const handle = new Handle(this, kind, resolveFn, orNull);
    if (opts.fixed) handle.fixed = { value: resolveFn() };
    const proxy = new Proxy(
      {},
      {
        get: (_t, prop) => {
          if (prop === HANDLE) return handle;
          if (typeof prop === 'symbol') return undefined;
          return this.read(handle, prop);
        },
        set: (_t, prop, value) => {
          if (typeof prop === 'symbol') return false;
          this.write(handle, prop, value);
          return true;
        },
      },
    );
    handle.proxy = proxy;
    return proxy;
  }

  private read(handle: Handle, prop: string): unknown {
    const kind = handle.kind;
    switch (prop) {
      case 'context':
        return this;
      case 'then':
        return undefined;
      case 'isNullObject':
        if (handle.isNull === undefined) throw notLoaded(kind.name, 'isNullObject');
        return handle.isNull;
      case 'load':
        return (spec?: unknown) => {
          this.enqueue({
            json: { o: handle.id, l: spec ?? null },
            run: () => this.performLoad(handle, parseLoad(spec)),
          });
          return handle.proxy;
        };
      case 'toJSON':
        return () => (handle.snapshot ? Object.fromEntries(handle.snapshot) : {});
      case 'set':
        return (props: Record<string, unknown>) => {
          for (const [k, v] of Object.entries(props)) this.write(handle, k, v);
        };
      case 'items':
        if (!kind.items) break;
        if (!handle.snapshot?.has('items')) throw notLoaded(kind.name, 'items');
        return handle.snapshot.get('items');
    }
    if (kind.name === 'Worksheet' && prop === 'onChanged') return this.eventSource(handle);
    const nav = kind.navs?.[prop];
    if (nav) {
      let child = handle.children.get(prop);
      if (!child) {
        child = this.makeProxy(
          nav.kind(),
          () => {
            const parent = handle.resolve();
            return parent === null ? null : nav.get(parent as never);
          },
          nav.orNull ?? false,
        );
        handle.children.set(prop, child);
      }
      return child;
    }
    const method = kind.methods?.[prop];
    if (method) return (...args: unknown[]) => this.call(handle, prop, method, args);
    const scalar = kind.scalars?.[prop];
    if (scalar) {
      if (!handle.snapshot?.has(prop)) throw notLoaded(kind.name, prop);
      return handle.snapshot.get(prop);
    }
    return undefined;
  }

  private write(handle: Handle, prop: string, value: unknown): void {
    const scalar = handle.kind.scalars?.[prop];
    if (!scalar?.set) throw new TypeError(`Cannot set ${handle.kind.name}.${prop}`);
    const set = scalar.set;
    this.enqueue({
      json: { o: handle.id, s: prop, v: value },
      run: () => set(handle.target() as never, value, this),
    });
  }

  private call(handle: Handle, name: string, method: MethodSpec, args: unknown[]): unknown {
    const json = { o: handle.id, m: name, a: args.map((a) => (handleOf(a) ? { ref: handleOf(a)!.id } : a)) };
    const unwrap = (): unknown[] => args.map((a) => (handleOf(a) ? handleOf(a)!.target() : a));
    if (method.action) {
      let child: Handle | undefined;
      if (method.kind) {
        const proxy = this.makeProxy(method.kind(), () => null, method.orNull ?? false);
        child = handleOf(proxy)!;
      }
      this.enqueue({
        json,
        run: () => {
          const result = method.run(handle.target() as never, unwrap(), this);
          if (child) child.fixed = { value: (result as Target) ?? null };
        },
      });
      return child?.proxy;
    }
    if (!method.kind) throw new Error(`fake: path method ${name} without a result kind`);
    const proxy = this.makeProxy(
      method.kind(),
      () => {
        const parent = handle.resolve();
        if (parent === null) return null;
        return (method.run(parent as never, unwrap(), this) as Target) ?? null;
      },
      method.orNull ?? false,
    );
    this.enqueue({ json: { ...json, r: handleOf(proxy)!.id } });
    return proxy;
  }

  private eventSource(handle: Handle): object {
    return {
      add: (handler: (event: ChangedEvent) => unknown) => {
        const result = {
          context: this,
          remove: () => {
            this.enqueue({
              json: { o: handle.id, m: 'onChanged.remove' },
              run: () => void (handle.target() as FakeSheet).changedHandlers.delete(handler),
            });
          },
        };
        this.enqueue({
          json: { o: handle.id, m: 'onChanged.add' },
          run: () => void (handle.target() as FakeSheet).changedHandlers.add(handler),
        });
        return result;
      },
    };
  }

  private performLoad(handle: Handle, tree: LoadTree): unknown {
    const value = handle.resolve();
    if (value === null) {
      if (!handle.orNull)
        throw new FakeOfficeError('ItemNotFound', `The requested resource doesn't exist (${handle.kind.name}).`);
      handle.isNull = true;
      handle.snapshot = new Map();
      return { isNullObject: true };
    }
    handle.isNull = false;
    const kind = handle.kind;
    const snapshot = handle.snapshot ?? new Map<string, unknown>();
    const out: Record<string, unknown> = {};
    const names =
      tree.size > 0 ? [...tree.keys()] : Object.keys(kind.scalars ?? {}).filter((n) => kind.scalars![n]!.get);
    for (const name of names) {
      const sub = tree.get(name) ?? new Map();
      if (name === 'items' && kind.items) {
        const itemKind = kind.items.kind();
        const proxies = kind.items.list(value as never).map((item) => {
          const proxy = this.makeProxy(itemKind, () => item, false, { fixed: true });
          return proxy;
        });
        out.items = proxies.map((p) => this.performLoad(handleOf(p)!, sub));
        snapshot.set('items', proxies);
        continue;
      }
      const scalar = kind.scalars?.[name];
      if (scalar?.get) {
        if (sub.size > 0)
          throw new FakeOfficeError('InvalidArgument', `${kind.name}.${name} has no properties to load`);
        const v = scalar.get(value as never, this);
        const copy = v === undefined ? undefined : JSON.parse(JSON.stringify(v));
        snapshot.set(name, copy);
        out[name] = copy;
        continue;
      }
      if (kind.navs?.[name]) {
        const child = this.read(handle, name) as object;
        out[name] = this.performLoad(handleOf(child)!, sub);
        continue;
      }
      throw new FakeOfficeError('PropertyNotFound', `${kind.name} has no property '${name}' to load.`);
    }
    handle.snapshot = snapshot;
    return out;
  }

  private enqueue(op: Op): void {
    this.queue.push(op);
  }

  /** One round trip. A sync with nothing queued costs none and is not counted (as in Office.js). */
  async sync(): Promise<void> {
    const ops = this.queue;
    this.queue = [];
    if (ops.length === 0) return;
    const request = JSON.stringify(ops.map((o) => o.json));
    const requestBytes = utf8Length(request);
    const stats = this.fake.stats;
    stats.syncs += 1;
    stats.totalRequestBytes += requestBytes;
    stats.largestRequestBytes = Math.max(stats.largestRequestBytes, requestBytes);
    if (requestBytes > this.fake.payloadLimitBytes) {
      this.fake.syncLog.push({ requestBytes, responseBytes: 0, operations: ops.length });
      await tick();
      throw new FakeOfficeError(
        'RequestPayloadSizeLimitExceeded',
        `The request payload (${requestBytes} bytes) exceeds the size limit.`,
      );
    }
    this.syncNumber += 1;
    this.responseParts = [];
    let failure: unknown;
    for (const op of ops) {
      if (!op.run) continue;
      try {
        const loaded = op.run();
        if (loaded !== undefined) this.responseParts.push(JSON.stringify(loaded));
      } catch (error) {
        failure = error;
        break;
      }
    }
    const responseBytes = this.responseParts.reduce((n, s) => n + utf8Length(s), 0);
    stats.largestResponseBytes = Math.max(stats.largestResponseBytes, responseBytes);
    this.fake.syncLog.push({ requestBytes, responseBytes, operations: ops.length });
    this.fake.flushEvents();
    await tick();
    if (failure) throw failure;
    if (responseBytes > this.fake.payloadLimitBytes)
      throw new FakeOfficeError(
        'ResponsePayloadSizeLimitExceeded',
        `The response payload (${responseBytes} bytes) exceeds the size limit.`,
      );
  }
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// The object model

const range = (sheet: FakeSheet, rect: Rect): RangeRef => ({ sheet, rect });
const wholeSheet: Rect = { top: 0, left: 0, bottom: MAX_ROWS - 1, right: MAX_COLUMNS - 1 };

function rangeArg(sheet: FakeSheet, arg: unknown): Rect {
  if (typeof arg === 'string') {
    const parsed = parseRangeAddress(arg);
    if (parsed.sheet && parsed.sheet.toLocaleLowerCase() !== sheet.name.toLocaleLowerCase())
      throw new FakeOfficeError('InvalidArgument', 'The range is on another worksheet.');
    return parsed.rect;
  }
  const ref = arg as RangeRef;
  if (!ref || !ref.rect) throw new FakeOfficeError('InvalidArgument', 'Expected a range or an address.');
  if (ref.sheet !== sheet) throw new FakeOfficeError('InvalidArgument', 'The range is on another worksheet.');
  return ref.rect;
}

function byIndexes(row: unknown, col: unknown, rows: unknown, cols: unknown): Rect {
  const [r, c, h, w] = [row, col, rows, cols].map(Number) as [number, number, number, number];
  if (
    ![r, c, h, w].every(Number.isInteger) ||
    r < 0 ||
    c < 0 ||
    h < 1 ||
    w < 1 ||
    r + h > MAX_ROWS ||
    c + w > MAX_COLUMNS
  )
    throw new FakeOfficeError('InvalidArgument', `getRangeByIndexes(${r}, ${c}, ${h}, ${w}) is outside the sheet.`);
  return { top: r, left: c, bottom: r + h - 1, right: c + w - 1 };
}

const WorkbookKind: Kind = {
  name: 'Workbook',
  navs: {
    worksheets: { kind: () => WorksheetCollectionKind, get: (wb: FakeWorkbook) => wb },
    comments: { kind: () => CommentCollectionKind, get: (wb: FakeWorkbook) => wb },
    notes: {
      kind: () => NoteCollectionKind,
      get: (wb: FakeWorkbook) => {
        if (!wb.supports('ExcelApi', '1.18'))
          throw new FakeOfficeError('ApiNotFound', 'Notes need ExcelApi 1.18, which this Excel does not have.');
        return wb;
      },
    },
  },
};

function oneCell(wb: FakeWorkbook, cellAddress: unknown): { sheet: FakeSheet; row: number; col: number } {
  let sheet: FakeSheet;
  let rect: Rect;
  if (typeof cellAddress === 'string') {
    const parsed = parseRangeAddress(cellAddress);
    if (!parsed.sheet) throw new FakeOfficeError('InvalidArgument', `A note needs the cell's sheet: ${cellAddress}`);
    sheet = wb.requireSheet(parsed.sheet);
    rect = parsed.rect;
  } else {
    const ref = cellAddress as RangeRef;
    if (!ref?.rect) throw new FakeOfficeError('InvalidArgument', 'Expected a cell.');
    sheet = ref.sheet;
    rect = ref.rect;
  }
  if (rect.top !== rect.bottom || rect.left !== rect.right)
    throw new FakeOfficeError('InvalidArgument', 'A note goes on one cell, not on a range.');
  return { sheet, row: rect.top, col: rect.left };
}

/** Notes (ExcelApi 1.18): a collection of their own, separate from threaded comments; one per cell. */
const NoteCollectionKind: Kind = {
  name: 'NoteCollection',
  items: { kind: () => NoteKind, list: (wb: FakeWorkbook) => [...wb.notes] },
  methods: {
    add: {
      kind: () => NoteKind,
      action: true,
      run: (wb: FakeWorkbook, [cellAddress, content]) => {
        const at = oneCell(wb, cellAddress);
        const same = (c: { sheet: FakeSheet; row: number; col: number }): boolean =>
          c.sheet === at.sheet && c.row === at.row && c.col === at.col;
        if (wb.notes.some(same)) throw new FakeOfficeError('InvalidArgument', 'The cell already has a note.');
        if (wb.comments.some(same))
          throw new FakeOfficeError('InvalidArgument', 'The cell has a threaded comment; a note cannot go beside it.');
        if (at.sheet.protection.protected && !at.sheet.protection.options.allowEditObjects)
          throw new FakeOfficeError(
            'AccessDenied',
            "The cell or chart you're trying to change is on a protected sheet.",
          );
        const note: FakeNote = { ...at, content: String(content) };
        wb.notes.push(note);
        return note;
      },
    },
    getItemOrNullObject: {
      kind: () => NoteKind,
      orNull: true,
      run: (wb: FakeWorkbook, [key]) => {
        const at = oneCell(wb, key);
        return wb.notes.find((n) => n.sheet === at.sheet && n.row === at.row && n.col === at.col) ?? null;
      },
    },
  },
};

const NoteKind: Kind = {
  name: 'Note',
  scalars: {
    content: { get: (n: FakeNote) => n.content, set: (n: FakeNote, v) => void (n.content = String(v)) },
  },
  methods: {
    getLocation: { kind: () => RangeKind, run: (n: FakeNote) => range(n.sheet, byIndexes(n.row, n.col, 1, 1)) },
    delete: {
      action: true,
      run: (n: FakeNote) => {
        n.sheet.workbook.notes = n.sheet.workbook.notes.filter((x) => x !== n);
      },
    },
  },
};

const CommentCollectionKind: Kind = {
  name: 'CommentCollection',
  items: { kind: () => CommentKind, list: (wb: FakeWorkbook) => [...wb.comments] },
  methods: {
    add: {
      kind: () => CommentKind,
      action: true,
      run: (wb: FakeWorkbook, [cellAddress, content]) => {
        const { sheet: name, rect } = parseRangeAddress(String(cellAddress));
        if (!name || rect.top !== rect.bottom || rect.left !== rect.right)
          throw new FakeOfficeError(
            'InvalidArgument',
            `A comment needs one cell with its sheet: ${String(cellAddress)}`,
          );
        const sheet = wb.requireSheet(name);
        if (wb.comments.some((c) => c.sheet === sheet && c.row === rect.top && c.col === rect.left))
          throw new FakeOfficeError('InvalidArgument', `The cell ${String(cellAddress)} already has a comment.`);
        const comment: FakeComment = {
          id: wb.newId('comment'),
          sheet,
          row: rect.top,
          col: rect.left,
          content: String(content),
        };
        wb.comments.push(comment);
        return comment;
      },
    },
    getItemOrNullObject: {
      kind: () => CommentKind,
      orNull: true,
      run: (wb: FakeWorkbook, [id]) => wb.comments.find((c) => c.id === id) ?? null,
    },
  },
};

const CommentKind: Kind = {
  name: 'Comment',
  scalars: {
    id: { get: (c: FakeComment) => c.id },
    content: { get: (c: FakeComment) => c.content, set: (c: FakeComment, v) => void (c.content = String(v)) },
  },
  methods: {
    getLocation: { kind: () => RangeKind, run: (c: FakeComment) => range(c.sheet, byIndexes(c.row, c.col, 1, 1)) },
    delete: {
      action: true,
      run: (c: FakeComment) => {
        c.sheet.workbook.comments = c.sheet.workbook.comments.filter((x) => x !== c);
      },
    },
  },
};

const WorksheetCollectionKind: Kind = {
  name: 'WorksheetCollection',
  items: { kind: () => WorksheetKind, list: (wb: FakeWorkbook) => [...wb.sheets] },
  scalars: { count: { get: (wb: FakeWorkbook) => wb.sheets.length } },
  methods: {
    getItem: { kind: () => WorksheetKind, run: (wb: FakeWorkbook, [name]) => wb.requireSheet(String(name)) },
    getItemOrNullObject: {
      kind: () => WorksheetKind,
      orNull: true,
      run: (wb: FakeWorkbook, [name]) => wb.sheet(String(name)) ?? null,
    },
    getActiveWorksheet: {
      kind: () => WorksheetKind,
      run: (wb: FakeWorkbook) => wb.activeSheet ?? wb.sheets[0] ?? null,
    },
    add: {
      kind: () => WorksheetKind,
      action: true,
      run: (wb: FakeWorkbook, [name]) =>
        wb.addSheet(name === undefined ? `Sheet${wb.sheets.length + 1}` : String(name)),
    },
  },
};

const WorksheetKind: Kind = {
  name: 'Worksheet',
  scalars: {
    id: { get: (s: FakeSheet) => s.id },
    name: {
      get: (s: FakeSheet) => s.name,
      set: (s: FakeSheet, v) => {
        const other = s.workbook.sheet(String(v));
        if (other && other !== s)
          throw new FakeOfficeError('ItemAlreadyExists', `A sheet named ${String(v)} already exists.`);
        s.name = String(v);
      },
    },
    visibility: {
      get: (s: FakeSheet) => s.visibility,
      set: (s: FakeSheet, v) => s.workbook.setVisibility(s, v as Visibility),
    },
    position: { get: (s: FakeSheet) => s.workbook.sheets.indexOf(s) },
  },
  navs: {
    autoFilter: { kind: () => AutoFilterKind, get: (s: FakeSheet) => s },
    protection: { kind: () => ProtectionKind, get: (s: FakeSheet) => s },
  },
  methods: {
    getRange: {
      kind: () => RangeKind,
      run: (s: FakeSheet, [address]) =>
        range(s, address === undefined || address === '' ? wholeSheet : rangeArg(s, address)),
    },
    getRangeByIndexes: { kind: () => RangeKind, run: (s: FakeSheet, [r, c, h, w]) => range(s, byIndexes(r, c, h, w)) },
    getCell: { kind: () => RangeKind, run: (s: FakeSheet, [r, c]) => range(s, byIndexes(r, c, 1, 1)) },
    getUsedRange: {
      kind: () => RangeKind,
      run: (s: FakeSheet, [valuesOnly]) => {
        const used = s.usedRect(Boolean(valuesOnly));
        if (!used) throw new FakeOfficeError('ItemNotFound', 'The worksheet is empty.');
        return range(s, used);
      },
    },
    getUsedRangeOrNullObject: {
      kind: () => RangeKind,
      orNull: true,
      run: (s: FakeSheet, [valuesOnly]) => {
        const used = s.usedRect(Boolean(valuesOnly));
        return used ? range(s, used) : null;
      },
    },
    activate: { action: true, run: (s: FakeSheet) => void (s.workbook.activeSheet = s) },
    delete: {
      action: true,
      run: (s: FakeSheet) => {
        const wb = s.workbook;
        if (wb.sheets.filter((x) => x !== s && x.visibility === 'Visible').length === 0)
          throw new FakeOfficeError('InvalidOperation', 'A workbook must contain at least one visible worksheet.');
        wb.sheets.splice(wb.sheets.indexOf(s), 1);
      },
    },
  },
};

function uniformHidden(set: Set<number>, from: number, to: number): boolean | null {
  let seen: boolean | undefined;
  for (let i = from; i <= to; i++) {
    const h = set.has(i);
    if (seen === undefined) seen = h;
    else if (seen !== h) return null;
  }
  return seen ?? false;
}

const RangeKind: Kind = {
  name: 'Range',
  scalars: {
    address: { get: (r: RangeRef) => `${quoteSheetName(r.sheet.name)}!${rectAddress(r.rect)}` },
    rowIndex: { get: (r: RangeRef) => r.rect.top },
    columnIndex: { get: (r: RangeRef) => r.rect.left },
    rowCount: { get: (r: RangeRef) => r.rect.bottom - r.rect.top + 1 },
    columnCount: { get: (r: RangeRef) => r.rect.right - r.rect.left + 1 },
    cellCount: { get: (r: RangeRef) => (r.rect.bottom - r.rect.top + 1) * (r.rect.right - r.rect.left + 1) },
    values: {
      get: (r: RangeRef) => (r.sheet.workbook.assertReadable(rectArea(r.rect)), r.sheet.values(r.rect)),
      set: (r: RangeRef, v) => r.sheet.writeValues(r.rect, v),
    },
    formulas: {
      get: (r: RangeRef) => (r.sheet.workbook.assertReadable(rectArea(r.rect)), r.sheet.formulas(r.rect)),
      set: (r: RangeRef, v) => r.sheet.writeFormulas(r.rect, v),
    },
    numberFormat: {
      get: (r: RangeRef) => (r.sheet.workbook.assertReadable(rectArea(r.rect)), r.sheet.numberFormats(r.rect)),
      set: (r: RangeRef, v) => r.sheet.writeNumberFormat(r.rect, v),
    },
    columnHidden: {
      get: (r: RangeRef) => uniformHidden(r.sheet.hiddenColumns, r.rect.left, r.rect.right),
      set: (r: RangeRef, v) => {
        r.sheet.assertEditable(r.rect, 'columns');
        for (let c = r.rect.left; c <= r.rect.right; c++) {
          if (v) r.sheet.hiddenColumns.add(c);
          else r.sheet.hiddenColumns.delete(c);
        }
      },
    },
    rowHidden: {
      get: (r: RangeRef) => {
        const all = new Set([...r.sheet.hiddenRows, ...r.sheet.filteredRows]);
        return uniformHidden(all, r.rect.top, r.rect.bottom);
      },
      set: (r: RangeRef, v) => {
        r.sheet.assertEditable(r.rect, 'rows');
        for (let i = r.rect.top; i <= r.rect.bottom; i++) {
          if (v) r.sheet.hiddenRows.add(i);
          else r.sheet.hiddenRows.delete(i);
        }
      },
    },
  },
  navs: {
    format: { kind: () => RangeFormatKind, get: (r: RangeRef) => r },
    conditionalFormats: { kind: () => ConditionalFormatCollectionKind, get: (r: RangeRef) => r },
    dataValidation: { kind: () => DataValidationKind, get: (r: RangeRef) => r },
    worksheet: { kind: () => WorksheetKind, get: (r: RangeRef) => r.sheet },
  },
  methods: {
    getCell: {
      kind: () => RangeKind,
      run: (r: RangeRef, [row, col]) =>
        range(r.sheet, byIndexes(r.rect.top + Number(row), r.rect.left + Number(col), 1, 1)),
    },
    getIntersectionOrNullObject: {
      kind: () => RangeKind,
      orNull: true,
      run: (r: RangeRef, [other]) => {
        const i = intersection(r.rect, rangeArg(r.sheet, other));
        return i ? range(r.sheet, i) : null;
      },
    },
    getUsedRangeOrNullObject: {
      kind: () => RangeKind,
      orNull: true,
      run: (r: RangeRef, [valuesOnly]) => {
        const used = r.sheet.usedRect(Boolean(valuesOnly), r.rect);
        return used ? range(r.sheet, used) : null;
      },
    },
    getMergedAreasOrNullObject: {
      kind: () => RangeAreasKind,
      orNull: true,
      run: (r: RangeRef) => {
        const rects = r.sheet.merges.filter((m) => intersects(m, r.rect));
        // Excel gives up beyond 512 merged areas in one call (documented limit of getMergedAreasOrNullObject).
        if (rects.length > 512)
          throw new FakeOfficeError('GeneralException', 'More than 512 merged areas in the range.');
        return rects.length ? ({ sheet: r.sheet, rects } satisfies AreasRef) : null;
      },
    },
    select: {
      action: true,
      run: (r: RangeRef) => {
        r.sheet.workbook.activeSheet = r.sheet;
        r.sheet.workbook.selection = { sheet: r.sheet.name, rect: r.rect };
      },
    },
    clear: { action: true, run: (r: RangeRef) => r.sheet.clear(r.rect) },
    merge: { action: true, run: (r: RangeRef) => r.sheet.merge(r.rect) },
  },
};

const RangeAreasKind: Kind = {
  name: 'RangeAreas',
  scalars: {
    address: {
      get: (a: AreasRef) => a.rects.map((r) => `${quoteSheetName(a.sheet.name)}!${rectAddress(r)}`).join(','),
    },
    areaCount: { get: (a: AreasRef) => a.rects.length },
  },
  navs: { areas: { kind: () => RangeCollectionKind, get: (a: AreasRef) => a } },
};

const RangeCollectionKind: Kind = {
  name: 'RangeCollection',
  items: { kind: () => RangeKind, list: (a: AreasRef) => a.rects.map((rect) => range(a.sheet, rect)) },
};

function uniformCell<T>(r: RangeRef, f: (sheet: FakeSheet, row: number, col: number) => T): T | null {
  return r.sheet.uniform(r.rect, (row, col) => f(r.sheet, row, col));
}

const RangeFormatKind: Kind = {
  name: 'RangeFormat',
  navs: {
    fill: { kind: () => RangeFillKind, get: (r: RangeRef) => r },
    font: { kind: () => RangeFontKind, get: (r: RangeRef) => r },
    protection: { kind: () => FormatProtectionKind, get: (r: RangeRef) => r },
  },
};

const RangeFillKind: Kind = {
  name: 'RangeFill',
  scalars: {
    color: {
      get: (r: RangeRef) => uniformCell(r, (s, i, j) => s.cell(i, j)?.fill ?? '#FFFFFF'),
      set: (r: RangeRef, v) => r.sheet.setCellProps(r.rect, { fill: String(v).toUpperCase() }),
    },
  },
  methods: {
    clear: { action: true, run: (r: RangeRef) => r.sheet.setCellProps(r.rect, { fill: undefined }) },
  },
};

const RangeFontKind: Kind = {
  name: 'RangeFont',
  scalars: {
    color: {
      get: (r: RangeRef) => uniformCell(r, (s, i, j) => s.cell(i, j)?.fontColor ?? '#000000'),
      set: (r: RangeRef, v) => r.sheet.setCellProps(r.rect, { fontColor: String(v).toUpperCase() }),
    },
    bold: {
      get: (r: RangeRef) => uniformCell(r, (s, i, j) => s.cell(i, j)?.bold ?? false),
      set: (r: RangeRef, v) => r.sheet.setCellProps(r.rect, { bold: Boolean(v) }),
    },
  },
};

const FormatProtectionKind: Kind = {
  name: 'FormatProtection',
  scalars: {
    locked: {
      get: (r: RangeRef) => uniformCell(r, (s, i, j) => s.locked(i, j)),
      set: (r: RangeRef, v) => {
        // Excel refuses to change locking while the sheet is protected, whatever the options.
        if (r.sheet.protection.protected)
          throw new FakeOfficeError(
            'AccessDenied',
            "The cell or chart you're trying to change is on a protected sheet.",
          );
        r.sheet.setCellProps(r.rect, { locked: Boolean(v) }, false);
      },
    },
  },
};

const ConditionalFormatCollectionKind: Kind = {
  name: 'ConditionalFormatCollection',
  scalars: {
    count: { get: (r: RangeRef) => r.sheet.conditionalFormats.filter((cf) => cfIntersects(cf, r.rect)).length },
  },
  items: {
    kind: () => ConditionalFormatKind,
    list: (r: RangeRef) =>
      r.sheet.conditionalFormats
        .filter((cf) => cfIntersects(cf, r.rect))
        .map((cf) => ({ sheet: r.sheet, cf }) satisfies CfRef),
  },
  methods: {
    add: {
      kind: () => ConditionalFormatKind,
      action: true,
      run: (r: RangeRef, [type]) => {
        if (type !== 'Custom')
          throw new FakeOfficeError('NotImplemented', `fake: conditional format type ${String(type)}`);
        r.sheet.assertEditable(r.rect, 'objects');
        const cf: FakeConditionalFormat = {
          id: r.sheet.workbook.newId('cf'),
          rect: { ...r.rect },
          type: 'Custom',
          formula: '',
          fill: null,
          fontColor: null,
          stopIfTrue: false,
        };
        // A new rule goes on top of the sheet's rules, as in Excel's rules manager.
        r.sheet.conditionalFormats.unshift(cf);
        return { sheet: r.sheet, cf } satisfies CfRef;
      },
    },
    clearAll: {
      action: true,
      run: (r: RangeRef) => {
        r.sheet.assertEditable(r.rect, 'objects');
        r.sheet.conditionalFormats = r.sheet.conditionalFormats.filter((cf) => !cfIntersects(cf, r.rect));
      },
    },
  },
};

function checkFormula(formula: unknown): string {
  const f = String(formula);
  let depth = 0;
  let inString = false;
  for (const ch of f) {
    if (ch === '"') inString = !inString;
    else if (!inString && ch === '(') depth++;
    else if (!inString && ch === ')') depth--;
    if (depth < 0) break;
  }
  if (!f.startsWith('=') || depth !== 0 || inString)
    throw new FakeOfficeError('InvalidArgument', `The formula ${f} is not valid.`);
  return f;
}

const ConditionalFormatKind: Kind = {
  name: 'ConditionalFormat',
  scalars: {
    id: { get: (c: CfRef) => c.cf.id },
    type: { get: (c: CfRef) => c.cf.type },
    priority: {
      get: (c: CfRef) => c.sheet.conditionalFormats.indexOf(c.cf),
      set: (c: CfRef, v) => {
        const list = c.sheet.conditionalFormats;
        list.splice(list.indexOf(c.cf), 1);
        list.splice(Math.max(0, Math.min(Number(v), list.length)), 0, c.cf);
      },
    },
    stopIfTrue: { get: (c: CfRef) => c.cf.stopIfTrue, set: (c: CfRef, v) => void (c.cf.stopIfTrue = Boolean(v)) },
  },
  navs: {
    custom: {
      kind: () => CustomConditionalFormatKind,
      get: (c: CfRef) => {
        if (c.cf.type !== 'Custom')
          throw new FakeOfficeError('InvalidOperation', 'The conditional format is not custom.');
        return c;
      },
    },
    customOrNullObject: {
      kind: () => CustomConditionalFormatKind,
      orNull: true,
      get: (c: CfRef) => (c.cf.type === 'Custom' ? c : null),
    },
  },
  methods: {
    delete: {
      action: true,
      run: (c: CfRef) => {
        c.sheet.assertEditable(c.cf.rect, 'objects');
        c.sheet.conditionalFormats = c.sheet.conditionalFormats.filter((x) => x !== c.cf);
      },
    },
    // Office.js: getRange() throws when the rule covers several areas; getRanges() (ExcelApi 1.9) gives them all.
    getRange: {
      kind: () => RangeKind,
      run: (c: CfRef) => {
        if ((c.cf.areas?.length ?? 1) > 1)
          throw new FakeOfficeError('InvalidOperation', 'The conditional format is applied to multiple ranges.');
        return range(c.sheet, c.cf.rect);
      },
    },
    getRangeOrNullObject: {
      kind: () => RangeKind,
      orNull: true,
      run: (c: CfRef) => ((c.cf.areas?.length ?? 1) > 1 ? null : range(c.sheet, c.cf.rect)),
    },
    getRanges: {
      kind: () => RangeAreasKind,
      run: (c: CfRef) => ({ sheet: c.sheet, rects: c.cf.areas ?? [c.cf.rect] }) satisfies AreasRef,
    },
  },
};

const CustomConditionalFormatKind: Kind = {
  name: 'CustomConditionalFormat',
  navs: {
    rule: { kind: () => ConditionalFormatRuleKind, get: (c: CfRef) => c },
    format: { kind: () => ConditionalRangeFormatKind, get: (c: CfRef) => c },
  },
};

const ConditionalFormatRuleKind: Kind = {
  name: 'ConditionalFormatRule',
  scalars: {
    formula: { get: (c: CfRef) => c.cf.formula, set: (c: CfRef, v) => void (c.cf.formula = checkFormula(v)) },
  },
};

const ConditionalRangeFormatKind: Kind = {
  name: 'ConditionalRangeFormat',
  navs: {
    fill: { kind: () => ConditionalFillKind, get: (c: CfRef) => c },
    font: { kind: () => ConditionalFontKind, get: (c: CfRef) => c },
  },
};

const ConditionalFillKind: Kind = {
  name: 'ConditionalRangeFill',
  scalars: {
    color: { get: (c: CfRef) => c.cf.fill, set: (c: CfRef, v) => void (c.cf.fill = String(v).toUpperCase()) },
  },
};

const ConditionalFontKind: Kind = {
  name: 'ConditionalRangeFont',
  scalars: {
    color: { get: (c: CfRef) => c.cf.fontColor, set: (c: CfRef, v) => void (c.cf.fontColor = String(v).toUpperCase()) },
  },
};

const DataValidationKind: Kind = {
  name: 'DataValidation',
  scalars: {
    rule: {
      get: (r: RangeRef) => r.sheet.uniform(r.rect, (i, j) => r.sheet.validationAt(i, j)),
      set: (r: RangeRef, v) => r.sheet.setValidation(r.rect, v as ListRule),
    },
    type: {
      get: (r: RangeRef) => {
        const rule = r.sheet.uniform(r.rect, (i, j) => r.sheet.validationAt(i, j));
        return rule ? 'List' : r.sheet.validations.some((x) => intersects(x.rect, r.rect)) ? 'Inconsistent' : 'None';
      },
    },
    errorAlert: {
      get: (r: RangeRef) => r.sheet.validationAlerts.get(rectAddress(r.rect)) ?? null,
      set: (r: RangeRef, v) => void r.sheet.validationAlerts.set(rectAddress(r.rect), v),
    },
  },
  methods: { clear: { action: true, run: (r: RangeRef) => r.sheet.clearValidation(r.rect) } },
};

const AutoFilterKind: Kind = {
  name: 'AutoFilter',
  scalars: {
    enabled: { get: (s: FakeSheet) => s.autoFilter !== null },
    isDataFiltered: { get: (s: FakeSheet) => !!s.autoFilter && s.autoFilter.criteria.some(Boolean) },
    criteria: { get: (s: FakeSheet) => (s.autoFilter ? s.autoFilter.criteria.map((c) => c ?? { filterOn: '' }) : []) },
  },
  methods: {
    apply: {
      action: true,
      run: (s: FakeSheet, [rangeOrAddress, columnIndex, criteria]) =>
        s.applyAutoFilter(
          rangeOrAddress === undefined || rangeOrAddress === null ? null : rangeArg(s, rangeOrAddress),
          columnIndex === undefined ? undefined : Number(columnIndex),
          criteria as FilterCriteria | undefined,
        ),
    },
    clearCriteria: { action: true, run: (s: FakeSheet) => s.clearFilterCriteria() },
    remove: { action: true, run: (s: FakeSheet) => s.removeAutoFilter() },
    getRangeOrNullObject: {
      kind: () => RangeKind,
      orNull: true,
      run: (s: FakeSheet) => (s.autoFilter ? range(s, s.autoFilter.rect) : null),
    },
  },
};

const ProtectionKind: Kind = {
  name: 'WorksheetProtection',
  scalars: {
    protected: { get: (s: FakeSheet) => s.protection.protected },
    options: { get: (s: FakeSheet) => s.protection.options },
  },
  methods: {
    protect: {
      action: true,
      run: (s: FakeSheet, [options, password]) =>
        s.protect(options as ProtectionOptions | undefined, password as string | undefined),
    },
    unprotect: { action: true, run: (s: FakeSheet, [password]) => s.unprotect(password as string | undefined) },
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Globals

/** Office.context.document.settings: in memory until saveAsync, which writes them into the document. */
export class FakeSettings {
  private values: Record<string, unknown>;
  constructor(private readonly fake: FakeWorkbook) {
    this.values = JSON.parse(JSON.stringify(fake.savedSettings));
  }
  get(name: string): unknown {
    return name in this.values ? this.values[name] : null;
  }
  set(name: string, value: unknown): void {
    this.values[name] = JSON.parse(JSON.stringify(value));
  }
  remove(name: string): void {
    delete this.values[name];
  }
  saveAsync(...args: unknown[]): void {
    const callback = args.find((a) => typeof a === 'function') as ((r: { status: string }) => void) | undefined;
    this.fake.savedSettings = JSON.parse(JSON.stringify(this.values));
    setTimeout(() => callback?.({ status: 'succeeded' }), 0);
  }
}

export interface FakeOffice {
  workbook: FakeWorkbook;
  settings: FakeSettings;
  /** Removes the globals again. */
  uninstall(): void;
}

/**
 * Sets `Excel`, `Office` and `OfficeExtension` on `scope` (globalThis in tests, window in the task-pane page) so
 * that addin/excel runs unchanged against `source` (a FakeWorkbook, or a grid to build one from).
 */
export function installFakeOffice(scope: object, source: FakeWorkbook | WorkbookGrid): FakeOffice {
  const workbook = source instanceof FakeWorkbook ? source : FakeWorkbook.fromGrid(source);
  const g = scope as Record<string, unknown>;
  const previous = { Excel: g.Excel, Office: g.Office, OfficeExtension: g.OfficeExtension };
  const settings = new FakeSettings(workbook);
  const run = async (...args: unknown[]): Promise<unknown> => {
    const batch = args.find((a) => typeof a === 'function') as ((ctx: FakeContext) => Promise<unknown>) | undefined;
    if (!batch) throw new FakeOfficeError('InvalidArgument', 'Excel.run needs a batch function');
    const first = args[0];
    const ctx =
      first instanceof FakeContext
        ? first
        : first && typeof first === 'object' && (first as { context?: unknown }).context instanceof FakeContext
          ? (first as { context: FakeContext }).context
          : new FakeContext(workbook);
    workbook.stats.runs += 1;
    const result = await batch(ctx);
    await ctx.sync();
    return result;
  };
  g.Excel = {
    run,
    RequestContext: FakeContext,
    ConditionalFormatType: { custom: 'Custom', cellValue: 'CellValue', containsText: 'ContainsText' },
    SheetVisibility: { visible: 'Visible', hidden: 'Hidden', veryHidden: 'VeryHidden' },
    FilterOn: { custom: 'Custom', values: 'Values', bottomItems: 'BottomItems', topItems: 'TopItems' },
    FilterOperator: { and: 'And', or: 'Or' },
    DataValidationAlertStyle: { stop: 'Stop', warning: 'Warning', information: 'Information' },
    ProtectionSelectionMode: { normal: 'Normal', unlocked: 'Unlocked', none: 'None' },
    EventSource: { local: 'Local', remote: 'Remote' },
    ErrorCodes: {
      itemNotFound: 'ItemNotFound',
      invalidArgument: 'InvalidArgument',
      requestPayloadSizeLimitExceeded: 'RequestPayloadSizeLimitExceeded',
      responsePayloadSizeLimitExceeded: 'ResponsePayloadSizeLimitExceeded',
      accessDenied: 'AccessDenied',
    },
  };
  g.OfficeExtension = { Error: FakeOfficeError };
  g.Office = {
    context: {
      document: { settings },
      displayLanguage: 'ro-RO',
      requirements: {
        isSetSupported: (name: string, version?: string) => workbook.supports(name, version),
      },
    },
    HostType: { Excel: 'Excel' },
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    onReady: (callback?: (info: { host: string; platform: string }) => void) => {
      const info = { host: 'Excel', platform: 'OfficeOnline' };
      callback?.(info);
      return Promise.resolve(info);
    },
  };
  return {
    workbook,
    settings,
    uninstall: () => {
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete g[k];
        else g[k] = v;
      }
    },
  };
}
