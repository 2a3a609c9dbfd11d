// What the writer tests start from: the Sector 1 sample as a team would have it after some months of use, made
// here with exceljs (no committed binary): its own conditional format, validation, another sheet with a formula,
// widths, merges, a note. And small readers to compare what the writer kept.
import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPlan } from '../../plan/grid';
import type { Plan } from '../../plan/model';
import { readWorkbookGrid } from '../../service/xlsx/read';
import { openZip } from '../../service/xlsx/zip';
import { sampleXlsxPath } from '../support/seed';
import { sofficeSheetsAsTsv } from '../support/tools';

export const PLAN_SHEET = 'Plan de măsuri';
export const TEAM_CF_FORMULA = 'ISNUMBER(SEARCH("2022",D9))';
export const TEAM_DV_LIST = '"Resurse umane,Resurse de timp,Resurse financiare"';

export async function teamWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(sampleXlsxPath) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet(PLAN_SHEET)!;
  ws.getColumn(5).width = 33;
  ws.addConditionalFormatting({
    ref: 'D9:D170',
    rules: [
      {
        type: 'expression',
        priority: 1,
        formulae: [TEAM_CF_FORMULA],
        style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: 'FFFFC7CE' } } },
      },
    ],
  });
  ws.getCell('F9').dataValidation = { type: 'list', allowBlank: true, formulae: [TEAM_DV_LIST] };
  ws.getCell('B9').note = 'Verificat de coordonator';
  const other = wb.addWorksheet('Buget');
  other.getCell('A1').value = 'Buget 2023';
  other.getCell('B2').value = { formula: 'SUM(1,2)', result: 3 };
  other.getColumn(1).width = 25;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function planOf(bytes: Uint8Array): Promise<Plan> {
  return readPlan(await readWorkbookGrid(bytes));
}

const BIG = { maxEntries: 10_000, maxPartBytes: 1 << 30, maxTotalBytes: 1 << 30 };

/** Every part of a package as text (all the parts these tests compare are XML). */
export async function partsOf(bytes: Uint8Array): Promise<Map<string, string>> {
  const zip = await openZip(bytes, BIG);
  const parts = new Map<string, string>();
  for (const name of zip.names) if (!name.endsWith('/')) parts.set(name, await zip.readWholeText(name));
  return parts;
}

/** The top-level elements `local` of a worksheet, as written (e.g. every `<conditionalFormatting>`). */
export function elements(xml: string, local: string): string[] {
  const re = new RegExp(`<${local}\\b[^>]*?(?:/>|>[\\s\\S]*?</${local}>)`, 'g');
  return [...xml.matchAll(re)].map((m) => m[0]);
}

/** Writes the bytes to a temp dir and returns LibreOffice's text of every sheet, rows of tab-separated cells. */
export function libreOfficeSheets(bytes: Uint8Array, name = 'book'): string[][][] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caf-xw-'));
  const file = path.join(dir, `${name}.xlsx`);
  writeFileSync(file, bytes);
  return sofficeSheetsAsTsv(file, dir).map((f) => parseTsv(readFileSync(f, 'utf8')));
}

/** Tab-separated text as LibreOffice writes it: a field with a tab, quote or new line is quoted, `""` is a quote. */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === '\t') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

export async function loadExcelJs(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  return wb;
}
