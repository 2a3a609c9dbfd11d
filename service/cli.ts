// `npx caf-plan ...`: the command line of SPEC 6. Each command reads files, hands data to plan/ and writes files;
// errors a user can cause are printed in Romanian and English with a code, never as a stack trace.
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CafError, isCafError } from '../plan/errors';
import { columnMapping, parseColumnChoice, readPlan } from '../plan/grid';
import type { SubmissionInput } from '../plan/merge';
import {
  FIELDS,
  SCHEMA_VERSION,
  type ColumnChoice,
  type Field,
  type Finding,
  type Plan,
  type PlanMeta,
} from '../plan/model';
import { MergeReport } from '../plan/report';
import { DEFAULT_SOON_DAYS, MAX_SOON_DAYS } from '../plan/state';
import { countWith } from '../plan/text';
import { validatePlan } from '../plan/validate';
import { readWorkbookGrid } from './xlsx/read';
// The writers and the merge are imported by the commands that use them, so `validate` starts fast.

type Lang = 'ro' | 'en';
type Out = { out: (line: string) => void; err: (line: string) => void; lang: Lang };

const USAGE = `caf-plan: planuri de îmbunătățire CAF 2020 / CAF 2020 improvement plans

Comenzi / commands:
  validate FILE [--json] [--today YYYY-MM-DD] [--columns deadline=F,owners=E]
                                                  constatările planului și coloanele înțelese; cod 1 dacă are erori
  prepare FILE --out FILE [--plan-id ID] [--soon-days N] [--columns deadline=F,...]
                                                  adaugă ID, Stare, coloanele ajutătoare, metadatele și culorile termenelor
  copy FILE --unit CODE --out FILE                copia unui departament
  merge --base FILE --out FILE --report FILE [--current FILE] [--editable status,monitoring] SUBMISSION...
  serve [--port N] [--host H] [--data-dir DIR]    serviciul de sincronizare
  token create --unit CODE | --coordinator        un token de acces, afișat o singură dată
  remind [--dry-run] [--today YYYY-MM-DD] [--unit CODE]
                                                  trimite (sau arată) acum mementourile prin e-mail
  backup --out FILE.tar [--data-dir DIR]          copie de siguranță, și cu serviciul pornit
  restore FILE.tar --data-dir DIR                 restaurare într-un dosar gol, cu verificarea fiecărui fișier
  verify [--data-dir DIR] [--json]                verifică baza de date și fișierele stocate; cod 1 dacă ceva e greșit

Opțiuni comune / common options: --lang ro|en (limba mesajelor / message language), --help`;

const SoonDays = z
  .string()
  .regex(/^\d{1,3}$/)
  .transform(Number)
  .pipe(z.number().int().min(0).max(MAX_SOON_DAYS));
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const UnitCode = z.string().regex(/^[A-Za-z0-9ĂÂÎȘȚăâîșț_-]{1,20}$/);
const FieldList = z
  .string()
  .transform((s) => s.split(',').map((f) => f.trim()))
  .pipe(z.array(z.enum(FIELDS)).min(1));

function usageError(en: string, ro: string): CafError {
  return new CafError('cli-usage', { ro: `${ro}\n\n${USAGE}`, en: `${en}\n\n${USAGE}` });
}

function say(o: Out, text: { ro: string; en: string }): string {
  return o.lang === 'ro' ? text.ro : text.en;
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CafError('file-unreadable', {
      ro: `Fișierul ${file} nu poate fi citit (${code ?? 'eroare'}).`,
      en: `Cannot read the file ${file} (${code ?? 'error'}).`,
    });
  }
}

/** Writes next to the target and renames, so an interrupted run never leaves half a workbook under the name. */
async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await writeFile(tmp, data);
  await rename(tmp, file);
}

async function loadPlan(file: string, columns?: ColumnChoice): Promise<{ bytes: Uint8Array; plan: Plan }> {
  const bytes = await readBytes(file);
  const grid = await readWorkbookGrid(bytes);
  return { bytes, plan: readPlan(grid, columns ? { columns } : {}) };
}

/** `--columns deadline=F,owners=E`: the user's correction of the column mapping (SPEC 2). */
function columnsOption(value: string | undefined): ColumnChoice | undefined {
  if (value === undefined) return undefined;
  const { choice, bad } = parseColumnChoice(value);
  if (bad.length > 0 || Object.keys(choice).length === 0) {
    throw usageError(
      `--columns takes field=LETTER pairs (fields: ${MAPPED_FIELD_NAMES}); not understood: ${bad.join(', ') || value}.`,
      `--columns primește perechi câmp=LITERĂ (câmpuri: ${MAPPED_FIELD_NAMES}); neînțeles: ${bad.join(', ') || value}.`,
    );
  }
  return choice;
}
const MAPPED_FIELD_NAMES = [...FIELDS, 'number', 'level', 'criterion', 'subcriterion', 'year'].join(', ');

function mappingLines(plan: Plan, lang: Lang): string[] {
  const m = columnMapping(plan);
  if (m.headerRow < 0) return [];
  const sheets = [`${m.sheet}`, ...m.moreSheets.map((s) => `${s.sheet} (${s.headerRow})`)].join(', ');
  const head =
    lang === 'ro'
      ? `Antet: foaia ${sheets}, rândul ${m.headerRow}. Coloane înțelese:`
      : `Header: sheet ${sheets}, row ${m.headerRow}. Columns understood:`;
  const width = Math.max(...m.fields.map((f) => f.field.length));
  return [head, ...m.fields.map((f) => `  ${f.field.padEnd(width)}  ${f.column.padEnd(3)} ${f.header}`)];
}

/** A count with its noun, agreeing with the number in each language ("72 de acțiuni", "1 error"). */
const ro = (n: number, one: string, many: string): string => countWith(n, one, many, 'ro');
const en = (n: number, one: string, many: string): string => countWith(n, one, many, 'en');

function planSummary(plan: Plan): { ro: string; en: string } {
  return {
    ro: `${ro(plan.actions.length, 'acțiune', 'acțiuni')} în ${ro(plan.subcriteria.length, 'subcriteriu', 'subcriterii')} și ${ro(plan.criteria.length, 'criteriu', 'criterii')}; ${ro(plan.units.length, 'unitate', 'unități')} în legendă`,
    en: `${en(plan.actions.length, 'action', 'actions')} in ${en(plan.subcriteria.length, 'subcriterion', 'subcriteria')} and ${en(plan.criteria.length, 'criterion', 'criteria')}; ${en(plan.units.length, 'unit', 'units')} in the legend`,
  };
}

function findingsTable(findings: Finding[], lang: Lang): string[] {
  const rows = findings.map((f) => [
    f.severity === 'error' ? (lang === 'ro' ? 'EROARE' : 'ERROR') : lang === 'ro' ? 'avertisment' : 'warning',
    f.cell ?? '',
    f.rowId ?? '',
    f.rule,
    f.message[lang],
  ]);
  const head =
    lang === 'ro' ? ['Tip', 'Celulă', 'ID', 'Regulă', 'Mesaj'] : ['Severity', 'Cell', 'ID', 'Rule', 'Message'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i < 4 ? r[i]!.length : 0))));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w, i) => (i < 4 ? '-'.repeat(w) : '-----'))), ...rows.map(line)];
}

async function cmdValidate(args: string[], o: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      today: { type: 'string' },
      lang: { type: 'string' },
      columns: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw usageError('validate takes one FILE.', 'validate primește un singur FILE.');
  const today = values.today === undefined ? undefined : IsoDate.parse(values.today);
  const { plan } = await loadPlan(positionals[0]!, columnsOption(values.columns));
  // No plan table is one refusal, not a table of findings about a plan that is not there.
  requireTable(plan, positionals[0]!);
  const findings = validatePlan(plan, today ? { today } : {});
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  if (values.json) {
    o.out(
      JSON.stringify(
        {
          file: positionals[0],
          actions: plan.actions.length,
          subcriteria: plan.subcriteria.length,
          criteria: plan.criteria.length,
          units: plan.units.length,
          mapping: columnMapping(plan),
          errors,
          warnings,
          findings,
        },
        null,
        2,
      ),
    );
  } else {
    o.out(say(o, planSummary(plan)));
    for (const line of mappingLines(plan, o.lang)) o.out(line);
    o.out(
      say(o, {
        ro: `${ro(errors, 'eroare', 'erori')}, ${ro(warnings, 'avertisment', 'avertismente')}`,
        en: `${en(errors, 'error', 'errors')}, ${en(warnings, 'warning', 'warnings')}`,
      }),
    );
    if (findings.length > 0) {
      o.out('');
      for (const line of findingsTable(findings, o.lang)) o.out(line);
    }
  }
  return errors > 0 ? 1 : 0;
}

function slug(file: string): string {
  const base = path
    .basename(file, path.extname(file))
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return base || 'plan';
}

async function cmdPrepare(args: string[], o: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      'plan-id': { type: 'string' },
      'soon-days': { type: 'string' },
      lang: { type: 'string' },
      columns: { type: 'string' },
    },
  });
  if (positionals.length !== 1 || !values.out)
    throw usageError('prepare takes FILE --out FILE.', 'prepare primește FILE --out FILE.');
  const choice = columnsOption(values.columns);
  const soon = SoonDays.safeParse(values['soon-days'] ?? String(DEFAULT_SOON_DAYS));
  if (!soon.success) {
    throw usageError(
      `--soon-days takes a whole number of days from 0 to ${MAX_SOON_DAYS}.`,
      `--soon-days primește un număr întreg de zile, de la 0 la ${MAX_SOON_DAYS}.`,
    );
  }
  const { bytes, plan } = await loadPlan(positionals[0]!, choice);
  requireTable(plan, positionals[0]!);
  // The coordinator's column choice is stored with the plan, so every later read (copy, merge, service, add-in) uses it.
  const columns = plan.columnChoice;
  const meta: PlanMeta = {
    planId: values['plan-id'] ?? plan.meta?.planId ?? slug(positionals[0]!),
    revision: plan.meta?.revision ?? 1,
    issuedAt: new Date().toISOString(),
    schemaVersion: SCHEMA_VERSION,
    ...(plan.meta?.editable ? { editable: plan.meta.editable } : {}),
    ...(columns ? { columns } : {}),
  };
  const { prepareWorkbook } = await import('./xlsx/prepare');
  const prepared = await prepareWorkbook(bytes, plan, meta, { soonDays: soon.data });
  await writeAtomic(values.out, prepared);
  o.out(say(o, planSummary(plan)));
  o.out(
    say(o, {
      ro: `Scris ${values.out}: plan ${meta.planId}, revizia ${meta.revision}.`,
      en: `Wrote ${values.out}: plan ${meta.planId}, revision ${meta.revision}.`,
    }),
  );
  return 0;
}

function requireTable(plan: Plan, file: string): void {
  if (plan.columns.action === undefined || plan.actions.length === 0) {
    throw new CafError('plan-no-table', {
      ro: `${file}: nu am găsit tabelul planului (un rând de antet cu „Acțiuni necesare”, „Responsabil”, „Termen” în primele 30 de rânduri).`,
      en: `${file}: no plan table found (a header row with "Acțiuni necesare", "Responsabil", "Termen" in the first 30 rows).`,
    });
  }
}

function requirePrepared(plan: Plan, file: string): PlanMeta {
  // Ids and the _caf_plan metadata are all a plan needs: the helper columns are derived and rewritten on output.
  if (!plan.meta || plan.columns.id === undefined) {
    throw new CafError('plan-not-prepared', {
      ro: `${file} nu este pregătit (lipsesc coloana ID sau foaia _caf_plan): rulați întâi „caf-plan prepare”.`,
      en: `${file} is not prepared (no ID column or no _caf_plan sheet): run "caf-plan prepare" first.`,
    });
  }
  return plan.meta;
}

async function cmdCopy(args: string[], o: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { unit: { type: 'string' }, out: { type: 'string' }, lang: { type: 'string' } },
  });
  if (positionals.length !== 1 || !values.out || !values.unit)
    throw usageError('copy takes FILE --unit CODE --out FILE.', 'copy primește FILE --unit CODE --out FILE.');
  const unit = UnitCode.parse(values.unit).toUpperCase();
  const { bytes, plan } = await loadPlan(positionals[0]!);
  const meta = requirePrepared(plan, positionals[0]!);
  if (!plan.units.some((u) => u.code === unit)) {
    const known = plan.units.map((u) => u.code).join(', ');
    throw new CafError('unit-unknown', {
      ro: `Unitatea ${unit} nu este în legenda planului (${known}).`,
      en: `The unit ${unit} is not in the plan's legend (${known}).`,
    });
  }
  const { departmentCopy } = await import('./xlsx/copy');
  const copy = await departmentCopy(bytes, plan, unit, { ...meta, unit, issuedAt: new Date().toISOString() });
  await writeAtomic(values.out, copy);
  const rows = plan.actions.filter((a) => (a.values.ownerCodes ?? '').toString().includes(`;${unit};`)).length;
  o.out(
    say(o, {
      ro: `Scris ${values.out}: copia pentru ${unit} (${ro(rows, 'acțiune', 'acțiuni')}), din revizia ${meta.revision}.`,
      en: `Wrote ${values.out}: the copy for ${unit} (${en(rows, 'action', 'actions')}), from revision ${meta.revision}.`,
    }),
  );
  return 0;
}

async function cmdMerge(args: string[], o: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      base: { type: 'string' },
      current: { type: 'string' },
      out: { type: 'string' },
      report: { type: 'string' },
      editable: { type: 'string' },
      lang: { type: 'string' },
    },
  });
  if (!values.base || !values.out || !values.report || positionals.length === 0) {
    throw usageError(
      'merge takes --base FILE --out FILE --report FILE [--current FILE] SUBMISSION...',
      'merge primește --base FILE --out FILE --report FILE [--current FILE] SUBMISSION...',
    );
  }
  const { mergePlans, rowsFromPlan } = await import('../plan/merge');
  const { writeMergedWorkbook } = await import('./xlsx/merged');
  const editable: Field[] | undefined = values.editable === undefined ? undefined : FieldList.parse(values.editable);
  const progress = (line: string): void => o.err(line);
  const total = positionals.length + (values.current ? 2 : 1);
  let step = 0;
  const base = await loadPlan(values.base);
  progress(`[${++step}/${total}] ${values.base}: ${say(o, { ro: 'baza', en: 'base' })}, ${base.plan.actions.length}`);
  const baseMeta = requirePrepared(base.plan, values.base);
  const current = values.current ? await loadPlan(values.current) : base;
  if (values.current) {
    progress(`[${++step}/${total}] ${values.current}: ${say(o, { ro: 'master curent', en: 'current master' })}`);
  }
  const currentMeta = requirePrepared(current.plan, values.current ?? values.base);

  const submissions: SubmissionInput[] = [];
  const refused: { file: string; reason: { ro: string; en: string } }[] = [];
  for (const file of positionals) {
    step++;
    try {
      const { plan } = await loadPlan(file);
      const unit = plan.meta?.unit;
      if (!unit) {
        throw new CafError('submission-no-unit', {
          ro: 'fișierul nu este copia unui departament (lipsește unitatea din metadatele _caf_plan)',
          en: 'the file is not a department copy (no unit in its _caf_plan metadata)',
        });
      }
      const receivedAt = (await stat(file)).mtime.toISOString();
      submissions.push({
        id: path.basename(file),
        unit,
        receivedAt,
        baseRevision: plan.meta?.revision ?? baseMeta.revision,
        base: base.plan,
        rows: rowsFromPlan(plan),
        scope: 'full',
      });
      progress(
        `[${step}/${total}] ${file}: ${unit}, ${say(o, { ro: 'revizia', en: 'revision' })} ${plan.meta?.revision}`,
      );
    } catch (error) {
      if (!isCafError(error)) throw error;
      refused.push({ file, reason: error.messages });
      progress(`[${step}/${total}] ${file}: ${say(o, { ro: 'refuzat', en: 'refused' })}: ${say(o, error.messages)}`);
    }
  }

  const newRevision = currentMeta.revision + 1;
  const result = mergePlans({
    planId: currentMeta.planId,
    current: current.plan,
    currentRevision: currentMeta.revision,
    newRevision,
    mergedAt: new Date().toISOString(),
    ...(editable ? { editable } : {}),
    submissions,
  });
  const report = MergeReport.parse(result.report);
  const merged = await writeMergedWorkbook(current.bytes, current.plan, result, {
    ...currentMeta,
    revision: newRevision,
    issuedAt: new Date().toISOString(),
  });
  await writeAtomic(values.out, merged);
  await writeAtomic(values.report, JSON.stringify(report, null, 2) + '\n');

  o.out(
    say(o, {
      ro: `Revizia ${report.newRevision} scrisă în ${values.out}; raportul în ${values.report}.`,
      en: `Revision ${report.newRevision} written to ${values.out}; the report to ${values.report}.`,
    }),
  );
  o.out(
    say(o, {
      ro: `Aplicate: ${report.counts.applied}. Conflicte: ${report.counts.conflicts}.`,
      en: `Applied: ${report.counts.applied}. Conflicts: ${report.counts.conflicts}.`,
    }),
  );
  for (const [kind, n] of Object.entries(report.counts.byKind)) if (n > 0) o.out(`  ${kind}: ${n}`);
  for (const [unit, c] of Object.entries(report.counts.byUnit)) {
    o.out(
      say(o, {
        ro: `  ${unit}: ${c.applied} aplicate, ${ro(c.conflicts, 'conflict', 'conflicte')}`,
        en: `  ${unit}: ${c.applied} applied, ${en(c.conflicts, 'conflict', 'conflicts')}`,
      }),
    );
  }
  for (const r of refused) o.out(`  ${say(o, { ro: 'refuzat', en: 'refused' })} ${r.file}: ${say(o, r.reason)}`);
  return 0;
}

function langOf(args: string[]): Lang {
  const i = args.indexOf('--lang');
  const v = i >= 0 ? args[i + 1] : process.env.CAF_LANG;
  return v === 'en' ? 'en' : 'ro';
}

export async function main(
  argv: string[],
  io: { out?: (line: string) => void; err?: (line: string) => void } = {},
): Promise<number> {
  const o: Out = {
    out: io.out ?? ((line) => process.stdout.write(line + '\n')),
    err: io.err ?? ((line) => process.stderr.write(line + '\n')),
    lang: langOf(argv),
  };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate':
        return await cmdValidate(rest, o);
      case 'prepare':
        return await cmdPrepare(rest, o);
      case 'copy':
        return await cmdCopy(rest, o);
      case 'merge':
        return await cmdMerge(rest, o);
      case 'serve':
        return await (await import('./serve')).runServe(rest);
      case 'token':
        return await (await import('./serve')).runToken(rest);
      case 'remind':
        return await (await import('./reminders/cli')).runRemind(rest, o);
      case 'backup':
        return await (await import('./admin/commands')).runBackup(rest, o);
      case 'restore':
        return await (await import('./admin/commands')).runRestore(rest, o);
      case 'verify':
        return await (await import('./admin/commands')).runVerify(rest, o);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        o.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw usageError(`Unknown command: ${command}.`, `Comandă necunoscută: ${command}.`);
    }
  } catch (error) {
    if (isCafError(error)) {
      // One line: what a coordinator reads, and what a script or a log search matches on (the code).
      o.err(`${error.code}: ${oneLine(error.messages.ro)} / ${oneLine(error.messages.en)}`);
      return 2;
    }
    if (error instanceof z.ZodError) {
      const detail = error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
      o.err(`Argument greșit: ${detail}\nInvalid argument: ${detail}\n(cli-usage)`);
      return 2;
    }
    if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      o.err(`Argument greșit: ${error.message}\nInvalid argument: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    // A fault of ours, not of the input: still one line, never a stack trace (CAF_DEBUG=1 shows it).
    if (process.env.CAF_DEBUG) throw error;
    const detail = oneLine(error instanceof Error ? error.message : String(error));
    o.err(`internal-error: eroare internă (${detail}) / internal error (${detail})`);
    return 70;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
