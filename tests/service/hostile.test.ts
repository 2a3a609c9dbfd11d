// Hostile and broken requests: each gets a 4xx with a clear message in Romanian and English, no stack trace; the
// service stays up, its memory stays bounded, and nothing it had acknowledged is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deflateRepeated, minimalXlsx, minimalXlsxParts, zipParts } from '../support/zip-parts';
import { bytesOf, editCopy, importSample, startService, type Running } from './support';

const MB = 1024 * 1024;
let s: Running;
let planId: string;
let dmru: string;
let sicCopy: Uint8Array;
let dmruCopy: Uint8Array;
let acknowledged: string;

beforeAll(async () => {
  s = await startService({ maxUploadBytes: 10 * MB, maxJsonBytes: 2 * MB, authFailuresPer15Min: 10_000 });
  planId = await importSample(s);
  dmru = s.unitToken('DMRU');
  dmruCopy = await bytesOf(await s.call('GET', `/api/plans/${planId}/copies/DMRU.xlsx`));
  sicCopy = await bytesOf(await s.call('GET', `/api/plans/${planId}/copies/SIC.xlsx`));
  const edited = await editCopy(dmruCopy, [{ rowId: '1.2.1', column: 'monitoring', value: 'în lucru' }]);
  const res = await s.call('POST', `/api/plans/${planId}/submissions`, { token: dmru, body: edited });
  expect(res.status).toBe(201);
  acknowledged = ((await res.json()) as { submission: string }).submission;
});
afterAll(async () => {
  await s?.close();
});

type Attack = {
  name: string;
  method?: string;
  path: () => string;
  token?: () => string | null;
  body?: () => Promise<unknown> | unknown;
  type?: string;
  headers?: Record<string, string>;
  status: number;
  code?: string;
};

const sub = (): string => `/api/plans/${planId}/submissions`;
const rows = (extra: object): object => ({
  unit: 'DMRU',
  baseRevision: 1,
  rows: [{ id: '1.2.1', values: { status: 'În curs' } }],
  ...extra,
});

const bomb = async (): Promise<Uint8Array> => {
  const head =
    '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
  const size = 512 * MB;
  const parts = minimalXlsxParts({ sheets: [{ name: 'Plan', xml: '' }] });
  const sheet = parts.find((p) => p.name === 'xl/worksheets/sheet1.xml')!;
  Object.assign(sheet, { data: undefined, deflated: await deflateRepeated(head, '<row/>', size), size: 1000, crc: 0 });
  return zipParts(parts);
};
const laughs = (): Uint8Array => {
  const entities = ['<!ENTITY lol "lol">'];
  for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
  return minimalXlsx({
    sharedStrings: `<?xml version="1.0"?><!DOCTYPE lolz [${entities.join('')}]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>`,
    sheets: [{ name: 'Plan', xml: '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' }],
  });
};
const hugeCell = (): Uint8Array =>
  minimalXlsx({
    sheets: [
      { name: 'Plan', xml: `<row r="1"><c r="A1" t="inlineStr"><is><t>${'x'.repeat(5 * MB)}</t></is></c></row>` },
    ],
  });
const noHeader = (): Uint8Array =>
  minimalXlsx({
    sheets: [
      {
        name: 'Foaie1',
        xml: '<row r="1"><c r="A1" t="inlineStr"><is><t>doar text</t></is></c><c r="B1"><v>42</v></c></row>',
      },
    ],
  });

const ATTACKS: Attack[] = [
  // Hostile files
  {
    name: 'not a zip',
    path: sub,
    body: () => new TextEncoder().encode('Acesta nu este un fișier Excel'),
    status: 422,
    code: 'xlsx-not-zip',
  },
  { name: 'truncated copy', path: sub, body: () => dmruCopy.slice(0, Math.floor(dmruCopy.length / 2)), status: 422 },
  { name: 'zip bomb', path: sub, body: bomb, status: 413, code: 'xlsx-too-large' },
  { name: 'entity expansion', path: sub, body: laughs, status: 422, code: 'xlsx-doctype' },
  { name: '5 MB cell', path: sub, body: hugeCell, status: 422, code: 'xlsx-cell-too-long' },
  { name: 'no header row, submitted', path: sub, body: noHeader, status: 422, code: 'submission-not-a-copy' },
  {
    name: 'no header row, imported',
    path: () => '/api/plans',
    token: () => s.coordinator,
    body: noHeader,
    status: 422,
    code: 'plan-no-table',
  },
  {
    name: 'the master, not a copy',
    path: sub,
    token: () => s.coordinator,
    body: async () => bytesOf(await s.call('GET', `/api/plans/${planId}/current.xlsx`)),
    status: 422,
    code: 'submission-not-a-copy',
  },
  { name: 'empty file', path: sub, body: () => new Uint8Array(0), status: 400, code: 'empty-body' },
  // Content types and sizes
  {
    name: 'text/plain body',
    path: sub,
    body: () => 'unit=DMRU',
    type: 'text/plain',
    status: 415,
    code: 'unsupported-media-type',
  },
  { name: 'no content type', path: sub, body: () => 'abc', status: 415 },
  {
    name: 'multipart form',
    path: sub,
    body: () => '--x\r\n\r\nabc\r\n--x--',
    type: 'multipart/form-data; boundary=x',
    status: 415,
  },
  {
    name: 'JSON to the import',
    path: () => '/api/plans',
    token: () => s.coordinator,
    body: () => ({ a: 1 }),
    status: 415,
  },
  {
    name: 'malformed JSON',
    path: sub,
    body: () => '{"unit":',
    type: 'application/json',
    status: 400,
    code: 'json-malformed',
  },
  { name: 'oversized upload', path: sub, body: () => new Uint8Array(11 * MB), status: 413, code: 'body-too-large' },
  {
    name: 'oversized JSON',
    path: sub,
    body: () => JSON.stringify(rows({ pad: 'x'.repeat(3 * MB) })),
    type: 'application/json',
    status: 413,
    code: 'body-too-large',
  },
  {
    name: 'unsupported charset',
    path: sub,
    body: () => JSON.stringify(rows({})),
    type: 'application/json; charset=ebcdic',
    status: 415,
  },
  // Tokens
  { name: 'another unit’s copy', path: sub, body: () => sicCopy, status: 403, code: 'submission-wrong-unit' },
  {
    name: 'another unit’s rows',
    path: sub,
    body: () => rows({ unit: 'SIC' }),
    status: 403,
    code: 'submission-wrong-unit',
  },
  { name: 'no token', path: sub, token: () => null, body: () => dmruCopy, status: 401, code: 'auth-required' },
  { name: 'forged token', path: sub, token: () => 'caf_' + 'x'.repeat(43), body: () => dmruCopy, status: 401 },
  { name: 'malformed token', path: () => '/api/plans', token: () => '../../etc/passwd', status: 401, method: 'GET' },
  {
    name: 'Basic auth',
    path: () => '/api/plans',
    token: () => null,
    headers: { authorization: 'Basic YWRtaW46YWRtaW4=' },
    status: 401,
    method: 'GET',
  },
  {
    name: 'unit runs a merge',
    method: 'POST',
    path: () => `/api/plans/${planId}/merges`,
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'unit mints a token',
    method: 'POST',
    path: () => '/api/tokens',
    body: () => ({ role: 'coordinator' }),
    status: 403,
  },
  // Path tricks
  {
    name: 'plan id with ../',
    method: 'GET',
    path: () => '/api/plans/..%2F..%2Fetc%2Fpasswd/current.json',
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'unit with ../',
    method: 'GET',
    path: () => `/api/plans/${planId}/copies/..%2F..%2Fcaf-plan.sqlite.xlsx`,
    status: 400,
  },
  {
    name: 'unknown unit copy',
    method: 'GET',
    path: () => `/api/plans/${planId}/copies/NUEXISTA.xlsx`,
    token: () => s.coordinator,
    status: 404,
  },
  {
    name: 'unit reads another unit’s copy',
    method: 'GET',
    path: () => `/api/plans/${planId}/copies/NUEXISTA.xlsx`,
    status: 403,
  },
  { name: 'SQL in a submission id', method: 'GET', path: () => '/api/submissions/1%20OR%201=1', status: 400 },
  {
    name: 'negative merge id',
    method: 'GET',
    path: () => '/api/merges/-1/report.json',
    token: () => s.coordinator,
    status: 400,
  },
  { name: 'revision 0', method: 'GET', path: () => `/api/plans/${planId}/revisions/0.json`, status: 400 },
  { name: 'revision as an exe', method: 'GET', path: () => `/api/plans/${planId}/revisions/1.exe`, status: 400 },
  {
    name: 'unknown plan',
    path: () => '/api/plans/nu-exista/submissions',
    body: () => rows({}),
    status: 404,
    code: 'not-found',
  },
  // JSON rows that break the schema
  {
    name: 'rows missing',
    path: sub,
    body: () => ({ unit: 'DMRU', baseRevision: 1 }),
    status: 400,
    code: 'invalid-request',
  },
  { name: 'rows empty', path: sub, body: () => rows({ rows: [] }), status: 400 },
  { name: 'rows not a list', path: sub, body: () => rows({ rows: {} }), status: 400 },
  { name: 'baseRevision as text', path: sub, body: () => rows({ baseRevision: '1' }), status: 400 },
  {
    name: 'unknown column',
    path: sub,
    body: () => rows({ rows: [{ id: '1.2.1', values: { formula: '=1+1' } }] }),
    status: 400,
  },
  { name: 'extra key', path: sub, body: () => rows({ admin: true }), status: 400 },
  { name: 'id too long', path: sub, body: () => rows({ rows: [{ id: '1'.repeat(65), values: {} }] }), status: 400 },
  {
    name: 'value over the Excel limit',
    path: sub,
    body: () => rows({ rows: [{ id: '1.2.1', values: { monitoring: 'x'.repeat(40_000) } }] }),
    status: 400,
  },
  {
    name: '__proto__ in values',
    path: sub,
    body: () => '{"unit":"DMRU","baseRevision":1,"rows":[{"id":"1.2.1","values":{"__proto__":{"polluted":1}}}]}',
    type: 'application/json',
    status: 400,
  },
  {
    name: 'unknown base revision',
    path: sub,
    body: () => rows({ baseRevision: 99 }),
    status: 409,
    code: 'submission-unknown-revision',
  },
  {
    name: 'unit not in the legend',
    path: sub,
    token: () => s.coordinator,
    body: () => rows({ unit: 'XYZ' }),
    status: 422,
    code: 'unit-unknown',
  },
  {
    name: 'resolve with a number',
    method: 'POST',
    path: () => '/api/conflicts/1/resolve',
    token: () => s.coordinator,
    body: () => ({ value: 5 }),
    status: 400,
  },
  {
    name: 'bad date in progress',
    method: 'GET',
    path: () => `/api/plans/${planId}/progress.json?today=ieri`,
    token: () => null,
    status: 400,
  },
];

describe('hostile requests', () => {
  it(`answers ${ATTACKS.length} hostile requests with a 4xx and a bilingual message, and stays up`, async () => {
    expect(ATTACKS.length).toBeGreaterThanOrEqual(30);
    const heapBefore = process.memoryUsage().rss;
    const failures: string[] = [];
    for (const a of ATTACKS) {
      const body = a.body ? await a.body() : undefined;
      const res = await s.call(a.method ?? 'POST', a.path(), {
        token: a.token ? a.token() : dmru,
        ...(body !== undefined ? { body } : {}),
        ...(a.type ? { type: a.type } : {}),
        headers: a.headers ?? {},
      });
      const text = await res.text();
      let payload: { code?: string; message_ro?: string; message_en?: string } = {};
      try {
        payload = JSON.parse(text) as typeof payload;
      } catch {
        failures.push(`${a.name}: not JSON: ${text.slice(0, 80)}`);
      }
      if (res.status !== a.status) failures.push(`${a.name}: ${res.status} (${payload.code}), expected ${a.status}`);
      if (a.code && payload.code !== a.code) failures.push(`${a.name}: code ${payload.code}, expected ${a.code}`);
      if (!payload.message_ro || !payload.message_en) failures.push(`${a.name}: no bilingual message`);
      if (/\bat .+:\d+:\d+\)?/.test(text) || /node_modules|\.ts:\d/.test(text))
        failures.push(`${a.name}: stack trace leaked`);
      const health = await s.call('GET', '/api/health', { token: null });
      if (health.status !== 200) failures.push(`${a.name}: the service is down after it`);
    }
    expect(failures).toEqual([]);
    // Bounded memory: the zip bomb, the entity expansion and the big bodies did not inflate the process.
    expect(process.memoryUsage().rss - heapBefore).toBeLessThan(200 * MB);
    // Nothing acknowledged was lost; nothing hostile was stored.
    const subs = s.store.listSubmissions(planId);
    expect(subs.map((x) => x.id)).toEqual([acknowledged]);
    expect(s.store.blobs.has(subs[0]!.blob)).toBe(true);
  });

  it('keeps a file name as metadata only, never as a path', async () => {
    const edited = await editCopy(dmruCopy, [{ rowId: '1.2.1', column: 'monitoring', value: 'alt text' }]);
    const res = await s.call('POST', sub(), {
      token: dmru,
      body: edited,
      headers: { 'x-file-name': '..%2F..%2F..%2Fetc%2Fpasswd' },
    });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { submission: string }).submission;
    expect(s.store.getSubmission(id)!.fileName).toBe('passwd');
  });

  it('defeats CSV injection in the open data', async () => {
    const { csvCell } = await import('../../service/http/progress');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+40 21 000')).toBe("'+40 21 000");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('SEM. II 2022')).toBe('SEM. II 2022');
  });
});
