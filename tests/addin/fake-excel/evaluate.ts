// Evaluates a fake sheet's conditional formats the way Excel does, with a real formula engine (HyperFormula):
// each rule's formula is written for the top-left cell of its range and moved to every cell it covers (relative
// references shift, `$` parts stay: office-js #5194), rules run in priority order and stopIfTrue stops the rest.
// Kept out of the fake's index so the task-pane page does not bundle a formula engine.
import { HyperFormula } from 'hyperformula';
import type { LocalDate } from '../../../plan/model';
import { columnLetters, type FakeSheet } from './model';

export interface CellColour {
  fill: string | null;
  font: string | null;
}

export interface RowColour extends CellColour {
  /** 0-based row. */
  row: number;
}

/** Moves a formula written for the top-left cell of a range to a cell `dRows` down and `dCols` right. */
export function shiftFormula(formula: string, dRows: number, dCols: number): string {
  let out = '';
  let inString = false;
  let i = 0;
  const ref = /^(\$?)([A-Z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_(])/;
  while (i < formula.length) {
    const ch = formula[i]!;
    if (ch === '"') {
      inString = !inString;
      out += ch;
      i++;
      continue;
    }
    const prev = formula[i - 1] ?? '';
    const m = !inString && !/[A-Za-z0-9_.$]/.test(prev) ? ref.exec(formula.slice(i)) : null;
    if (m) {
      const [all, colAbs, letters, rowAbs, digits] = m as unknown as [string, string, string, string, string];
      let col = 0;
      for (const c of letters) col = col * 26 + (c.charCodeAt(0) - 64);
      const newCol = colAbs ? col - 1 : col - 1 + dCols;
      const newRow = rowAbs ? Number(digits) : Number(digits) + dRows;
      out += `${colAbs}${columnLetters(newCol)}${rowAbs}${newRow}`;
      i += all.length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

function todayAsDate(today: LocalDate): string {
  const [y, m, d] = today.split('-').map(Number);
  return `DATE(${y},${m},${d})`;
}

/**
 * The colour Excel shows in each row of `sheet` on `today`, by evaluating every conditional format that covers
 * the row's cells (`TODAY()` is read as `today`). Rows no rule colours are left out. Throws when the cells of one
 * row disagree, which would mean a formula lost its `$` on a column.
 */
export function evaluateConditionalFormats(sheet: FakeSheet, today: LocalDate): Map<number, RowColour> {
  const used = sheet.usedRect(true);
  const data: (string | number | boolean | null)[][] = [];
  if (used)
    for (let r = 0; r <= used.bottom; r++) {
      const row: (string | number | boolean | null)[] = [];
      for (let c = 0; c <= used.right; c++) {
        const v = sheet.value(r, c);
        // An apostrophe keeps text as text (HyperFormula, like Excel, would read "2023" as a number).
        row.push(v === '' ? null : typeof v === 'string' ? `'${v}` : v);
      }
      data.push(row);
    }
  const hf = HyperFormula.buildFromSheets(
    { S: data.length ? data : [[null]] },
    {
      licenseKey: 'gpl-v3',
      caseSensitive: false,
      accentSensitive: true,
    },
  );
  const sheetId = hf.getSheetId('S')!;
  const todayExpr = todayAsDate(today);
  const rules = sheet.conditionalFormats; // in priority order
  const rows = new Set<number>();
  for (const cf of rules) for (let r = cf.rect.top; r <= cf.rect.bottom; r++) rows.add(r);
  const cache = new Map<string, boolean>();
  const result = new Map<number, RowColour>();
  try {
    for (const row of [...rows].sort((a, b) => a - b)) {
      let rowColour: CellColour | undefined;
      const columns = new Set<number>();
      for (const cf of rules)
        if (row >= cf.rect.top && row <= cf.rect.bottom)
          for (let c = cf.rect.left; c <= cf.rect.right; c++) columns.add(c);
      for (const col of [...columns].sort((a, b) => a - b)) {
        const colour: CellColour = { fill: null, font: null };
        for (const cf of rules) {
          const { rect } = cf;
          if (row < rect.top || row > rect.bottom || col < rect.left || col > rect.right) continue;
          const formula = shiftFormula(cf.formula, row - rect.top, col - rect.left).replace(/TODAY\(\)/gi, todayExpr);
          let hit = cache.get(formula);
          if (hit === undefined) {
            const value = hf.calculateFormula(formula, sheetId);
            hit = value === true || (typeof value === 'number' && value !== 0);
            cache.set(formula, hit);
          }
          if (!hit) continue;
          colour.fill ??= cf.fill;
          colour.font ??= cf.fontColor;
          if (cf.stopIfTrue) break;
        }
        if (rowColour === undefined) rowColour = colour;
        else if (rowColour.fill !== colour.fill || rowColour.font !== colour.font)
          throw new Error(
            `Row ${row + 1}: cells are coloured differently (${JSON.stringify(rowColour)} vs ${JSON.stringify(colour)}).`,
          );
      }
      if (rowColour && (rowColour.fill || rowColour.font)) result.set(row, { row, ...rowColour });
    }
  } finally {
    hf.destroy();
  }
  return result;
}
