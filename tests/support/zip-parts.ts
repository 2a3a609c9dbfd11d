// Writes zip archives and minimal .xlsx packages part by part, so tests can build the files real generators
// (and attackers) produce: prefixed tags, missing attributes, lying sizes, huge parts. Nothing is committed as a
// binary: every fixture is made by these functions in the test that uses it.
import { Buffer } from 'node:buffer';
import zlib from 'node:zlib';

export interface ZipPart {
  name: string;
  data?: string | Uint8Array;
  /** Raw-deflated data given directly (a bomb built by `deflateRepeated`); `size` and `crc` then say what it holds. */
  deflated?: Uint8Array;
  /** The uncompressed size written in the headers; defaults to the true size (lie to build a crafted zip). */
  size?: number;
  crc?: number;
  store?: boolean;
}

export function zipParts(parts: readonly ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name, 'utf8');
    let raw: Buffer | null = null;
    if (part.data !== undefined)
      raw = typeof part.data === 'string' ? Buffer.from(part.data, 'utf8') : Buffer.from(part.data);
    const method = part.store ? 0 : 8;
    const body = part.deflated ? Buffer.from(part.deflated) : part.store ? raw! : zlib.deflateRawSync(raw!);
    const size = part.size ?? raw?.length ?? 0;
    const crc = part.crc ?? (raw ? zlib.crc32(raw) : 0);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Raw deflate of `head`, then `filler` repeated until `totalBytes`, without ever holding the inflated text. */
export async function deflateRepeated(head: string, filler: string, totalBytes: number): Promise<Buffer> {
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  deflate.write(head);
  const block = Buffer.from(filler.repeat(Math.ceil((1 << 20) / filler.length)));
  let written = head.length;
  while (written < totalBytes) {
    if (!deflate.write(block)) await new Promise((resolve) => deflate.once('drain', resolve));
    written += block.length;
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG = 'http://schemas.openxmlformats.org/package/2006/relationships';

export interface MinimalSheet {
  name: string;
  state?: 'visible' | 'hidden' | 'veryHidden';
  /** The whole worksheet part, or only what goes inside `<sheetData>` (then wrapped with `prefix`). */
  xml: string;
}

export interface MinimalXlsx {
  sheets: MinimalSheet[];
  /** The `<si>` elements, or a whole sharedStrings part when it starts with `<?xml` or `<`+prefix+`sst`. */
  sharedStrings?: string;
  /** Namespace prefix for SpreadsheetML elements, e.g. `x:` as some .NET generators write. */
  prefix?: string;
  /** Relationship targets written absolute (`/xl/worksheets/...`) rather than relative. */
  absoluteTargets?: boolean;
  /** Where the workbook part lives (default `xl/workbook.xml`). */
  workbookPath?: string;
  /** Sheet part names, e.g. `xl/worksheets/data-2.xml` (default sheetN.xml). */
  sheetPaths?: string[];
  extraParts?: ZipPart[];
}

/** The parts of a small .xlsx as Excel lays them out, with the variations real files show. */
export function minimalXlsxParts(spec: MinimalXlsx): ZipPart[] {
  const p = spec.prefix ?? '';
  const ns = p ? `xmlns:${p.slice(0, -1)}="${MAIN}"` : `xmlns="${MAIN}"`;
  const workbookPath = spec.workbookPath ?? 'xl/workbook.xml';
  const wbDir = workbookPath.slice(0, workbookPath.lastIndexOf('/'));
  const sheetPaths = spec.sheets.map((_, i) => spec.sheetPaths?.[i] ?? `${wbDir}/worksheets/sheet${i + 1}.xml`);
  const target = (full: string): string => (spec.absoluteTargets ? `/${full}` : full.slice(wbDir.length + 1));
  const parts: ZipPart[] = [
    {
      name: '[Content_Types].xml',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>',
    },
    {
      name: '_rels/.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PKG}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="${spec.absoluteTargets ? '/' : ''}${workbookPath}"/></Relationships>`,
    },
    {
      name: workbookPath,
      data:
        `<?xml version="1.0" encoding="UTF-8"?><${p}workbook ${ns} xmlns:r="${REL}"><${p}sheets>` +
        spec.sheets
          .map(
            (s, i) =>
              `<${p}sheet name="${s.name.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" sheetId="${i + 1}"${s.state && s.state !== 'visible' ? ` state="${s.state}"` : ''} r:id="rIdS${i + 1}"/>`,
          )
          .join('') +
        `</${p}sheets></${p}workbook>`,
    },
    {
      name: `${wbDir}/_rels/${workbookPath.slice(wbDir.length + 1)}.rels`,
      data:
        `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PKG}">` +
        sheetPaths
          .map((sp, i) => `<Relationship Id="rIdS${i + 1}" Type="${REL}/worksheet" Target="${target(sp)}"/>`)
          .join('') +
        (spec.sharedStrings !== undefined
          ? `<Relationship Id="rIdSST" Type="${REL}/sharedStrings" Target="${target(`${wbDir}/sharedStrings.xml`)}"/>`
          : '') +
        `</Relationships>`,
    },
    ...spec.sheets.map((s, i) => ({
      name: sheetPaths[i]!,
      data: s.xml.startsWith('<?xml')
        ? s.xml
        : `<?xml version="1.0" encoding="UTF-8"?><${p}worksheet ${ns}><${p}sheetData>${s.xml}</${p}sheetData></${p}worksheet>`,
    })),
  ];
  if (spec.sharedStrings !== undefined) {
    const whole = spec.sharedStrings.startsWith('<?xml') || spec.sharedStrings.startsWith(`<${p}sst`);
    parts.push({
      name: `${wbDir}/sharedStrings.xml`,
      data: whole
        ? spec.sharedStrings
        : `<?xml version="1.0" encoding="UTF-8"?><${p}sst ${ns}>${spec.sharedStrings}</${p}sst>`,
    });
  }
  return [...parts, ...(spec.extraParts ?? [])];
}

export function minimalXlsx(spec: MinimalXlsx): Buffer {
  return zipParts(minimalXlsxParts(spec));
}
