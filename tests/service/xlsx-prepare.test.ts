import { HyperFormula } from 'hyperformula';
import { beforeAll, describe, expect, it } from 'vitest';
import { STATE_PALETTE, isHighlightFormula, tableLayout, type HighlightedState } from '../../plan/highlight';
import { deadlineState } from '../../plan/state';
import { readWorkbookGrid } from '../../service/xlsx/read';
import { decodeText } from '../../service/xlsx/xml';
import { shiftFormula } from '../addin/fake-excel/evaluate';
import { isoToExcelSerial } from '../../plan/date';
import { parseDeadline } from '../../plan/deadline';
import { ADDED_HEADERS, META_SHEET, type Plan } from '../../plan/model';
import { ownerCodes, ownerCodesCell } from '../../plan/owners';
import { prepareWorkbook } from '../../service/xlsx/prepare';
import { minimalXlsx } from '../support/zip-parts';
import { hasSoffice } from '../support/tools';
import {
  PLAN_SHEET,
  TEAM_CF_FORMULA,
  TEAM_DV_LIST,
  elements,
  libreOfficeSheets,
  loadExcelJs,
  partsOf,
  planOf,
  teamWorkbook,
} from './xlsx-write-fixtures';

const META = { planId: 'sector1-2022', revision: 1, schemaVersion: 1, issuedAt: '2024-03-01T08:00:00.000Z' };
// Parts prepare has to touch; every other part must come back byte for byte.
const TOUCHED = new Set([
  'xl/worksheets/sheet1.xml',
  'xl/styles.xml',
  'xl/workbook.xml',
  'xl/_rels/workbook.xml.rels',
  '[Content_Types].xml',
  'docProps/app.xml',
]);

let team: Buffer;
let teamPlan: Plan;
let prepared: Uint8Array;
let preparedPlan: Plan;

beforeAll(async () => {
  team = await teamWorkbook();
  teamPlan = await planOf(team);
  prepared = await prepareWorkbook(team, teamPlan, META);
  preparedPlan = await planOf(prepared);
});

describe('prepareWorkbook', () => {
  it('appends ID, Stare and the two helpers at the right of the table, and the reader finds them', () => {
    const width = Math.max(...Object.values(teamPlan.columns).map((c) => c ?? 0));
    expect(teamPlan.columns.id).toBeUndefined();
    expect(preparedPlan.columns).toMatchObject({
      ...teamPlan.columns,
      id: width + 1,
      status: width + 2,
      dueDate: width + 3,
      ownerCodes: width + 4,
    });
    expect(preparedPlan.actions.map((a) => a.id)).toEqual(teamPlan.actions.map((a) => a.id));
    expect(preparedPlan.actions.every((a) => a.idFromColumn)).toBe(true);
    expect(preparedPlan.meta).toEqual({ ...META, editable: ['status', 'monitoring'] });
  });

  it('fills Stare with Neînceput, the due date as a real date, the owner codes as ;CODE;', () => {
    expect(preparedPlan.actions).toHaveLength(72);
    let dated = 0;
    for (const [i, action] of preparedPlan.actions.entries()) {
      const before = teamPlan.actions[i]!;
      expect(action.text.status).toBe('Neînceput');
      const deadline = parseDeadline(before.values.deadline ?? before.text.deadline);
      if ('due' in deadline) {
        expect(action.values.dueDate).toBe(isoToExcelSerial(deadline.due));
        dated++;
      } else {
        expect(action.values.dueDate).toBe(
          deadline.kind === 'recurring' || deadline.kind === 'legal' ? 'recurent' : 'invalid',
        );
      }
      const codes = ownerCodesCell(ownerCodes(before.text.owners, teamPlan.units));
      expect(action.values.ownerCodes ?? '').toBe(codes);
      // Nothing of the team's text changed.
      expect(action.text).toEqual({ ...before.text, id: action.id, status: 'Neînceput' });
    }
    expect(dated).toBeGreaterThan(50);
    expect(preparedPlan.actions.some((a) => String(a.values.ownerCodes).includes(';SIC;'))).toBe(true);
  });

  it('keeps every part it does not need to touch byte for byte', async () => {
    const before = await partsOf(team);
    const after = await partsOf(prepared);
    for (const [name, text] of before) {
      if (!TOUCHED.has(name)) expect(after.get(name), name).toBe(text);
    }
    // The team's note (comments + VML drawing) and the other sheet are among those parts.
    expect([...before.keys()].filter((n) => !TOUCHED.has(n))).toEqual(
      expect.arrayContaining([
        'xl/worksheets/sheet2.xml',
        'xl/comments1.xml',
        'xl/sharedStrings.xml',
        'xl/theme/theme1.xml',
      ]),
    );
  });

  it("keeps the team's conditional formats, validations, merges, widths and styles in the sheet", async () => {
    const before = await partsOf(team);
    const after = await partsOf(prepared);
    const sheetBefore = before.get('xl/worksheets/sheet1.xml')!;
    const sheetAfter = after.get('xl/worksheets/sheet1.xml')!;
    const cf = elements(sheetBefore, 'conditionalFormatting');
    expect(cf.join('')).toContain(TEAM_CF_FORMULA.replace(/"/g, '&quot;'));
    // The team's rules come first, as they were; ours (tested below) follow.
    expect(elements(sheetAfter, 'conditionalFormatting').slice(0, cf.length)).toEqual(cf);
    const teamDv = elements(sheetBefore, 'dataValidation');
    expect(teamDv).toHaveLength(1);
    expect(elements(sheetAfter, 'dataValidation')).toEqual(expect.arrayContaining(teamDv));
    expect(elements(sheetAfter, 'mergeCells')).toEqual(elements(sheetBefore, 'mergeCells'));
    expect(elements(sheetAfter, 'legacyDrawing')).toEqual(elements(sheetBefore, 'legacyDrawing'));
    const colsBefore = elements(sheetBefore, 'col');
    expect(elements(sheetAfter, 'col').slice(0, colsBefore.length)).toEqual(colsBefore);
    // Existing cell formats keep their index: the new ones are appended.
    const xfs = (xml: string): string[] => elements(elements(xml, 'cellXfs')[0]!, 'xf');
    const xfBefore = xfs(before.get('xl/styles.xml')!);
    expect(xfs(after.get('xl/styles.xml')!).slice(0, xfBefore.length)).toEqual(xfBefore);
    // Rows of the table keep their cells; only cells at the right are added.
    const row9 = (xml: string): string => /<row r="9"[^>]*>([\s\S]*?)<\/row>/.exec(xml)![1]!;
    expect(row9(sheetAfter).startsWith(row9(sheetBefore))).toBe(true);
  });

  it('puts a status drop-down on the action rows only, hides the helpers, and adds a very hidden metadata sheet', async () => {
    const wb = await loadExcelJs(prepared);
    const ws = wb.getWorksheet(PLAN_SHEET)!;
    const header = ws.getRow(preparedPlan.headerRow + 1);
    const col = (c: number | undefined): number => c! + 1;
    expect(header.getCell(col(preparedPlan.columns.id)).value).toBe(ADDED_HEADERS.id);
    expect(header.getCell(col(preparedPlan.columns.status)).value).toBe(ADDED_HEADERS.status);
    expect(ws.getColumn(col(preparedPlan.columns.dueDate)).hidden).toBe(true);
    expect(ws.getColumn(col(preparedPlan.columns.ownerCodes)).hidden).toBe(true);
    expect(ws.getColumn(col(preparedPlan.columns.status)).hidden).toBe(false);
    // The new header cells look like the team's header.
    const teamHeaderStyle = header.getCell(1).style;
    expect(header.getCell(col(preparedPlan.columns.id)).style.fill).toEqual(teamHeaderStyle.fill);
    expect(header.getCell(col(preparedPlan.columns.id)).font).toEqual(teamHeaderStyle.font);
    const dated = preparedPlan.actions.find((a) => typeof a.values.dueDate === 'number')!;
    const dueCell = ws.getRow(dated.row + 1).getCell(col(preparedPlan.columns.dueDate));
    expect(dueCell.value).toBeInstanceOf(Date);
    expect(dueCell.numFmt).toBe('dd.mm.yyyy');

    const action = preparedPlan.actions[0]!;
    const statusCell = ws.getRow(action.row + 1).getCell(col(preparedPlan.columns.status));
    expect(statusCell.dataValidation).toMatchObject({
      type: 'list',
      formulae: ['"Neînceput,În curs,Parțial realizat,Realizat,Amânat,Anulat"'],
    });
    const criterionRow = preparedPlan.criteria[1]!.row;
    expect(ws.getRow(criterionRow + 1).getCell(col(preparedPlan.columns.status)).dataValidation).toBeUndefined();
    expect(ws.getRow(1).getCell(col(preparedPlan.columns.status)).dataValidation).toBeUndefined();
    expect(ws.getCell('F9').dataValidation).toMatchObject({ type: 'list', formulae: [TEAM_DV_LIST] });

    expect(wb.getWorksheet(META_SHEET)!.state).toBe('veryHidden');
    expect(wb.getWorksheet('Buget')!.getCell('B2').value).toMatchObject({ formula: 'SUM(1,2)' });
    const parts = await partsOf(prepared);
    expect(parts.get('docProps/app.xml')).toContain('<vt:lpstr>_caf_plan</vt:lpstr>');
    expect(parts.get('docProps/app.xml')).toMatch(
      /<vt:lpstr>Worksheets<\/vt:lpstr><\/vt:variant><vt:variant><vt:i4>3<\/vt:i4>/,
    );
    expect(parts.get('[Content_Types].xml')).toContain('PartName="/xl/worksheets/sheet3.xml"');
  });

  it('updates values rather than adding columns again when run on a prepared workbook', async () => {
    const again = await prepareWorkbook(prepared, preparedPlan, { ...META, revision: 2 });
    const plan = await planOf(again);
    expect(plan.columns).toEqual(preparedPlan.columns);
    expect(plan.meta?.revision).toBe(2);
    const first = await partsOf(prepared);
    const second = await partsOf(again);
    // Same plan, same file: only the metadata sheet differs, styles do not grow.
    for (const [name, text] of first) {
      if (name !== 'xl/worksheets/sheet3.xml') expect(second.get(name), name).toBe(text);
    }
    expect(second.get('xl/worksheets/sheet3.xml')).toContain('<t xml:space="preserve">2</t>');
  });

  it('keeps a status a department already set and an id already in the sheet', async () => {
    const wb = await loadExcelJs(prepared);
    const ws = wb.getWorksheet(PLAN_SHEET)!;
    const a = preparedPlan.actions[3]!;
    ws.getRow(a.row + 1).getCell(preparedPlan.columns.status! + 1).value = 'Realizat';
    ws.getRow(a.row + 1).getCell(preparedPlan.columns.id! + 1).value = 'X-7';
    const edited = Buffer.from(await wb.xlsx.writeBuffer());
    const plan = await planOf(edited);
    const again = await planOf(await prepareWorkbook(edited, plan, META));
    const row = again.actions.find((x) => x.row === a.row)!;
    expect(row.id).toBe('X-7');
    expect(row.text.status).toBe('Realizat');
  });

  it('writes Stare as the add-in does: a status the team typed loosely gets its canonical label', async () => {
    const wb = await loadExcelJs(prepared);
    const ws = wb.getWorksheet(PLAN_SHEET)!;
    const a = preparedPlan.actions[5]!;
    ws.getRow(a.row + 1).getCell(preparedPlan.columns.status! + 1).value = '  realizata ';
    const edited = Buffer.from(await wb.xlsx.writeBuffer());
    const again = await planOf(await prepareWorkbook(edited, await planOf(edited), META));
    expect(again.actions.find((x) => x.row === a.row)!.text.status).toBe('Realizat');
    expect(again.actions.filter((x) => x.text.status !== 'Neînceput')).toHaveLength(1);
  });

  it('refuses a part with a DOCTYPE', async () => {
    const evil = minimalXlsx({
      sheets: [
        {
          name: 'Plan',
          xml: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>',
        },
      ],
    });
    await expect(prepareWorkbook(evil, { ...teamPlan, sheet: 'Plan' }, META)).rejects.toMatchObject({
      code: 'xlsx-doctype',
    });
  });

  it.skipIf(!hasSoffice)('opens in LibreOffice with the new columns and values', () => {
    const sheets = libreOfficeSheets(prepared, 'prepared');
    const plan = sheets.find((rows) => rows.some((r) => r[0] === 'Acțiuni necesare'))!;
    const header = plan.find((r) => r[0] === 'Acțiuni necesare')!;
    expect(header.slice(-4)).toEqual(['ID', 'Stare', 'Termen calculat', 'Coduri responsabili']);
    const first = plan.find((r) => r[0]?.startsWith('1. Comunicarea'))!;
    expect(first.slice(-4, -2)).toEqual(['1.1.1', 'Neînceput']);
    // A real date: LibreOffice prints it in its default date format (a number would print as 44926).
    expect(first.at(-2)).toBe('12/31/2022');
    const meta = sheets.find((rows) => rows[0]?.[0] === 'planId')!;
    expect(meta[0]).toEqual(['planId', 'sector1-2022']);
  });
});

interface WrittenRule {
  sqref: string;
  priority: number;
  stopIfTrue: boolean;
  formula: string;
  dxfId: number;
}

/** The conditional-format rules of a worksheet part, as written. */
function writtenRules(sheetXml: string): WrittenRule[] {
  return elements(sheetXml, 'conditionalFormatting').flatMap((block) => {
    const sqref = /sqref="([^"]*)"/.exec(block)![1]!;
    return elements(block, 'cfRule').map((rule) => ({
      sqref,
      priority: Number(/priority="(\d+)"/.exec(rule)![1]),
      stopIfTrue: /stopIfTrue="1"/.test(rule),
      formula: decodeText(/<formula>([\s\S]*?)<\/formula>/.exec(rule)![1]!),
      dxfId: Number(/dxfId="(\d+)"/.exec(rule)?.[1] ?? -1),
    }));
  });
}

/** The deadline state each dxf of ours paints, by its fill. */
function dxfStates(stylesXml: string): Map<number, HighlightedState> {
  const dxfs = elements(elements(stylesXml, 'dxfs')[0]!, 'dxf');
  const byFill = new Map(
    Object.entries(STATE_PALETTE).map(([state, p]) => [`FF${p.fill.slice(1)}`, state as HighlightedState]),
  );
  const out = new Map<number, HighlightedState>();
  dxfs.forEach((dxf, i) => {
    const state = byFill.get(/<bgColor rgb="([0-9A-F]{8})"/.exec(dxf)?.[1] ?? '');
    if (state) out.set(i, state);
  });
  return out;
}

const SEM_I_2023 = /^SEM\.\s*I\s+2023$/i;

describe('prepareWorkbook: deadline highlighting that lives in Excel without the add-in', () => {
  const ours = (xml: string): WrittenRule[] =>
    writtenRules(xml).filter((r) => isHighlightFormula(r.formula, tableLayout(preparedPlan)!));

  it('adds the five rules of plan/highlight on the table body only, after the team rule, with dxfs in styles.xml', async () => {
    const parts = await partsOf(prepared);
    const sheetXml = parts.get('xl/worksheets/sheet1.xml')!;
    const layout = tableLayout(preparedPlan)!;
    const rules = ours(sheetXml);
    const body = `${String.fromCharCode(65 + layout.left)}${layout.bodyTop + 1}:${String.fromCharCode(65 + layout.right)}${layout.bodyBottom + 1}`;
    expect(rules).toHaveLength(5);
    expect(new Set(rules.map((r) => r.sqref))).toEqual(new Set([body]));
    expect(rules.every((r) => r.stopIfTrue)).toBe(true);
    const all = writtenRules(sheetXml);
    const team = all.find((r) => r.formula === TEAM_CF_FORMULA)!;
    expect(new Set(all.map((r) => r.priority)).size).toBe(all.length);
    expect(Math.min(...rules.map((r) => r.priority))).toBeGreaterThan(team.priority);
    // Every dxfId points into <dxfs>, whose count is right, and each of ours paints one state.
    const styles = parts.get('xl/styles.xml')!;
    const dxfs = elements(styles, 'dxfs')[0]!;
    expect(Number(/count="(\d+)"/.exec(dxfs)![1])).toBe(elements(dxfs, 'dxf').length);
    const states = dxfStates(styles);
    expect(new Set(rules.map((r) => states.get(r.dxfId)))).toEqual(
      new Set(['done', 'recurring', 'invalid', 'overdue', 'due-soon']),
    );
    // Schema order (CT_Worksheet): conditional formats after mergeCells, before dataValidations and the drawing.
    const order = [
      ...sheetXml.matchAll(/<(mergeCells|conditionalFormatting|dataValidations|pageMargins|legacyDrawing)\b/g),
    ].map((m) => m[1]);
    expect([...new Set(order)]).toEqual([
      'mergeCells',
      'conditionalFormatting',
      'dataValidations',
      'pageMargins',
      'legacyDrawing',
    ]);
  });

  it('colours each action row as deadlineState does, on fixed days (formulas evaluated by HyperFormula)', async () => {
    const parts = await partsOf(prepared);
    const states = dxfStates(parts.get('xl/styles.xml')!);
    const rules = ours(parts.get('xl/worksheets/sheet1.xml')!).sort((a, b) => a.priority - b.priority);
    const grid = (await readWorkbookGrid(prepared)).sheets.find((s) => s.name === PLAN_SHEET)!;
    const layout = tableLayout(preparedPlan)!;
    // Two SEM. I 2023 actions marked done by their unit, as typed in Excel.
    const semI = preparedPlan.actions.filter((a) => SEM_I_2023.test(a.text.deadline.trim()));
    expect(semI.length).toBeGreaterThan(10);
    const done = new Set([semI[0]!.id, semI[3]!.id]);
    const actions = preparedPlan.actions.map((a) =>
      done.has(a.id) ? { ...a, text: { ...a.text, status: 'Realizat' } } : a,
    );
    const rows = grid.rows.map((row) =>
      row.map((v) => (v === '' || v === null ? null : typeof v === 'string' ? `'${v}` : v)),
    );
    for (const a of actions) if (done.has(a.id)) rows[a.row]![layout.columns.status] = "'Realizat";
    const hf = HyperFormula.buildFromSheets({ S: rows }, { licenseKey: 'gpl-v3' });
    const top = Number(/\d+/.exec(rules[0]!.sqref)![0]) - 1;
    const colour = (row: number, col: number, today: string): HighlightedState | 'on-track' => {
      const [y, m, d] = today.split('-').map(Number);
      for (const rule of rules) {
        const formula = `=${shiftFormula(rule.formula, row - top, col - layout.left)}`.replace(
          /TODAY\(\)/g,
          `DATE(${y},${m},${d})`,
        );
        if (hf.calculateFormula(formula, hf.getSheetId('S')!) === true) return states.get(rule.dxfId)!;
      }
      return 'on-track';
    };
    try {
      for (const today of ['2022-11-20', '2023-06-15', '2023-07-01', '2024-01-15']) {
        for (const a of actions) {
          const expected = deadlineState(a, today);
          expect([today, a.id, colour(a.row, layout.left, today)]).toEqual([today, a.id, expected]);
          expect(colour(a.row, layout.right, today)).toBe(expected);
        }
      }
      for (const a of actions.filter((x) => SEM_I_2023.test(x.text.deadline.trim())))
        expect([a.id, colour(a.row, layout.left, '2023-07-01')]).toEqual([a.id, done.has(a.id) ? 'done' : 'overdue']);
      // Not vacuous: across these days the rules paint every state the seed has.
      const seen = new Set(
        ['2022-11-20', '2023-06-15', '2023-07-01'].flatMap((t) => actions.map((a) => colour(a.row, layout.left, t))),
      );
      expect(seen).toEqual(new Set(['done', 'recurring', 'on-track', 'due-soon', 'overdue']));
    } finally {
      hf.destroy();
    }
  });

  it('replaces only its own rules when prepared again, with another due-soon window', async () => {
    const again = await prepareWorkbook(prepared, preparedPlan, META, { soonDays: 10 });
    const xml = (await partsOf(again)).get('xl/worksheets/sheet1.xml')!;
    const rules = ours(xml);
    expect(rules).toHaveLength(5);
    expect(rules.find((r) => r.formula.includes('TODAY()+'))!.formula).toContain('TODAY()+10');
    expect(writtenRules(xml).filter((r) => r.formula === TEAM_CF_FORMULA)).toHaveLength(1);
  });
});
