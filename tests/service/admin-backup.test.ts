// Backup, restore and verify as the city hall's administrator runs them (issue 19): `caf-plan backup` from another
// process while department heads keep submitting, the file restored into a new folder and served from there, and
// damage (a changed byte in a stored file, a cut backup) found by `verify` and refused by `restore`.
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../service/admin/backup';
import { main } from '../../service/cli';
import { configWith } from '../../service/config';
import { createApp } from '../../service/http/app';
import { MergeRunner } from '../../service/jobs/merge';
import { Store } from '../../service/store/store';
import { repoRoot } from '../support/seed';
import { importSample, startService, type Running } from './support';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'caf-admin-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--lang', 'en'], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The rows of every table, in rowid order: what "the same database" means, read with plain SQL. */
function dumpTables(dataDir: string): Record<string, unknown[]> {
  const db = new Database(path.join(dataDir, 'caf-plan.sqlite'), { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string }[];
    return Object.fromEntries(
      tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]),
    );
  } finally {
    db.close();
  }
}

/** A second service on an existing data folder (the restored one), as `caf-plan serve --data-dir` would run it. */
async function serveFolder(dataDir: string): Promise<{ url: string; store: Store; close(): Promise<void> }> {
  const store = new Store(dataDir);
  const config = configWith({ dataDir, logLevel: 'silent', rateLimitPerMinute: 100_000 });
  const app = createApp({ store, config, merges: new MergeRunner(store), logger: pino({ level: 'silent' }) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}

async function ownedRows(s: Running, planId: string, unit: string): Promise<string[]> {
  const res = await s.call('GET', `/api/plans/${planId}/current.json`);
  const { plan } = (await res.json()) as { plan: { actions: { id: string; values: { ownerCodes?: string } }[] } };
  return plan.actions.filter((a) => String(a.values.ownerCodes ?? '').includes(`;${unit};`)).map((a) => a.id);
}

describe('backup while the service runs', () => {
  it('takes 20 submissions arriving during a backup from another process: each is wholly in it or wholly after', async () => {
    const s = await startService();
    try {
      const planId = await importSample(s);
      const rows = await ownedRows(s, planId, 'DMRU');
      const token = s.unitToken('DMRU');
      const acked: { id: string; at: number }[] = [];
      const submit = async (i: number): Promise<string> => {
        const res = await s.call('POST', `/api/plans/${planId}/submissions`, {
          token,
          body: {
            unit: 'DMRU',
            baseRevision: 1,
            rows: [{ id: rows[i % rows.length], values: { monitoring: `Nota de monitorizare ${i + 1}` } }],
          },
        });
        expect(res.status).toBe(201);
        const id = ((await res.json()) as { submission: string }).submission;
        acked.push({ id, at: Date.now() });
        return id;
      };
      for (let i = 0; i < 3; i++) await submit(i);
      const out = path.join(work, 'live.tar');
      const spawnedAt = Date.now();
      const child = spawn(
        process.execPath,
        [path.join(repoRoot, 'bin/caf-plan.mjs'), 'backup', '--out', out, '--data-dir', s.dataDir, '--lang', 'en'],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let childOut = '';
      child.stdout.on('data', (d: Buffer) => (childOut += d.toString()));
      child.stderr.on('data', (d: Buffer) => (childOut += d.toString()));
      let done = false;
      const exited = new Promise<number>((resolve) =>
        child.on('exit', (code) => {
          done = true;
          resolve(code ?? -1);
        }),
      );
      // While the backup process starts, submissions keep arriving (up to 10 in all); the moment its snapshot file
      // appears (VACUUM INTO has begun its read transaction) the other 10 arrive at once.
      const snapshotting = (): boolean => readdirSync(work).some((f) => f.startsWith('.caf-plan-snapshot-'));
      const early: Promise<string>[] = [];
      let next = 3;
      let last = 0;
      while (!done && !snapshotting()) {
        if (next < 10 && Date.now() - last > 300) {
          early.push(submit(next++));
          last = Date.now();
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      const late: Promise<string>[] = [];
      while (next < 20) late.push(submit(next++));
      await Promise.all(early);
      const lateIds = await Promise.all(late);
      expect(await exited, childOut).toBe(0);
      expect(childOut).toMatch(/Backup .*live\.tar/);
      expect(acked).toHaveLength(20);

      const restored = path.join(work, 'live-restored');
      const r = await cli(['restore', out, '--data-dir', restored]);
      expect(r.code, r.out + r.err).toBe(0);
      const live = dumpTables(s.dataDir).submissions as { id: number; blob: string; rows_json: string }[];
      const back = dumpTables(restored).submissions as { id: number; blob: string; rows_json: string }[];
      // A prefix of the submissions, by id: the snapshot saw every commit before it and none after.
      const ids = back.map((b) => b.id);
      expect(ids).toEqual(live.slice(0, back.length).map((l) => l.id));
      // Acknowledged before the backup began: in it.
      for (const a of acked.filter((x) => x.at < spawnedAt)) expect(ids).toContain(Number(a.id));
      // Sent once the snapshot had begun: after it.
      expect(lateIds.length).toBeGreaterThanOrEqual(10);
      for (const id of lateIds) expect(ids).not.toContain(Number(id));
      // None half: each row in the backup has its stored bytes, the very bytes the live service holds.
      for (const b of back) {
        const live1 = live.find((l) => l.id === b.id)!;
        expect(b).toEqual(live1);
        const bytes = readFileSync(path.join(restored, 'blobs', b.blob.slice(0, 2), b.blob));
        expect(sha256(bytes)).toBe(b.blob);
        expect(bytes.equals(readFileSync(path.join(s.dataDir, 'blobs', b.blob.slice(0, 2), b.blob)))).toBe(true);
      }
      console.log(
        `backup during 20 submissions: ${back.length} in the backup, ${20 - back.length} after it (${lateIds.length} sent once the snapshot began)`,
      );
    } finally {
      await s.close();
    }
  });
});

describe('restore on another machine and serve from it', () => {
  let s: Running;
  let planId: string;
  let file: string;
  let restored: string;

  beforeAll(async () => {
    s = await startService();
    planId = await importSample(s);
    const dmru = await ownedRows(s, planId, 'DMRU');
    const sic = (await ownedRows(s, planId, 'SIC')).filter((id) => !dmru.includes(id));
    const send = async (unit: string, rows: { id: string; values: Record<string, string> }[]): Promise<void> => {
      const res = await s.call('POST', `/api/plans/${planId}/submissions`, {
        token: s.unitToken(unit),
        body: { unit, baseRevision: 1, rows },
      });
      expect(res.status).toBe(201);
    };
    await send('DMRU', [{ id: dmru[0]!, values: { status: 'În curs', monitoring: 'Procedura e în lucru.' } }]);
    // SIC writes on a DMRU row too: a conflict for the coordinator.
    await send('SIC', [
      { id: sic[0]!, values: { status: 'Realizat' } },
      { id: dmru[0]!, values: { monitoring: 'Scris de SIC' } },
    ]);
    expect((await s.call('POST', `/api/plans/${planId}/merges`)).status).toBe(201);
    await send('DMRU', [{ id: dmru[1]!, values: { status: 'Amânat' } }]);
    file = path.join(work, 'full.tar');
    await createBackup({ dataDir: s.dataDir, out: file });
    restored = path.join(work, 'other-machine', 'caf-plan');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('is a plain tar another program lists: the manifest first, the database, the stored files', () => {
    const listed = spawnSync('tar', ['-tf', file], { encoding: 'utf8' });
    expect(listed.status).toBe(0);
    const names = listed.stdout.trim().split('\n');
    expect(names[0]).toBe('manifest.json');
    expect(names[1]).toBe('caf-plan.sqlite');
    const storedLive = readdirSync(path.join(s.dataDir, 'blobs'))
      .filter((d) => /^[0-9a-f]{2}$/.test(d))
      .flatMap((d) => readdirSync(path.join(s.dataDir, 'blobs', d)).map((f) => `blobs/${d}/${f}`));
    expect(names.slice(2).sort()).toEqual(storedLive.sort());
    const manifest = JSON.parse(spawnSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8' }).stdout) as {
      schemaVersion: number;
      counts: Record<string, number>;
      database: { sha256: string };
    };
    expect(manifest.counts).toMatchObject({ plans: 1, revisions: 2, submissions: 3, merges: 1 });
    const db = spawnSync('tar', ['-xOf', file, 'caf-plan.sqlite']).stdout;
    expect(sha256(db)).toBe(manifest.database.sha256);
  });

  it('refuses a folder that is not empty and leaves it alone', async () => {
    const busy = path.join(work, 'busy');
    mkdirSync(busy);
    writeFileSync(path.join(busy, 'notes.txt'), 'do not touch');
    const r = await cli(['restore', file, '--data-dir', busy]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('restore-not-empty');
    expect(r.err).toMatch(/nu este gol/);
    expect(readdirSync(busy)).toEqual(['notes.txt']);
  });

  it('restores into a new folder; the service there has the same plans, revisions, submissions, merges and files', async () => {
    const r = await cli(['restore', file, '--data-dir', restored]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/Restored into .* files checked \(sha256\)/);
    expect(dumpTables(restored)).toEqual(dumpTables(s.dataDir));

    const other = await serveFolder(restored);
    try {
      // The coordinator's token of the old machine works on the new one: tokens are part of the data.
      const get = (base: string, at: string): Promise<Response> =>
        fetch(base + at, { headers: { authorization: `Bearer ${s.coordinator}` } });
      const same = async (at: string): Promise<void> => {
        const [a, b] = await Promise.all([get(s.url, at), get(other.url, at)]);
        expect(b.status, at).toBe(200);
        expect(a.status, at).toBe(200);
        expect(Buffer.from(await b.arrayBuffer()).equals(Buffer.from(await a.arrayBuffer())), at).toBe(true);
      };
      await same('/api/plans');
      await same(`/api/plans/${planId}/revisions`);
      await same(`/api/plans/${planId}/submissions`);
      await same(`/api/plans/${planId}/merges`);
      await same(`/api/plans/${planId}/conflicts`);
      await same('/api/merges/1/report.json');
      // Stored files, byte for byte: both revisions, the merged workbook, each submission as received.
      await same(`/api/plans/${planId}/revisions/1.xlsx`);
      await same(`/api/plans/${planId}/revisions/2.xlsx`);
      await same('/api/merges/1/merged.xlsx');
      for (const id of ['1', '2', '3']) await same(`/api/submissions/${id}/file`);
      // And it goes on working: the waiting submission is merged there.
      const merged = await fetch(`${other.url}/api/plans/${planId}/merges`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.coordinator}` },
      });
      expect(merged.status).toBe(201);
      expect(((await merged.json()) as { newRevision: number }).newRevision).toBe(3);
    } finally {
      await other.close();
    }
    const v = await cli(['verify', '--data-dir', restored]);
    expect(v.code, v.out).toBe(0);
  });

  it('verify finds a stored file whose bytes changed, and names what uses it', async () => {
    const damaged = path.join(work, 'damaged');
    expect((await cli(['restore', file, '--data-dir', damaged])).code).toBe(0);
    const sub = (dumpTables(damaged).submissions as { id: number; blob: string }[])[0]!;
    const target = path.join(damaged, 'blobs', sub.blob.slice(0, 2), sub.blob);
    const bytes = readFileSync(target);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x20;
    writeFileSync(target, bytes);
    const v = await cli(['verify', '--data-dir', damaged]);
    expect(v.code).toBe(1);
    expect(v.out).toContain(`[blob-corrupt] The stored file blobs/${sub.blob.slice(0, 2)}/${sub.blob} is damaged`);
    expect(v.out).toContain(`submissions #${sub.id}`);
    expect(v.out).toMatch(/1 problem found/);
    const ro = await main(['verify', '--data-dir', damaged], { out: () => {}, err: () => {} });
    expect(ro).toBe(1);
    // And a backup of the damaged folder refuses to carry the damage on silently.
    const b = await cli(['backup', '--data-dir', damaged, '--out', path.join(work, 'of-damaged.tar')]);
    expect(b.code).toBe(2);
    expect(b.err).toContain('backup-blob-corrupt');
  });

  it('verify finds a missing stored file and a broken foreign key', async () => {
    const broken = path.join(work, 'broken');
    expect((await cli(['restore', file, '--data-dir', broken])).code).toBe(0);
    const rev = (dumpTables(broken).revisions as { blob: string }[])[1]!;
    rmSync(path.join(broken, 'blobs', rev.blob.slice(0, 2), rev.blob));
    const db = new Database(path.join(broken, 'caf-plan.sqlite'));
    db.pragma('foreign_keys = OFF');
    db.prepare('UPDATE conflicts SET merge_id = 99 WHERE id = 1').run();
    db.close();
    const v = await cli(['verify', '--data-dir', broken, '--json']);
    expect(v.code).toBe(1);
    const report = JSON.parse(v.out) as { ok: boolean; problems: { code: string; en: string }[] };
    expect(report.problems.map((p) => p.code).sort()).toEqual(['blob-missing', 'db-foreign-key']);
    expect(report.problems.find((p) => p.code === 'blob-missing')!.en).toContain('revisions #2');
  });

  it('refuses a cut backup and one with a changed byte, and leaves the folder empty', async () => {
    const size = statSync(file).size;
    const cut = path.join(work, 'cut.tar');
    writeFileSync(cut, readFileSync(file).subarray(0, Math.floor(size / 2)));
    const into = path.join(work, 'from-cut');
    mkdirSync(into);
    const r = await cli(['restore', cut, '--data-dir', into]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('backup-truncated');
    expect(r.err).toMatch(/Nothing was restored/);
    expect(readdirSync(into)).toEqual([]);

    // Cut exactly after the last file, before the end marker: still refused.
    const noEnd = path.join(work, 'no-end.tar');
    writeFileSync(noEnd, readFileSync(file));
    truncateSync(noEnd, size - 1024);
    const r2 = await cli(['restore', noEnd, '--data-dir', path.join(work, 'from-no-end')]);
    expect(r2.err).toContain('backup-truncated');

    // One byte changed inside a stored file's content: the DMRU submission as received (its text comes last in the
    // archive; the database holds it too, earlier).
    const flipped = path.join(work, 'flipped.tar');
    const bytes = readFileSync(file);
    const at = bytes.lastIndexOf(Buffer.from('Procedura e în lucru'));
    expect(at).toBeGreaterThan(bytes.indexOf(Buffer.from('Procedura e în lucru')));
    bytes[at]! ^= 0x01;
    writeFileSync(flipped, bytes);
    const r3 = await cli(['restore', flipped, '--data-dir', path.join(work, 'from-flipped')]);
    expect(r3.code).toBe(2);
    expect(r3.err).toContain('backup-corrupt');
    expect(r3.err).toMatch(/blobs\/[0-9a-f]{2}\/[0-9a-f]{64}/);
    expect(readdirSync(work)).not.toContain('from-flipped');

    const notTar = path.join(work, 'not.tar');
    writeFileSync(notTar, 'PK\u0003\u0004 not a backup');
    const r4 = await cli(['restore', notTar, '--data-dir', path.join(work, 'from-not')]);
    expect(r4.err).toContain('backup-not-caf');
  });
});
