// Upgrades keep the data (issue 19): a data folder written by an earlier version (tests/fixtures/upgrade/v0.1.0,
// made by scripts/make-data-fixture.ts at that version and kept as it was) opens with this code, any pending
// migrations run after an automatic backup, and everything the old version recorded is still there and still
// works. A folder a newer version wrote is refused and left untouched. Written against the fixture's own account of
// its data (expected.json), so the test keeps working as migrations are added.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../service/admin/backup';
import { CODE_SCHEMA_VERSION } from '../../service/admin/schema';
import { main } from '../../service/cli';
import { MergeRunner } from '../../service/jobs/merge';
import { MIGRATIONS } from '../../service/store/migrations';
import { Store } from '../../service/store/store';
import { repoRoot } from '../support/seed';

const FIXTURE = path.join(repoRoot, 'tests/fixtures/upgrade/v0.1.0');

interface Expected {
  madeBy: { version: string; schemaVersion: number };
  planId: string;
  actions: number;
  counts: Record<string, number>;
  revisions: { revision: number; blob: string; origin: string; mergeId: number | null }[];
  submissions: { id: number; unit: string; kind: string; blob: string; outcome: string; mergeId: number | null }[];
  merges: { id: number; status: string; newRevision: number | null }[];
  conflicts: { id: number; kind: string; rowId: string; status: string }[];
  tokens: { id: string; role: string; unit: string | null }[];
}
const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8')) as Expected;

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'caf-upgrade-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function copyFixture(name: string): string {
  const dir = path.join(work, name);
  cpSync(FIXTURE, dir, { recursive: true });
  rmSync(path.join(dir, 'expected.json'));
  return dir;
}

const fileHash = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--lang', 'en'], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('a data folder of version 0.1.0', () => {
  it('is the fixture the test expects: schema 2, the sample plan, three submissions, one merge with a conflict', () => {
    expect(expected.madeBy).toMatchObject({ version: '0.1.0', schemaVersion: 2 });
    expect(expected.actions).toBe(72);
    expect(expected.counts).toMatchObject({ plans: 1, revisions: 2, submissions: 3, merges: 1, conflicts: 1 });
    expect(CODE_SCHEMA_VERSION).toBeGreaterThanOrEqual(expected.madeBy.schemaVersion);
  });

  it('opens with this version: migrations after a backup, every record kept, and the service works on it', async () => {
    const dir = copyFixture('v0.1.0');
    const store = new Store(dir);
    try {
      const pending = CODE_SCHEMA_VERSION - expected.madeBy.schemaVersion;
      if (pending > 0) {
        expect(store.upgradeBackup).toMatch(/backups\/pre-upgrade-schema2-to\d+-.*\.tar$/);
        expect(existsSync(store.upgradeBackup!)).toBe(true);
      } else {
        expect(store.upgradeBackup).toBeUndefined();
      }
      const versions = (
        store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
          version: number;
        }[]
      ).map((r) => r.version);
      expect(versions).toEqual(MIGRATIONS.map((_, i) => i + 1));

      const plan = store.getPlan(expected.planId)!;
      expect(plan.currentRevision).toBe(2);
      expect(store.revisionPlan(plan.id, 2)!.actions).toHaveLength(expected.actions);
      expect(
        store.listRevisions(plan.id).map((r) => ({ revision: r.revision, blob: r.blob, origin: r.origin })),
      ).toEqual(expected.revisions.map(({ revision, blob, origin }) => ({ revision, blob, origin })));
      expect(
        store
          .listSubmissions(plan.id)
          .map((s) => ({ id: Number(s.id), unit: s.unit, kind: s.kind, blob: s.blob, outcome: s.outcome })),
      ).toEqual(expected.submissions.map(({ id, unit, kind, blob, outcome }) => ({ id, unit, kind, blob, outcome })));
      expect(
        store.listConflicts(plan.id).map((c) => ({ id: c.id, kind: c.kind, rowId: c.rowId, status: c.status })),
      ).toEqual(expected.conflicts.map(({ id, kind, rowId, status }) => ({ id, kind, rowId, status })));
      expect(
        store
          .listTokens()
          .map((t) => ({ id: t.id, role: t.role, unit: t.unit }))
          .sort((a, b) => a.id.localeCompare(b.id)),
      ).toEqual(expected.tokens);
      for (const r of expected.revisions) expect(fileHash(store.blobs.pathOf(r.blob))).toBe(r.blob);

      // The submission left waiting by the old version is merged by the new one.
      const merge = await new MergeRunner(store, { logger: pino({ level: 'silent' }) }).run(plan.id, 'manual', 'test');
      expect(merge).toMatchObject({ status: 'done', currentRevision: 2, newRevision: 3 });
      expect(store.getSubmission('3')!.outcome).toBe('merged');
    } finally {
      store.close();
    }
    const v = await cli(['verify', '--data-dir', dir]);
    expect(v.code, v.out).toBe(0);
  });

  it('takes a backup before a pending migration, and that backup restores the folder as it was', async () => {
    // The folder as the version before migration 2 left it: the column migration 2 adds is not there yet.
    const dir = copyFixture('schema1');
    const raw = new Database(path.join(dir, 'caf-plan.sqlite'));
    raw.exec('ALTER TABLE conflicts DROP COLUMN superseded_by; DELETE FROM schema_migrations WHERE version > 1;');
    raw.close();
    const before = readdirSync(dir);
    expect(before).not.toContain('backups');

    const store = new Store(dir);
    const backup = store.upgradeBackup!;
    try {
      expect(backup).toMatch(new RegExp(`pre-upgrade-schema1-to${CODE_SCHEMA_VERSION}-`));
      const columns = (store.db.prepare('PRAGMA table_info(conflicts)').all() as { name: string }[]).map((c) => c.name);
      expect(columns).toContain('superseded_by');
      expect(store.getConflict(1)!.supersededBy).toBeNull();
    } finally {
      store.close();
    }
    const back = path.join(work, 'schema1-restored');
    const r = await cli(['restore', backup, '--data-dir', back]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('(schema 1)');
    const db = new Database(path.join(back, 'caf-plan.sqlite'), { readonly: true });
    const columns = (db.prepare('PRAGMA table_info(conflicts)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('superseded_by');
    expect((db.prepare('SELECT COUNT(*) AS n FROM submissions').get() as { n: number }).n).toBe(3);
    db.close();
  });

  it('stops before migrating when the backup cannot be written, and leaves the folder at its schema', () => {
    const dir = copyFixture('no-room');
    const raw = new Database(path.join(dir, 'caf-plan.sqlite'));
    raw.exec('ALTER TABLE conflicts DROP COLUMN superseded_by; DELETE FROM schema_migrations WHERE version > 1;');
    raw.close();
    // A file where the backups folder would go: the backup cannot be written.
    cpSync(path.join(FIXTURE, 'expected.json'), path.join(dir, 'backups'));
    expect(() => new Store(dir)).toThrow(/upgrade did not start|backup taken first/);
    const db = new Database(path.join(dir, 'caf-plan.sqlite'), { readonly: true });
    expect((db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v).toBe(1);
    db.close();
  });
});

describe('a data folder of a newer version', () => {
  function newerFolder(name: string): string {
    const dir = copyFixture(name);
    const raw = new Database(path.join(dir, 'caf-plan.sqlite'));
    raw
      .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
      .run(CODE_SCHEMA_VERSION + 1, '2027-01-01T00:00:00.000Z');
    raw.close();
    return dir;
  }

  it('is refused with a clear message, and nothing in it changes', async () => {
    const dir = newerFolder('newer');
    const hash = fileHash(path.join(dir, 'caf-plan.sqlite'));
    expect(() => new Store(dir)).toThrow(/newer version of caf-plan/);
    const r = await cli(['token', 'list', '--data-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^data-too-new: /m);
    expect(r.err).toContain(`schema ${CODE_SCHEMA_VERSION + 1}`);
    expect(r.err).toMatch(/scris de o versiune mai nouă/);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
    expect(fileHash(path.join(dir, 'caf-plan.sqlite'))).toBe(hash);
    expect(existsSync(path.join(dir, 'blobs', 'tmp'))).toBe(false);
    expect(existsSync(path.join(dir, 'backups'))).toBe(false);
    const v = await cli(['verify', '--data-dir', dir]);
    expect(v.code).toBe(1);
    expect(v.out).toContain('[data-too-new]');
  });

  it('as a backup, is refused by restore', async () => {
    const dir = newerFolder('newer-for-backup');
    const file = path.join(work, 'newer.tar');
    await createBackup({ dataDir: dir, out: file });
    const into = path.join(work, 'newer-restored');
    const r = await cli(['restore', file, '--data-dir', into]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^data-too-new: /m);
    expect(existsSync(into)).toBe(false);
  });
});
