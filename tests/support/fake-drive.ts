// A fake Google Drive v3 on 127.0.0.1 (node:http), answering what the real `googleapis` client sends for the
// drive source: changes.getStartPageToken, changes.list (paging), files.list (paging, `q` by parent folder and
// name), files.get (metadata and alt=media), files.export (Google Sheet as .xlsx, with Google's 10 MB cap),
// files.create / files.update through /upload/drive/v3/files (multipart, media and resumable). It keeps every
// request it received, and injects faults (HTTP errors, delays beyond the client's timeout) on matching requests.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const SHEET_MIME = 'application/vnd.google-apps.spreadsheet';
export const FOLDER_MIME = 'application/vnd.google-apps.folder';
/** Google's limit on files.export. */
export const EXPORT_LIMIT = 10 * 1024 * 1024;

export interface FakeFile {
  id: string;
  name: string;
  mimeType: string;
  parents: string[];
  content: Buffer;
  version: number;
  modifiedTime: string;
  trashed: boolean;
  /** The export of a Google Sheet, when it differs from `content` (a Sheet has no bytes of its own). */
  exportSize?: number;
}

export interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Buffer;
}

export interface Fault {
  method?: string;
  /** Matched against the path (without the query). */
  path: RegExp;
  /** Answer with this status and a Drive-style error body. */
  status?: number;
  /** Wait this long before answering (beyond the client's timeout, the client gives up). */
  delayMs?: number;
  /** How many matching requests get the fault; default: every one until cleared. */
  times?: number;
  reason?: string;
}

interface Change {
  seq: number;
  fileId: string;
  removed: boolean;
  time: string;
}

export class FakeDrive {
  readonly files = new Map<string, FakeFile>();
  readonly requests: Received[] = [];
  /** Largest page changes.list and files.list answer with, whatever pageSize asks (to make paging happen). */
  pageCap = 100;
  accessToken = 'fake-access-token';
  private readonly changes: Change[] = [];
  private seq = 1;
  private faults: Fault[] = [];
  private readonly resumable = new Map<string, { fileId?: string; meta: Partial<FakeFile> }>();
  private server: http.Server | undefined;
  private clock = Date.parse('2024-03-04T09:00:00Z');
  url = '';

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  // ------------------------------------------------------------ test controls

  addFolder(name: string, parent?: string): string {
    return this.put({ name, mimeType: FOLDER_MIME, parents: parent ? [parent] : [], content: Buffer.alloc(0) }).id;
  }

  /** A file as a user would add it in the Drive UI (it appears in the change log). */
  put(f: {
    id?: string;
    name: string;
    mimeType: string;
    parents: string[];
    content: Uint8Array;
    exportSize?: number;
  }): FakeFile {
    const existing = f.id ? this.files.get(f.id) : undefined;
    const file: FakeFile = {
      id: f.id ?? 'f' + randomBytes(8).toString('hex'),
      name: f.name,
      mimeType: f.mimeType,
      parents: f.parents,
      content: Buffer.from(f.content),
      version: (existing?.version ?? 0) + 1,
      modifiedTime: this.tick(),
      trashed: false,
      ...(f.exportSize !== undefined ? { exportSize: f.exportSize } : {}),
    };
    this.files.set(file.id, file);
    this.logChange(file.id, false);
    return file;
  }

  /** The user edits the file's content (new version, new md5). */
  edit(id: string, content: Uint8Array): FakeFile {
    const file = this.files.get(id)!;
    return this.put({ ...file, content });
  }

  trash(id: string): void {
    const file = this.files.get(id)!;
    file.trashed = true;
    file.modifiedTime = this.tick();
    this.logChange(id, false);
  }

  remove(id: string): void {
    this.files.delete(id);
    this.logChange(id, true);
  }

  move(id: string, parent: string): void {
    const file = this.files.get(id)!;
    file.parents = [parent];
    file.modifiedTime = this.tick();
    this.logChange(id, false);
  }

  fault(f: Fault): void {
    this.faults.push({ ...f });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Requests whose path matches, e.g. the uploads. */
  received(path: RegExp, method?: string): Received[] {
    return this.requests.filter((r) => path.test(r.path) && (!method || r.method === method));
  }

  // ------------------------------------------------------------ the server

  private tick(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString();
  }

  private logChange(fileId: string, removed: boolean): void {
    this.changes.push({ seq: this.seq++, fileId, removed, time: new Date(this.clock).toISOString() });
  }

  private resource(f: FakeFile): Record<string, unknown> {
    const google = f.mimeType.startsWith('application/vnd.google-apps.');
    return {
      kind: 'drive#file',
      id: f.id,
      name: f.name,
      mimeType: f.mimeType,
      parents: f.parents,
      trashed: f.trashed,
      version: String(f.version),
      modifiedTime: f.modifiedTime,
      ...(google
        ? {}
        : {
            size: String(f.content.length),
            md5Checksum: createHash('md5').update(f.content).digest('hex'),
            headRevisionId: `rev-${f.id}-${f.version}`,
          }),
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const received: Received = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body: Buffer.concat(chunks),
    };
    this.requests.push(received);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      if (res.destroyed) return;
      if (Buffer.isBuffer(body)) {
        res.writeHead(status, {
          'content-type': 'application/octet-stream',
          'content-length': body.length,
          ...headers,
        });
        res.end(body);
      } else {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
        res.end(text);
      }
    };
    const error = (status: number, reason: string, message: string): void =>
      send(status, { error: { code: status, message, errors: [{ domain: 'global', reason, message }] } });

    const fault = this.faults.find((f) => (!f.method || f.method === received.method) && f.path.test(received.path));
    if (fault) {
      if (fault.times !== undefined && --fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.status) return error(fault.status, fault.reason ?? 'backendError', 'Injected fault');
    }
    if (received.authorization !== `Bearer ${this.accessToken}`) {
      return error(401, 'authError', 'Invalid Credentials');
    }
    try {
      this.route(received, send, error);
    } catch (e) {
      error(400, 'badRequest', e instanceof Error ? e.message : String(e));
    }
  }

  private route(
    r: Received,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    error: (status: number, reason: string, message: string) => void,
  ): void {
    const q = r.query;
    const page = (): number => Math.min(Number(q.pageSize ?? 100), this.pageCap);
    let m: RegExpExecArray | null;

    if (r.method === 'GET' && r.path === '/drive/v3/changes/startPageToken') {
      return send(200, { kind: 'drive#startPageToken', startPageToken: String(this.seq) });
    }
    if (r.method === 'GET' && r.path === '/drive/v3/changes') {
      const from = Number(q.pageToken);
      if (!Number.isInteger(from) || from < 1) return error(400, 'invalid', 'Invalid pageToken');
      const pending = this.changes.filter((c) => c.seq >= from);
      const slice = pending.slice(0, page());
      const more = pending.length > slice.length;
      return send(200, {
        kind: 'drive#changeList',
        changes: slice.map((c) => {
          const file = this.files.get(c.fileId);
          return {
            kind: 'drive#change',
            changeType: 'file',
            fileId: c.fileId,
            removed: c.removed || !file,
            time: c.time,
            ...(file && !c.removed ? { file: this.resource(file) } : {}),
          };
        }),
        ...(more ? { nextPageToken: String(slice.at(-1)!.seq + 1) } : { newStartPageToken: String(this.seq) }),
      });
    }
    if (r.method === 'GET' && r.path === '/drive/v3/files') {
      const matches = [...this.files.values()].filter(this.query(q.q ?? ''));
      const offset = Number(q.pageToken ?? 0);
      const slice = matches.slice(offset, offset + page());
      const next = offset + slice.length < matches.length ? String(offset + slice.length) : undefined;
      return send(200, {
        kind: 'drive#fileList',
        files: slice.map((f) => this.resource(f)),
        ...(next ? { nextPageToken: next } : {}),
      });
    }
    if ((m = /^\/drive\/v3\/files\/([^/]+)\/export$/.exec(r.path)) && r.method === 'GET') {
      const file = this.files.get(decodeURIComponent(m[1]!));
      if (!file) return error(404, 'notFound', 'File not found');
      if (file.mimeType !== SHEET_MIME)
        return error(403, 'fileNotExportable', 'Export only supports Docs Editors files.');
      if (q.mimeType !== XLSX_MIME) return error(400, 'badRequest', 'Unsupported export mimeType');
      if ((file.exportSize ?? file.content.length) > EXPORT_LIMIT) {
        return error(403, 'exportSizeLimitExceeded', 'This file is too large to be exported.');
      }
      return send(200, file.content, { 'content-type': XLSX_MIME });
    }
    if ((m = /^\/drive\/v3\/files\/([^/]+)$/.exec(r.path)) && r.method === 'GET') {
      const file = this.files.get(decodeURIComponent(m[1]!));
      if (!file) return error(404, 'notFound', 'File not found');
      if (q.alt === 'media') {
        if (file.mimeType.startsWith('application/vnd.google-apps.')) {
          return error(
            403,
            'fileNotDownloadable',
            'Only files with binary content can be downloaded. Use Export with Docs Editors files.',
          );
        }
        return send(200, file.content, { 'content-type': file.mimeType });
      }
      return send(200, this.resource(file));
    }
    if (r.path === '/upload/drive/v3/files' && r.method === 'POST') {
      return this.upload(r, undefined, send, error);
    }
    if ((m = /^\/upload\/drive\/v3\/files\/([^/]+)$/.exec(r.path)) && (r.method === 'PATCH' || r.method === 'PUT')) {
      const id = decodeURIComponent(m[1]!);
      if (!this.files.has(id)) return error(404, 'notFound', 'File not found');
      return this.upload(r, id, send, error);
    }
    if (r.path === '/upload/drive/v3/files' && r.method === 'PUT' && q.upload_id) {
      const session = this.resumable.get(q.upload_id);
      if (!session) return error(404, 'notFound', 'Upload session not found');
      this.resumable.delete(q.upload_id);
      return send(200, this.resource(this.store(session.fileId, session.meta, r.body)));
    }
    if (r.path === '/drive/v3/files' && r.method === 'POST') {
      return send(
        200,
        this.resource(
          this.store(undefined, JSON.parse(r.body.toString('utf8') || '{}') as Partial<FakeFile>, Buffer.alloc(0)),
        ),
      );
    }
    error(404, 'notFound', `No route ${r.method} ${r.path}`);
  }

  private upload(
    r: Received,
    fileId: string | undefined,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    error: (status: number, reason: string, message: string) => void,
  ): void {
    const type = r.query.uploadType;
    if (type === 'media') return send(200, this.resource(this.store(fileId, {}, r.body)));
    if (type === 'multipart') {
      const boundary = /boundary=("?)([^";]+)\1/.exec(r.contentType ?? '')?.[2];
      if (!boundary || !/^multipart\/related/.test(r.contentType ?? ''))
        return error(400, 'badContent', 'Expected multipart/related');
      const [meta, media] = multipart(r.body, boundary);
      if (!meta || !media) return error(400, 'badContent', 'Expected two parts');
      return send(
        200,
        this.resource(this.store(fileId, JSON.parse(meta.toString('utf8')) as Partial<FakeFile>, media)),
      );
    }
    if (type === 'resumable') {
      const id = randomBytes(8).toString('hex');
      const meta = r.body.length ? (JSON.parse(r.body.toString('utf8')) as Partial<FakeFile>) : {};
      this.resumable.set(id, { ...(fileId ? { fileId } : {}), meta });
      return send(200, {}, { location: `${this.url}upload/drive/v3/files?uploadType=resumable&upload_id=${id}` });
    }
    error(400, 'badRequest', `Unsupported uploadType ${type}`);
  }

  /** Creates (no id) or updates a file from an upload; the upload is a change like any other. */
  private store(fileId: string | undefined, meta: Partial<FakeFile>, content: Buffer): FakeFile {
    const old = fileId ? this.files.get(fileId) : undefined;
    const file: FakeFile = {
      id: old?.id ?? 'u' + randomBytes(8).toString('hex'),
      name: meta.name ?? old?.name ?? 'Untitled',
      mimeType: meta.mimeType ?? old?.mimeType ?? 'application/octet-stream',
      parents: meta.parents ?? old?.parents ?? [],
      content,
      version: (old?.version ?? 0) + 1,
      modifiedTime: this.tick(),
      trashed: false,
    };
    this.files.set(file.id, file);
    this.logChange(file.id, false);
    return file;
  }

  /** The few `q` clauses the source uses, joined by `and`: parents, trashed, name, mimeType. */
  private query(q: string): (f: FakeFile) => boolean {
    const tests: ((f: FakeFile) => boolean)[] = [];
    const str = `'((?:[^'\\\\]|\\\\.)*)'`;
    const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');
    for (const clause of q.split(/\s+and\s+/i).filter(Boolean)) {
      let m: RegExpExecArray | null;
      if ((m = new RegExp(`^${str}\\s+in\\s+parents$`).exec(clause.trim()))) {
        const parent = unescape(m[1]!);
        tests.push((f) => f.parents.includes(parent));
      } else if ((m = /^trashed\s*=\s*(true|false)$/.exec(clause.trim()))) {
        const want = m[1] === 'true';
        tests.push((f) => f.trashed === want);
      } else if ((m = new RegExp(`^name\\s*=\\s*${str}$`).exec(clause.trim()))) {
        const name = unescape(m[1]!);
        tests.push((f) => f.name === name);
      } else if ((m = new RegExp(`^mimeType\\s*(!?=)\\s*${str}$`).exec(clause.trim()))) {
        const type = unescape(m[2]!);
        const equal = m[1] === '=';
        tests.push((f) => (f.mimeType === type) === equal);
      } else {
        throw new Error(`Invalid Value: unsupported q clause ${clause}`);
      }
    }
    return (f) => tests.every((t) => t(f));
  }
}

/** The parts of a multipart/related body: each part's bytes after its headers, binary-safe. */
function multipart(body: Buffer, boundary: string): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    let part = body.subarray(start, next);
    if (part.subarray(0, 2).toString() === '\r\n') part = part.subarray(2);
    const headersEnd = part.indexOf('\r\n\r\n');
    let content = part.subarray(headersEnd + 4);
    if (content.subarray(-2).toString() === '\r\n') content = content.subarray(0, -2);
    parts.push(content);
    at = next;
  }
  return parts;
}
