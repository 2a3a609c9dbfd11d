// Every layout the reader accepts goes through what depends on it: validate shows the mapping and takes
// `--columns`; prepare (helper columns, colours), a department copy edited by another program (openpyxl, which
// also sorts the copy's rows), and the merge. Expected values are literals and the seed table, not the reader.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planSheets, readPlan } from '../../plan/grid';
import { mergePlans, rowsFromPlan } from '../../plan/merge';
import { main } from '../../service/cli';
import { writeMergedWorkbook } from '../../service/xlsx/merged';
import { readWorkbookFile } from '../../service/xlsx/read';
import { LAYOUT_DIR, VARIANTS, seed } from '../support/layouts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'caf-layouts-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

// DMRU's first row in the seed, found by a regex on the seed's owner cells.
const DMRU_ROW = seed.actions.find((a) => /\bDMRU\b/.test(a.owners))!.id;
// And its last one, on another sheet of the multi-sheet layouts.
const DMRU_LAST = seed.actions.findLast((a) => /\bDMRU\b/.test(a.owners))!.id;

function serial(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number);
  return (Date.UTC(y!, m! - 1, d!) - Date.UTC(1899, 11, 30)) / 86_400_000;
}

describe('validate shows and takes the column mapping', () => {
  it('prints the header row and each field’s column, in the table and in --json', async () => {
    const file = path.join(LAYOUT_DIR, '07-period-year.xlsx');
    const text = await run(['validate', file, '--lang', 'en']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('Header: sheet Plan, row 1. Columns understood:');
    expect(text.out).toMatch(/deadline\s+E\s+Termen \(trimestrul\)/);
    expect(text.out).toMatch(/year\s+F\s+Anul/);
    const json = JSON.parse((await run(['validate', file, '--json'])).out) as {
      mapping: { headerRow: number; fields: { field: string; column: string; header: string }[] };
    };
    expect(json.mapping.headerRow).toBe(1);
    expect(json.mapping.fields.find((f) => f.field === 'owners')).toEqual({
      field: 'owners',
      column: 'D',
      header: 'Responsabili',
    });
  });

  it('--columns overrides the guess; prepare stores it in _caf_plan and later reads use it', async () => {
    const file = path.join(LAYOUT_DIR, '07-period-year.xlsx');
    // Deadline read from the results column: every deadline is now an error that quotes the text.
    const wrong = await run(['validate', file, '--json', '--columns', 'deadline=C']);
    expect(wrong.code).toBe(1);
    const json = JSON.parse(wrong.out) as { findings: { rule: string }[] };
    expect(json.findings.filter((f) => f.rule === 'deadline-format').length).toBe(72);
    const bad = await run(['validate', file, '--columns', 'termen=E']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('termen=E');

    const prepared = path.join(dir, 'chosen.xlsx');
    expect((await run(['prepare', file, '--out', prepared, '--columns', 'deadline=C'])).code).toBe(0);
    const again = readPlan(await readWorkbookFile(prepared));
    expect(again.meta?.columns).toEqual({ deadline: 2 });
    expect(again.columns.deadline).toBe(2);
  });

  it('exits 1 when a hidden sheet holds actions that are not read, naming the sheet', async () => {
    const file = path.join(dir, 'hidden.xlsx');
    const script = `
import sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1]); wb['Anexa'].sheet_state = 'hidden'; wb.save(sys.argv[2])`;
    const r = spawnSync('/usr/bin/python3', ['-c', script, path.join(LAYOUT_DIR, '12-pnrr-annex.xlsx'), file]);
    expect(r.status).toBe(0);
    const out = await run(['validate', file, '--lang', 'en']);
    expect(out.code).toBe(1);
    expect(out.out).toMatch(/Hidden sheet „Anexa” also looks like a plan table \(12 actions\)/);
  });
});

describe('prepare, copy, merge and highlight on every layout', () => {
  for (const variant of VARIANTS) {
    it(`${variant.file}: prepared, copied for DMRU, edited and sorted, merged`, async () => {
      const src = path.join(LAYOUT_DIR, variant.file);
      const prepared = path.join(dir, `p-${variant.file}`);
      const copy = path.join(dir, `c-${variant.file}`);
      const merged = path.join(dir, `m-${variant.file}`);
      expect((await run(['prepare', src, '--out', prepared])).code).toBe(0);

      // Highlight: the hidden due-date helper holds each action's due date as an Excel date (the colours use it).
      const plan = readPlan(await readWorkbookFile(prepared));
      expect(plan.actions.map((a) => a.id)).toEqual(seed.actions.map((a) => a.id));
      const dueOf = (d: string): number | string =>
        d === 'Permanent'
          ? 'recurent'
          : serial(/ I 2023|\.I 2023/.test(d) ? '2023-06-30' : /2022/.test(d) ? '2022-12-31' : '2023-12-31');
      expect(plan.actions.map((a) => a.values.dueDate)).toEqual(
        seed.actions.map((a) =>
          variant.due ? (variant.due(a) ? serial(variant.due(a)!) : 'recurent') : dueOf(a.deadline),
        ),
      );

      expect((await run(['copy', prepared, '--unit', 'DMRU', '--out', copy])).code).toBe(0);
      // The department sets a status, then sorts its copy: the body rows in reverse order.
      const grid = await readWorkbookFile(copy);
      for (const id of [DMRU_ROW, DMRU_LAST]) {
        const part = planSheets(plan).find((p) => p.actions.some((a) => a.id === id))!;
        const sheet = grid.sheets.find((s) => s.name === part.sheet)!;
        const end = Math.max(...part.actions.map((a) => a.row)) + 1;
        const body = sheet.rows.slice(part.headerRow + 1, end);
        body.find((row) => row[part.columns.id!] === id)![part.columns.status!] = 'Realizat';
        sheet.rows = [...sheet.rows.slice(0, part.headerRow + 1), ...body.reverse(), ...sheet.rows.slice(end)];
      }
      const submitted = readPlan(grid);
      expect(submitted.meta?.unit).toBe('DMRU');
      expect(submitted.actions).toHaveLength(72);
      const base = readPlan(await readWorkbookFile(prepared));
      const result = mergePlans({
        planId: base.meta!.planId,
        current: base,
        currentRevision: base.meta!.revision,
        newRevision: base.meta!.revision + 1,
        mergedAt: '2023-01-10T02:00:00.000Z',
        submissions: [
          {
            id: 'dmru.xlsx',
            unit: 'DMRU',
            receivedAt: '2023-01-09T12:00:00.000Z',
            baseRevision: base.meta!.revision,
            base,
            rows: rowsFromPlan(submitted),
            scope: 'full',
          },
        ],
      });
      expect(result.report.conflicts).toEqual([]);
      expect(result.report.applied.map((c) => [c.rowId, c.column, c.to])).toEqual([
        [DMRU_ROW, 'status', 'Realizat'],
        [DMRU_LAST, 'status', 'Realizat'],
      ]);
      const bytes = await writeMergedWorkbook(new Uint8Array(readFileSync(prepared)), base, result, {
        ...base.meta!,
        revision: base.meta!.revision + 1,
      });
      writeFileSync(merged, bytes);
      const after = readPlan(await readWorkbookFile(merged));
      expect(after.actions.filter((a) => a.text.status === 'Realizat').map((a) => a.id)).toEqual([DMRU_ROW, DMRU_LAST]);
    });
  }
});
