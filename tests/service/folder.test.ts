import {
  existsSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderSource, safeName } from '../../service/sources/folder';
import { sha256 } from '../../service/store/blobs';
import { storeWithPlan, withMeta, type Fixture } from './sources-fixtures';

let fx: Fixture;
let inbox: string;
let source: FolderSource;

/** Files dropped "a minute ago", so only the two-scan check decides. */
function drop(name: string, bytes: Uint8Array): string {
  const file = path.join(inbox, name);
  writeFileSync(file, bytes);
  const past = new Date(Date.now() - 60_000);
  utimesSync(file, past, past);
  return file;
}

async function scanTwice() {
  await source.scan();
  return source.scan();
}

beforeEach(async () => {
  fx = await storeWithPlan();
  inbox = path.join(fx.dir, 'inbox');
  mkdirSync(inbox);
  source = new FolderSource(fx.store, { inbox, stableMs: 1_000 });
});
afterEach(async () => {
  await source.stop();
  fx.close();
});

describe('drop folder', () => {
  it('takes a department copy as a submission of its unit and base revision, then archives it under a new name', async () => {
    const rowId = fx.owned('DMRU')[0]!;
    const bytes = await fx.copy('DMRU', [{ rowId, column: 'monitoring', value: 'Raport trimis în martie 2024' }]);
    drop('Copie DMRU.xlsx', bytes);

    const first = await source.scan();
    expect(first.outcomes).toEqual([{ file: 'Copie DMRU.xlsx', kind: 'waiting' }]);
    expect(fx.store.listSubmissions(fx.plan.meta!.planId)).toEqual([]);

    const second = await source.scan();
    expect(second.outcomes).toHaveLength(1);
    const outcome = second.outcomes[0]!;
    expect(outcome).toMatchObject({ file: 'Copie DMRU.xlsx', kind: 'taken', unit: 'DMRU', duplicate: false });
    const [submission] = fx.store.listSubmissions('sector1-2022');
    expect(submission).toMatchObject({
      unit: 'DMRU',
      baseRevision: 1,
      source: 'folder',
      fileName: 'Copie DMRU.xlsx',
      outcome: 'pending',
    });
    expect(submission!.blob).toBe(sha256(bytes));
    expect(fx.store.blobs.get(submission!.blob).equals(Buffer.from(bytes))).toBe(true);
    // The receipt's dry run saw the change the department made.
    expect((submission!.receipt as { willApply: { rowId: string; to: string }[] }).willApply).toEqual([
      expect.objectContaining({ rowId, column: 'monitoring', to: 'Raport trimis în martie 2024' }),
    ]);

    expect(readdirSync(inbox).filter((n) => n.endsWith('.xlsx'))).toEqual([]);
    const archived = readdirSync(source.archiveDir);
    expect(archived).toHaveLength(1);
    expect(archived[0]).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{12}-Copie_DMRU\.xlsx$/);
    expect(readFileSync(path.join(source.archiveDir, archived[0]!)).equals(Buffer.from(bytes))).toBe(true);
    expect(outcome.kind === 'taken' && outcome.movedTo).toBe(path.join(source.archiveDir, archived[0]!));
  });

  it('does not take a file that is still being copied', async () => {
    const bytes = await fx.copy('SIC');
    const file = path.join(inbox, 'SIC.xlsx');
    const handle = await open(file, 'w');
    await handle.write(bytes.subarray(0, 4096));
    expect((await source.scan()).outcomes).toEqual([{ file: 'SIC.xlsx', kind: 'waiting' }]);
    await handle.write(bytes.subarray(4096));
    await handle.close();
    // Grew since the last scan: still waiting, and fresh (mtime younger than stableMs) even after it stops growing.
    expect((await source.scan()).outcomes).toEqual([{ file: 'SIC.xlsx', kind: 'waiting' }]);
    expect((await source.scan()).outcomes).toEqual([{ file: 'SIC.xlsx', kind: 'waiting' }]);
    expect(fx.store.listSubmissions('sector1-2022')).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await source.scan()).outcomes).toEqual([expect.objectContaining({ kind: 'taken', unit: 'SIC' })]);
  });

  it('refuses a workbook without _caf_plan metadata, moving it aside with a bilingual reason and an audit entry', async () => {
    const plain = await withMeta(fx.master, null);
    drop('plan fara metadate.xlsx', plain);
    const scan = await scanTwice();
    expect(scan.outcomes).toEqual([
      expect.objectContaining({ file: 'plan fara metadate.xlsx', kind: 'refused', code: 'submission-not-a-copy' }),
    ]);
    const refused = readdirSync(source.refusedDir).sort();
    expect(refused).toHaveLength(2);
    const note = readFileSync(
      path.join(
        source.refusedDir,
        refused.find((n) => n.endsWith('.reason.txt'))!,
      ),
      'utf8',
    );
    expect(note).toContain('nu a fost preluat');
    expect(note).toContain('_caf_plan');
    expect(note).toContain('was not taken');
    expect(fx.store.listSubmissions('sector1-2022')).toEqual([]);
    const audit = fx.store.listAudit().find((a) => a.action === 'submission.refused');
    expect(audit).toMatchObject({
      target: 'plan fara metadate.xlsx',
      details: expect.objectContaining({ code: 'submission-not-a-copy' }),
    });
  });

  it('refuses the master (metadata but no unit), a non-xlsx file, a broken file and a copy of an unknown plan', async () => {
    drop('master.xlsx', fx.master);
    drop('copie.xls', new TextEncoder().encode('old excel'));
    drop('trunchiat.xlsx', (await fx.copy('SMI')).subarray(0, 2000));
    drop(
      'alt plan.xlsx',
      await withMeta(fx.master, { planId: 'alt-plan', revision: '1', unit: 'SMI', schemaVersion: '1' }),
    );
    const scan = await scanTwice();
    const byFile = Object.fromEntries(scan.outcomes.map((o) => [o.file, o]));
    expect(byFile['master.xlsx']).toMatchObject({ kind: 'refused', code: 'submission-not-a-copy' });
    expect(byFile['master.xlsx']!.kind === 'refused' && byFile['master.xlsx']!.reason.en).toMatch(/names no unit/);
    expect(byFile['copie.xls']).toMatchObject({ kind: 'refused', code: 'folder-not-xlsx' });
    expect(byFile['trunchiat.xlsx']).toMatchObject({ kind: 'refused' });
    expect(byFile['trunchiat.xlsx']!.kind === 'refused' && byFile['trunchiat.xlsx']!.code).toMatch(/^xlsx-/);
    expect(byFile['alt plan.xlsx']).toMatchObject({ kind: 'refused', code: 'plan-not-found' });
    expect(readdirSync(source.refusedDir).filter((n) => n.endsWith('.reason.txt'))).toHaveLength(4);
    expect(readdirSync(inbox).filter((n) => !['archive', 'refused'].includes(n))).toEqual([]);
  });

  it('takes the same file dropped twice once, and archives both drops without overwriting', async () => {
    const bytes = await fx.copy('DMRU', [{ rowId: fx.owned('DMRU')[0]!, column: 'monitoring', value: 'Gata' }]);
    drop('DMRU.xlsx', bytes);
    await scanTwice();
    drop('DMRU.xlsx', bytes);
    const again = await scanTwice();
    expect(again.outcomes).toEqual([expect.objectContaining({ kind: 'taken', unit: 'DMRU', duplicate: true })]);
    expect(fx.store.listSubmissions('sector1-2022')).toHaveLength(1);
    const archived = readdirSync(source.archiveDir);
    expect(archived).toHaveLength(2);
    for (const name of archived)
      expect(readFileSync(path.join(source.archiveDir, name)).equals(Buffer.from(bytes))).toBe(true);
  });

  // Issue 14: a name with a leading dot stayed in the inbox forever, with no note.
  it('refuses a file whose name starts with a dot with a note, like any other it cannot take', async () => {
    drop('.ascuns.xlsx', new Uint8Array([1, 2, 3]));
    drop('._DMRU.xlsx', new Uint8Array([0, 5, 22, 7]));
    const scan = await scanTwice();
    expect(scan.outcomes.map((o) => [o.file, o.kind])).toEqual([
      ['._DMRU.xlsx', 'refused'],
      ['.ascuns.xlsx', 'refused'],
    ]);
    expect(readdirSync(inbox).sort()).toEqual(['refused']);
    const notes = readdirSync(source.refusedDir).filter((n) => n.endsWith('.reason.txt'));
    expect(notes).toHaveLength(2);
    for (const note of notes) expect(readFileSync(path.join(source.refusedDir, note), 'utf8')).toMatch(/Motiv: .+/);
  });

  it('ignores lock and temporary files, and never follows a symbolic link', async () => {
    const bytes = await fx.copy('DMRU');
    drop('~$DMRU.xlsx', new Uint8Array([1, 2, 3]));
    drop('.~lock.DMRU.xlsx#', new Uint8Array([1, 2, 3]));
    drop('DMRU.xlsx.crdownload', bytes);
    const outside = path.join(fx.dir, 'outside.xlsx');
    writeFileSync(outside, bytes);
    symlinkSync(outside, path.join(inbox, 'legatura.xlsx'));
    const past = new Date(Date.now() - 60_000);
    lutimesSync(path.join(inbox, 'legatura.xlsx'), past, past);
    const scan = await scanTwice();
    expect(scan.outcomes).toEqual([
      expect.objectContaining({ file: 'legatura.xlsx', kind: 'refused', code: 'folder-not-a-file' }),
    ]);
    expect(fx.store.listSubmissions('sector1-2022')).toEqual([]);
    // The link itself was moved aside; its target is untouched.
    expect(readFileSync(outside).equals(Buffer.from(bytes))).toBe(true);
    expect(readdirSync(inbox).sort()).toEqual(['.~lock.DMRU.xlsx#', 'DMRU.xlsx.crdownload', 'refused', '~$DMRU.xlsx']);
  });

  it('keeps names with path tricks inside the archive', async () => {
    expect(safeName('..\\..\\etc\\passwd.xlsx')).toBe('etc_passwd.xlsx');
    expect(safeName('../.hidden.XLSX')).toBe('hidden.xlsx');
    expect(safeName('Situație ȘEFI\u0000\n.xlsx')).toBe('Situație_ȘEFI_.xlsx');
    expect(safeName('CON.xlsx')).toBe('file_CON.xlsx');
    expect(safeName('x'.repeat(300) + '.xlsx')).toHaveLength(105);
    // A real file whose name is made of path-like characters (a backslash, dots) lands inside archive/.
    const bytes = await fx.copy('SIC');
    drop('SIC\\..\\..\\SIC copie.xlsx', bytes);
    const scan = await scanTwice();
    expect(scan.outcomes).toEqual([expect.objectContaining({ kind: 'taken', unit: 'SIC' })]);
    const [name] = readdirSync(source.archiveDir);
    expect(name).toMatch(/-[0-9a-f]{12}-SIC_SIC_copie\.xlsx$/);
    expect(existsSync(path.join(source.archiveDir, name!))).toBe(true);
  });
});
