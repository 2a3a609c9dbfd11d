// The administrator's commands: `backup`, `restore`, `verify`. Each finds the data folder like every other command
// (--data-dir, CAF_DATA_DIR, ./data) and prints in the chosen language; `verify` exits 1 when something is wrong.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CafError } from '../../plan/errors';
import type { Bilingual } from '../../plan/model';
import { countWith } from '../../plan/text';
import { loadConfig } from '../config';
import { createBackup } from './backup';
import { restoreBackup } from './restore';
import { verifyDataDir } from './verify';

export interface AdminIo {
  out: (line: string) => void;
  err: (line: string) => void;
  lang: 'ro' | 'en';
}

function dataDirOf(values: { 'data-dir'?: string | undefined; data?: string | undefined }): string {
  const flags = values['data-dir'] ? ['--data-dir', values['data-dir']] : values.data ? ['--data', values.data] : [];
  return loadConfig(flags).dataDir;
}

function usage(ro: string, en: string): CafError {
  return new CafError('cli-usage', { ro: `Folosire: ${ro}`, en: `Usage: ${en}` });
}

const COMMON = {
  'data-dir': { type: 'string' },
  data: { type: 'string' },
  lang: { type: 'string' },
} as const;

/** True when the database is PostgreSQL (`CAF_DATABASE_URL`): not built yet; the hook for `backup` is here. */
export function externalDatabase(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^postgres(ql)?:/i.test(env.CAF_DATABASE_URL ?? '');
}

export async function runBackup(args: string[], io: AdminIo): Promise<number> {
  const { values } = parseArgs({ args, options: { ...COMMON, out: { type: 'string' } } });
  if (!values.out) throw usage('backup --out FIȘIER.tar [--data-dir DIR]', 'backup --out FILE.tar [--data-dir DIR]');
  const dataDir = dataDirOf(values);
  const say = (text: Bilingual): void => io.out(text[io.lang]);
  const external = externalDatabase();
  if (external) {
    say({
      ro: 'Baza de date este PostgreSQL (CAF_DATABASE_URL): salvați-o cu pg_dump (de ex. pg_dump -Fc -f caf-plan.dump "$CAF_DATABASE_URL"); acest fișier cuprinde doar fișierele stocate.',
      en: 'The database is PostgreSQL (CAF_DATABASE_URL): back it up with pg_dump (e.g. pg_dump -Fc -f caf-plan.dump "$CAF_DATABASE_URL"); this file holds the stored files only.',
    });
  }
  const started = Date.now();
  const result = await createBackup({ dataDir, out: values.out, externalDatabase: external });
  const m = result.manifest;
  const c = (key: string): number => m.counts[key] ?? 0;
  say({
    ro: `Copia de siguranță ${path.resolve(result.file)} (${formatBytes(result.bytes)}, ${((Date.now() - started) / 1000).toFixed(1)} s): schema ${m.schemaVersion}, ${countWith(c('plans'), 'plan', 'planuri', 'ro')}, ${countWith(c('revisions'), 'revizie', 'revizii', 'ro')}, ${countWith(c('submissions'), 'trimitere', 'trimiteri', 'ro')}, ${countWith(c('merges'), 'îmbinare', 'îmbinări', 'ro')}, ${countWith(m.blobs.length, 'fișier stocat', 'fișiere stocate', 'ro')}.`,
    en: `Backup ${path.resolve(result.file)} (${formatBytes(result.bytes)}, ${((Date.now() - started) / 1000).toFixed(1)} s): schema ${m.schemaVersion}, ${countWith(c('plans'), 'plan', 'plans', 'en')}, ${countWith(c('revisions'), 'revision', 'revisions', 'en')}, ${countWith(c('submissions'), 'submission', 'submissions', 'en')}, ${countWith(c('merges'), 'merge', 'merges', 'en')}, ${countWith(m.blobs.length, 'stored file', 'stored files', 'en')}.`,
  });
  return 0;
}

export async function runRestore(args: string[], io: AdminIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COMMON });
  if (positionals.length !== 1) {
    throw usage('restore FIȘIER.tar --data-dir DOSAR-GOL', 'restore FILE.tar --data-dir EMPTY-DIR');
  }
  const dataDir = dataDirOf(values);
  const result = restoreBackup({ file: positionals[0]!, dataDir });
  const m = result.manifest;
  io.out(
    {
      ro: `Restaurat în ${result.dataDir}: ${result.files} fișiere verificate (sha256), din copia făcută la ${m.createdAt} de caf-plan ${m.appVersion} (schema ${m.schemaVersion}).`,
      en: `Restored into ${result.dataDir}: ${result.files} files checked (sha256), from the backup taken at ${m.createdAt} by caf-plan ${m.appVersion} (schema ${m.schemaVersion}).`,
    }[io.lang],
  );
  if (!m.database) {
    io.out(
      {
        ro: 'Copia nu cuprinde baza de date (PostgreSQL): restaurați-o cu pg_restore.',
        en: 'The backup holds no database (PostgreSQL): restore it with pg_restore.',
      }[io.lang],
    );
    return 0;
  }
  const report = verifyDataDir(result.dataDir);
  for (const p of [...report.problems, ...report.notes]) io.out(`  ${p[io.lang]}`);
  return report.ok ? 0 : 1;
}

export async function runVerify(args: string[], io: AdminIo): Promise<number> {
  const { values } = parseArgs({ args, options: { ...COMMON, json: { type: 'boolean' } } });
  const report = verifyDataDir(dataDirOf(values));
  if (values.json) {
    io.out(JSON.stringify(report, null, 2));
    return report.ok ? 0 : 1;
  }
  const n = report.counts;
  io.out(
    {
      ro: `${report.dataDir}: schema ${report.schemaVersion ?? '-'} (codul: ${report.codeSchemaVersion}); ${countWith(n.plans ?? 0, 'plan', 'planuri', 'ro')}, ${countWith(n.submissions ?? 0, 'trimitere', 'trimiteri', 'ro')}, ${countWith(n.merges ?? 0, 'îmbinare', 'îmbinări', 'ro')}; ${countWith(report.blobs.referenced, 'fișier stocat folosit', 'fișiere stocate folosite', 'ro')}.`,
      en: `${report.dataDir}: schema ${report.schemaVersion ?? '-'} (the code's: ${report.codeSchemaVersion}); ${countWith(n.plans ?? 0, 'plan', 'plans', 'en')}, ${countWith(n.submissions ?? 0, 'submission', 'submissions', 'en')}, ${countWith(n.merges ?? 0, 'merge', 'merges', 'en')}; ${countWith(report.blobs.referenced, 'stored file in use', 'stored files in use', 'en')}.`,
    }[io.lang],
  );
  for (const p of report.problems) io.out(`${io.lang === 'ro' ? 'PROBLEMĂ' : 'PROBLEM'} [${p.code}] ${p[io.lang]}`);
  for (const p of report.notes) io.out(`${io.lang === 'ro' ? 'notă' : 'note'} [${p.code}] ${p[io.lang]}`);
  io.out(
    report.ok
      ? {
          ro: 'În regulă: baza de date și toate fișierele stocate sunt întregi.',
          en: 'OK: the database and every stored file are whole.',
        }[io.lang]
      : {
          ro: `${countWith(report.problems.length, 'problemă găsită', 'probleme găsite', 'ro')}: restaurați din ultima copie de siguranță bună.`,
          en: `${countWith(report.problems.length, 'problem found', 'problems found', 'en')}: restore from the last good backup.`,
        }[io.lang],
  );
  return report.ok ? 0 : 1;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}
