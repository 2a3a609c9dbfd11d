// Builds samples/plan-sector1.xlsx from the seed text (samples/plan-masuri-caf-sector1-2022.txt): the revised CAF
// 2020 plan of Sector 1 as a team would have pasted it from Word into Excel. Document-like on purpose: title rows,
// criterion and subcriterion rows merged across the table, the header repeated at every page break, a continuation
// row, italics kept as rich text, and the legend below the table.
//
//   npx tsx scripts/make-sample.ts [--out FILE]
import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WIDTH = 6; // columns of the Word table

const thin: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FF7F7F7F' } };
const borders: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };

type Line =
  | { kind: 'criterion'; text: string }
  | { kind: 'header'; cells: string[] }
  | { kind: 'subcriterion'; text: string }
  | { kind: 'row'; cells: string[] }
  | { kind: 'blank' }
  | { kind: 'legend-title'; text: string }
  | { kind: 'legend'; text: string };

/** The seed from its first criterion to the end, without the page furniture of the Word document. */
export function seedLines(seedText: string): Line[] {
  const raw = seedText.split(/\r?\n/);
  const start = raw.findIndex((l) => /^CRITERIUL 1\b/.test(l));
  const pageFurniture = /^(UNIUNEA EUROPEAN|Instrumente Structurale|2014-2020|Programul Operațional|Competența face)/;
  const lines: Line[] = [];
  let inLegend = false;
  for (const line of raw.slice(start)) {
    const trimmed = line.trim();
    if (trimmed === '') {
      if (lines.at(-1)?.kind !== 'blank') lines.push({ kind: 'blank' });
    } else if (pageFurniture.test(trimmed)) {
      continue;
    } else if (/^Legend/.test(trimmed)) {
      inLegend = true;
      lines.push({ kind: 'legend-title', text: trimmed });
    } else if (inLegend) {
      lines.push({ kind: 'legend', text: trimmed });
    } else if (/^CRITERIUL \d/.test(trimmed)) {
      lines.push({ kind: 'criterion', text: trimmed });
    } else if (trimmed.startsWith('Acțiuni necesare')) {
      lines.push({ kind: 'header', cells: line.split('\t') });
    } else if (/^\d\.\d:/.test(trimmed)) {
      lines.push({ kind: 'subcriterion', text: line.split('\t')[0]!.trim() });
    } else {
      lines.push({ kind: 'row', cells: line.split('\t') });
    }
  }
  while (lines.at(-1)?.kind === 'blank') lines.pop();
  return lines;
}

/** `<i>Balanced Scorecard</i>` from the Word export becomes an italic run. */
function cellValue(text: string): ExcelJS.CellValue {
  if (!text.includes('<i>')) return text;
  const richText: ExcelJS.RichText[] = [];
  for (const part of text.split(/(<i>.*?<\/i>)/)) {
    if (part === '') continue;
    const italic = /^<i>(.*)<\/i>$/.exec(part);
    richText.push(italic ? { text: italic[1]!, font: { italic: true } } : { text: part });
  }
  return { richText };
}

export async function buildSampleWorkbook(seedText: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Sectorul 1 al Municipiului București';
  wb.created = new Date('2022-11-09T00:00:00Z');
  wb.modified = new Date('2022-11-09T00:00:00Z');
  const ws = wb.addWorksheet('Plan de măsuri', {
    pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.columns = [{ width: 60 }, { width: 38 }, { width: 28 }, { width: 16 }, { width: 26 }, { width: 30 }];

  const title = (text: string, size: number): void => {
    const row = ws.addRow([text]);
    ws.mergeCells(row.number, 1, row.number, WIDTH);
    row.getCell(1).font = { bold: true, size };
    row.getCell(1).alignment = { horizontal: 'center' };
  };
  title('PLAN DE MĂSURI PENTRU ÎMBUNĂTĂȚIREA CAF', 14);
  title('SECTORUL 1 AL MUNICIPIULUI BUCUREȘTI', 12);
  title('VERSIUNE REVIZUITĂ - Noiembrie 2022', 11);
  ws.addRow([]);

  for (const line of seedLines(seedText)) {
    switch (line.kind) {
      case 'blank':
        ws.addRow([]);
        break;
      case 'criterion': {
        const row = ws.addRow([line.text]);
        ws.mergeCells(row.number, 1, row.number, WIDTH);
        row.getCell(1).font = { bold: true, size: 12, color: { argb: 'FF1F3864' } };
        row.getCell(1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E2F3' } };
        break;
      }
      case 'header': {
        const row = ws.addRow(line.cells.slice(0, WIDTH));
        row.eachCell((cell) => {
          cell.font = { bold: true };
          cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7E6E6' } };
          cell.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
          cell.border = borders;
        });
        break;
      }
      case 'subcriterion': {
        const row = ws.addRow([line.text]);
        ws.mergeCells(row.number, 1, row.number, WIDTH);
        row.getCell(1).font = { bold: true, italic: true };
        row.getCell(1).alignment = { wrapText: true };
        row.getCell(1).border = borders;
        break;
      }
      case 'row': {
        const cells = Array.from({ length: WIDTH }, (_, i) => line.cells[i] ?? '');
        const row = ws.addRow(cells.map((c) => (c.trim() === '' ? null : cellValue(c.trim()))));
        for (let c = 1; c <= WIDTH; c++) {
          const cell = row.getCell(c);
          cell.alignment = { wrapText: true, vertical: 'top' };
          cell.border = borders;
        }
        break;
      }
      case 'legend-title': {
        const row = ws.addRow([line.text]);
        row.getCell(1).font = { bold: true };
        break;
      }
      case 'legend':
        ws.addRow([line.text]);
        break;
    }
  }
  return wb;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const out = outIndex >= 0 ? path.resolve(args[outIndex + 1]!) : path.join(root, 'samples/plan-sector1.xlsx');
  const seed = readFileSync(path.join(root, 'samples/plan-masuri-caf-sector1-2022.txt'), 'utf8');
  const wb = await buildSampleWorkbook(seed);
  await wb.xlsx.writeFile(out);
  process.stdout.write(`wrote ${path.relative(process.cwd(), out) || out}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
