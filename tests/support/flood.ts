// A department copy padded with junk rows, as a careless or hostile upload has it (issue 14): made by Python's own
// zipfile on the copy's bytes (Debian's /usr/bin/python3, standard library only), not by our writer.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Plan } from '../../plan/model';

/** Adds `count` rows after the last row of the plan sheet: an id and a long action text each. */
const PAD = String.raw`
import re, sys, zipfile
src, out, sheet, id_col, action_col, count = sys.argv[1:7]
count = int(count)
with zipfile.ZipFile(src) as z:
    parts = {n: z.read(n) for n in z.namelist()}
xml = parts[sheet].decode('utf-8')
last = max(int(r) for r in re.findall(r'<(?:\w+:)?row[^>]*\br="(\d+)"', xml))
text = 'Rand adaugat ' + 'x' * 480
rows = []
for i in range(count):
    r = last + 1 + i
    rows.append(f'<row r="{r}"><c r="{id_col}{r}" t="inlineStr"><is><t>9.{i // 999 + 10}.{i % 999 + 1}</t></is></c>'
                f'<c r="{action_col}{r}" t="inlineStr"><is><t>{text} {i}</t></is></c></row>')
end = re.search(r'</(?:\w+:)?sheetData>', xml)
xml = xml[:end.start()] + ''.join(rows) + xml[end.start():]
xml = re.sub(r'<(\w+:)?dimension ref="[^"]*"\s*/>', '', xml)
parts[sheet] = xml.encode('utf-8')
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for n, b in parts.items():
        z.writestr(n, b)
print(len(parts[sheet]))
`;

const letter = (col: number): string =>
  col < 26 ? String.fromCharCode(65 + col) : letter(Math.floor(col / 26) - 1) + String.fromCharCode(65 + (col % 26));

/**
 * The copy with `count` rows added after its last row, each an id and a ~500-character action text. The plan sheet is
 * the copy's largest worksheet part (the metadata sheet holds a few cells). `sheetBytes`: the padded sheet unzipped.
 */
export function padCopy(
  copy: Uint8Array,
  plan: Plan,
  count: number,
  dir: string,
): { bytes: Uint8Array; sheetBytes: number } {
  const src = path.join(dir, 'copy-to-pad.xlsx');
  const out = path.join(dir, 'padded.xlsx');
  writeFileSync(src, copy);
  const listing = spawnSync('/usr/bin/python3', [
    '-c',
    'import sys,zipfile\nfor i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.filename, i.file_size)',
    src,
  ]);
  const sheet = listing.stdout
    .toString()
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([name]) => /^xl\/worksheets\/[^/]+\.xml$/.test(name!))
    .sort((a, b) => Number(b[1]) - Number(a[1]))[0]![0]!;
  const made = spawnSync('/usr/bin/python3', [
    '-c',
    PAD,
    src,
    out,
    sheet,
    letter(plan.columns.id!),
    letter(plan.columns.action!),
    String(count),
  ]);
  if (made.status !== 0) throw new Error(`padding the copy failed: ${made.stderr.toString()}`);
  return { bytes: new Uint8Array(readFileSync(out)), sheetBytes: Number(made.stdout.toString().trim()) };
}
