// The Drive source through the real googleapis client against a fake Drive v3 on 127.0.0.1. Every outgoing
// request is checked at node:http / node:https (gaxios sends through node-fetch, which uses them): a request toward
// any other host is refused before a socket opens, and fails the suite.
import { google } from 'googleapis';
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DriveSource, qString, serviceAccountAuth, type DriveSourceOptions } from '../../service/sources/drive';
import { sha256 } from '../../service/store/blobs';
import { FakeDrive, SHEET_MIME, XLSX_MIME } from '../support/fake-drive';
import { storeWithPlan, withMeta, type Fixture } from './sources-fixtures';

const outside: string[] = [];
const originals = { http: http.request, https: https.request };
function guard(module: typeof http | typeof https, original: typeof http.request): void {
  (module as { request: unknown }).request = (...args: unknown[]) => {
    const first = args[0];
    const host =
      typeof first === 'string' || first instanceof URL
        ? new URL(first).hostname
        : ((first as http.RequestOptions).hostname ?? (first as http.RequestOptions).host ?? 'localhost');
    if (host !== '127.0.0.1') {
      outside.push(String(host));
      throw new Error(`test tried to reach ${host}`);
    }
    return (original as (...a: unknown[]) => http.ClientRequest)(...args);
  };
}
beforeAll(() => {
  guard(http, originals.http);
  guard(https, originals.https as unknown as typeof http.request);
});
afterAll(() => {
  http.request = originals.http;
  https.request = originals.https;
  expect(outside.filter((h) => h !== '192.0.2.1')).toEqual([]);
});

let fx: Fixture;
let drive: FakeDrive;
let inFolder: string;
let outFolder: string;

function source(options: Partial<DriveSourceOptions> = {}): DriveSource {
  const auth = new google.auth.OAuth2();
  auth.setCredentials({ access_token: drive.accessToken });
  return new DriveSource(
    fx.store,
    {
      folderId: inFolder,
      outputFolderId: outFolder,
      rootUrl: drive.url,
      timeoutMs: 2_000,
      retries: 0,
      pageSize: 100,
      ...options,
    },
    auth,
  );
}

const submissions = () => fx.store.listSubmissions('sector1-2022');

beforeEach(async () => {
  fx = await storeWithPlan();
  drive = new FakeDrive();
  await drive.start();
  drive.pageCap = 2;
  inFolder = drive.addFolder('Copii CAF');
  outFolder = drive.addFolder('Plan îmbinat');
});
afterEach(async () => {
  await drive.stop();
  fx.close();
});

describe('Drive source', () => {
  it('first run: lists the folder page by page, downloads .xlsx copies, exports Google Sheets, and stores the cursor', async () => {
    const dmru = await fx.copy('DMRU', [
      { rowId: fx.owned('DMRU')[0]!, column: 'monitoring', value: 'Chestionar aplicat' },
    ]);
    const sic = await fx.copy('SIC', [
      { rowId: fx.owned('SIC')[0]!, column: 'monitoring', value: 'Comunicat publicat' },
    ]);
    const smi = await fx.copy('SMI');
    const a = drive.put({ name: 'DMRU.xlsx', mimeType: XLSX_MIME, parents: [inFolder], content: dmru });
    const b = drive.put({ name: 'Copie SIC', mimeType: SHEET_MIME, parents: [inFolder], content: sic });
    drive.put({ name: 'SMI.xlsx', mimeType: XLSX_MIME, parents: [inFolder], content: smi });
    drive.put({
      name: 'proces-verbal.pdf',
      mimeType: 'application/pdf',
      parents: [inFolder],
      content: new Uint8Array([37, 80]),
    });
    drive.put({ name: 'altundeva.xlsx', mimeType: XLSX_MIME, parents: [outFolder], content: smi });

    const s = source();
    const run = await s.run();
    expect(run.ok).toBe(true);
    const byName = Object.fromEntries(run.outcomes.map((o) => [o.name, o]));
    expect(byName['DMRU.xlsx']).toMatchObject({ kind: 'taken', unit: 'DMRU', duplicate: false });
    expect(byName['Copie SIC']).toMatchObject({ kind: 'taken', unit: 'SIC' });
    expect(byName['SMI.xlsx']).toMatchObject({ kind: 'taken', unit: 'SMI' });
    expect(byName['proces-verbal.pdf']).toMatchObject({ kind: 'skipped', why: 'not-spreadsheet' });
    expect(byName['altundeva.xlsx']).toBeUndefined();

    // Paging: 4 files at 2 a page.
    const lists = drive.received(/^\/drive\/v3\/files$/, 'GET');
    expect(lists.map((r) => r.query.pageToken ?? null)).toEqual([null, '2']);
    expect(lists[0]!.query.q).toBe(`${qString(inFolder)} in parents and trashed = false`);
    expect(lists[0]!.query.supportsAllDrives).toBe('true');
    // The Sheet went through files.export as .xlsx, the binaries through alt=media.
    expect(drive.received(new RegExp(`/files/${b.id}/export$`))[0]!.query.mimeType).toBe(XLSX_MIME);
    expect(drive.received(new RegExp(`/files/${a.id}$`))[0]!.query.alt).toBe('media');

    const stored = submissions();
    expect(stored.map((x) => [x.unit, x.source, x.fileName]).sort()).toEqual([
      ['DMRU', 'drive', 'DMRU.xlsx'],
      ['SIC', 'drive', 'Copie SIC.xlsx'],
      ['SMI', 'drive', 'SMI.xlsx'],
    ]);
    expect(stored.find((x) => x.unit === 'DMRU')!.blob).toBe(sha256(dmru));
    expect(run.ok && run.cursor.to).toBe(s.cursor);
    expect(s.cursor).not.toBeNull();

    // Nothing new: the next run reads the change log only and takes nothing.
    const again = await s.run();
    expect(again.ok).toBe(true);
    expect(again.outcomes.filter((o) => o.kind === 'taken')).toEqual([]);
    expect(submissions()).toHaveLength(3);
  });

  it('later runs follow the Changes API: edits, removals, moves, and a file without metadata refused with its reason', async () => {
    const first = drive.put({
      name: 'DMRU.xlsx',
      mimeType: XLSX_MIME,
      parents: [inFolder],
      content: await fx.copy('DMRU'),
    });
    const gone = drive.put({
      name: 'SIC.xlsx',
      mimeType: XLSX_MIME,
      parents: [inFolder],
      content: await fx.copy('SIC'),
    });
    const s = source();
    expect((await s.run()).ok).toBe(true);
    const cursor = s.cursor;
    expect(submissions()).toHaveLength(2);

    const edited = await fx.copy('DMRU', [
      { rowId: fx.owned('DMRU')[0]!, column: 'monitoring', value: 'Revizuit în aprilie' },
    ]);
    drive.edit(first.id, edited);
    drive.remove(gone.id);
    const moved = drive.put({
      name: 'SMI.xlsx',
      mimeType: XLSX_MIME,
      parents: [inFolder],
      content: await fx.copy('SMI'),
    });
    drive.move(moved.id, outFolder);
    const plain = drive.put({
      name: 'plan vechi.xlsx',
      mimeType: XLSX_MIME,
      parents: [inFolder],
      content: await withMeta(fx.master, null),
    });

    const run = await s.run();
    expect(run.ok).toBe(true);
    // 5 changes at 2 a page: three pages, then the new start token.
    const pages = drive.received(/^\/drive\/v3\/changes$/).map((r) => r.query.pageToken);
    expect(pages[0]).toBe(cursor);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const taken = run.outcomes.filter((o) => o.kind === 'taken');
    expect(taken).toEqual([expect.objectContaining({ fileId: first.id, unit: 'DMRU', duplicate: false })]);
    expect(run.outcomes).toContainEqual(expect.objectContaining({ fileId: gone.id, kind: 'skipped', why: 'removed' }));
    expect(run.outcomes).toContainEqual(
      expect.objectContaining({ fileId: moved.id, kind: 'skipped', why: 'outside-folder' }),
    );
    const refused = run.outcomes.find((o) => o.fileId === plain.id);
    expect(refused).toMatchObject({ kind: 'refused', code: 'submission-not-a-copy' });
    expect(refused?.kind === 'refused' && refused.reason.ro).toMatch(/_caf_plan/);
    expect(refused?.kind === 'refused' && refused.reason.en).toMatch(/_caf_plan/);
    expect(fx.store.listAudit().find((e) => e.action === 'submission.refused')).toMatchObject({
      target: 'plan vechi.xlsx',
      details: expect.objectContaining({ source: 'drive', code: 'submission-not-a-copy' }),
    });
    expect(submissions().map((x) => x.blob)).toContain(sha256(edited));
    expect(submissions()).toHaveLength(3);

    // The refused file is not refused again (nor audited again) while it does not change.
    const third = await s.run();
    expect(third.outcomes).toEqual([]);
    expect(fx.store.listAudit().filter((e) => e.action === 'submission.refused')).toHaveLength(1);
  });

  it('a Drive that answers 500 midway: the run reports it, the cursor stays, the next run catches up and takes nothing twice', async () => {
    const s = source();
    expect((await s.run()).ok).toBe(true);
    const cursor = s.cursor;
    const a = drive.put({
      name: 'DMRU.xlsx',
      mimeType: XLSX_MIME,
      parents: [inFolder],
      content: await fx.copy('DMRU'),
    });
    const b = drive.put({ name: 'SIC.xlsx', mimeType: XLSX_MIME, parents: [inFolder], content: await fx.copy('SIC') });
    drive.fault({ method: 'GET', path: new RegExp(`^/drive/v3/files/${b.id}$`), status: 500 });

    const failed = await s.run();
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.error).toMatchObject({ code: 'drive-unavailable', status: 500 });
    expect(failed.error.message.ro).toMatch(/Google Drive nu este disponibil/);
    expect(failed.error.message.en).toMatch(/Google Drive is unavailable/);
    expect(failed.outcomes).toEqual([expect.objectContaining({ fileId: a.id, kind: 'taken' })]);
    expect(s.cursor).toBe(cursor);
    expect(submissions().map((x) => x.unit)).toEqual(['DMRU']);

    drive.clearFaults();
    const caught = await s.run();
    expect(caught.ok).toBe(true);
    expect(caught.outcomes).toContainEqual(expect.objectContaining({ fileId: a.id, kind: 'skipped', why: 'seen' }));
    expect(caught.outcomes).toContainEqual(expect.objectContaining({ fileId: b.id, kind: 'taken', unit: 'SIC' }));
    expect(
      submissions()
        .map((x) => x.unit)
        .sort(),
    ).toEqual(['DMRU', 'SIC']);
    expect(s.cursor).not.toBe(cursor);
    // DMRU's copy was downloaded once in all.
    expect(drive.received(new RegExp(`^/drive/v3/files/${a.id}$`))).toHaveLength(1);
  });

  it('a Drive that does not answer in time: reported as a timeout, the cursor stays, the next run catches up', async () => {
    const s = source({ timeoutMs: 300 });
    expect((await s.run()).ok).toBe(true);
    const cursor = s.cursor;
    drive.put({ name: 'SMI.xlsx', mimeType: XLSX_MIME, parents: [inFolder], content: await fx.copy('SMI') });
    drive.fault({ path: /^\/drive\/v3\/changes$/, delayMs: 1_500, times: 1 });
    const slow = await s.run();
    expect(slow.ok).toBe(false);
    expect(!slow.ok && slow.error.code).toBe('drive-timeout');
    expect(!slow.ok && slow.error.message.ro).toMatch(/nu a răspuns la timp/);
    expect(s.cursor).toBe(cursor);
    expect(submissions()).toEqual([]);

    const next = await s.run();
    expect(next.ok).toBe(true);
    expect(next.outcomes).toContainEqual(expect.objectContaining({ kind: 'taken', unit: 'SMI' }));
    expect(submissions()).toHaveLength(1);
  });

  it('a Google Sheet above the 10 MB export cap is refused with a reason saying so', async () => {
    drive.put({
      name: 'Copie mare',
      mimeType: SHEET_MIME,
      parents: [inFolder],
      content: await fx.copy('DMRU'),
      exportSize: 11 * 1024 * 1024,
    });
    const run = await source().run();
    expect(run.ok).toBe(true);
    expect(run.outcomes).toEqual([
      expect.objectContaining({ name: 'Copie mare', kind: 'refused', code: 'drive-export-too-large' }),
    ]);
    const reason = run.outcomes[0]!.kind === 'refused' ? run.outcomes[0]!.reason : undefined;
    expect(reason?.ro).toMatch(/10 MB/);
    expect(reason?.en).toMatch(/File > Download > Microsoft Excel/);
    expect(submissions()).toEqual([]);
  });

  it('publishes the current master into the output folder: creates it in the Shared Drive folder, the bytes reach Drive', async () => {
    const s = source({ driveId: 'shared-drive-1' });
    const published = await s.publish('sector1-2022');
    expect(published).toMatchObject({ ok: true, created: true, revision: 1, skipped: false });
    const uploads = drive.received(/^\/upload\/drive\/v3\/files$/, 'POST');
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.query).toMatchObject({ uploadType: 'multipart', supportsAllDrives: 'true' });
    expect(uploads[0]!.authorization).toBe(`Bearer ${drive.accessToken}`);
    const file = drive.files.get(published.ok ? published.fileId : '')!;
    expect(file).toMatchObject({ name: 'sector1-2022.xlsx', parents: [outFolder], mimeType: XLSX_MIME });
    const stored = fx.store.blobs.get(fx.store.getRevision('sector1-2022', 1)!.blob);
    expect(createHash('sha256').update(file.content).digest('hex')).toBe(sha256(stored));
    expect(file.content.equals(stored)).toBe(true);

    // The same revision again: nothing is sent.
    expect(await s.publish('sector1-2022')).toMatchObject({ ok: true, skipped: true });
    expect(drive.received(/^\/upload\//)).toHaveLength(1);
  });

  it('replaces the content of a file a person created in the output folder (service accounts have no quota)', async () => {
    const mine = drive.put({
      name: 'Plan Sector 1.xlsx',
      mimeType: XLSX_MIME,
      parents: [outFolder],
      content: new Uint8Array([1, 2, 3]),
    });
    const s = source({ outputName: 'Plan Sector 1.xlsx' });
    const published = await s.publish('sector1-2022');
    expect(published).toMatchObject({ ok: true, created: false, fileId: mine.id });
    const patch = drive.received(new RegExp(`^/upload/drive/v3/files/${mine.id}$`), 'PATCH');
    expect(patch).toHaveLength(1);
    const stored = fx.store.blobs.get(fx.store.getRevision('sector1-2022', 1)!.blob);
    expect(drive.files.get(mine.id)!.content.equals(stored)).toBe(true);
    expect(drive.received(/^\/upload\/drive\/v3\/files$/, 'POST')).toEqual([]);
  });

  it('an upload Drive refuses with 500 is reported, and the next publish sends it', async () => {
    const s = source();
    drive.fault({ method: 'POST', path: /^\/upload\/drive\/v3\/files$/, status: 500, times: 1 });
    const failed = await s.publish('sector1-2022');
    expect(failed).toMatchObject({ ok: false, error: { code: 'drive-unavailable', status: 500 } });
    const ok = await s.publish('sector1-2022');
    expect(ok).toMatchObject({ ok: true, created: true, skipped: false });
    expect([...drive.files.values()].filter((f) => f.name === 'sector1-2022.xlsx')).toHaveLength(1);
  });
});

describe('Drive sync', () => {
  it('takes the new copies, then publishes the plan once per revision', async () => {
    drive.put({ name: 'DMRU.xlsx', mimeType: XLSX_MIME, parents: [inFolder], content: await fx.copy('DMRU') });
    const s = source();
    const first = await s.sync();
    expect(first.run.outcomes).toEqual([expect.objectContaining({ kind: 'taken', unit: 'DMRU' })]);
    expect(first.published).toEqual({
      'sector1-2022': expect.objectContaining({ ok: true, created: true, revision: 1 }),
    });
    const second = await s.sync();
    expect(second.published).toEqual({ 'sector1-2022': expect.objectContaining({ ok: true, skipped: true }) });
    expect(drive.received(/^\/upload\//)).toHaveLength(1);
  });
});

describe('test network guard', () => {
  it('stops a request to a host other than 127.0.0.1 before it leaves (TEST-NET address, never Google)', async () => {
    await expect(source({ rootUrl: 'http://192.0.2.1/' }).run()).rejects.toThrow(/192\.0\.2\.1/);
    expect(outside).toContain('192.0.2.1');
  });
});

describe('fake Drive', () => {
  it('takes a resumable upload (session, then the bytes) like Drive', async () => {
    const auth = { authorization: `Bearer ${drive.accessToken}` };
    const session = await fetch(`${drive.url}upload/drive/v3/files?uploadType=resumable`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'mare.xlsx', parents: ['root'], mimeType: XLSX_MIME }),
    });
    expect(session.status).toBe(200);
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
    const put = await fetch(session.headers.get('location')!, { method: 'PUT', headers: auth, body: bytes });
    const file = (await put.json()) as { id: string; name: string; md5Checksum: string };
    expect(file.name).toBe('mare.xlsx');
    expect(drive.files.get(file.id)!.content.equals(Buffer.from(bytes))).toBe(true);
    expect(file.md5Checksum).toBe(createHash('md5').update(bytes).digest('hex'));
  });
});

describe('service account key', () => {
  it('reads a service account key file and refuses a file that is not one, with a bilingual message', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { writeFileSync } = await import('node:fs');
    const path = await import('node:path');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const good = path.join(fx.dir, 'key.json');
    writeFileSync(
      good,
      JSON.stringify({
        type: 'service_account',
        client_email: 'caf-sync@primaria-s1.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      }),
    );
    const jwt = serviceAccountAuth(good);
    expect(jwt.email).toBe('caf-sync@primaria-s1.iam.gserviceaccount.com');
    expect(jwt.scopes).toEqual(['https://www.googleapis.com/auth/drive']);

    const bad = path.join(fx.dir, 'oauth-client.json');
    writeFileSync(bad, JSON.stringify({ installed: { client_id: 'x' } }));
    expect(() => serviceAccountAuth(bad)).toThrow(expect.objectContaining({ code: 'drive-key-invalid' }));
  });
});
