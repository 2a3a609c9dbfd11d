// Open data for Romanian Excel: progress.csv is `;` separated, UTF-8 with a byte order mark, CRLF, Romanian headers
// and states by default (English with ?lang=en), with the action's text and monitoring; formula-like text keeps its
// apostrophe; progress.json keeps its English keys. Expected values are literals from the seed plan's text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSample, startService, type Running } from './support';

let s: Running;
let planId: string;

beforeAll(async () => {
  s = await startService();
  planId = await importSample(s);
});
afterAll(async () => s?.close());

/** A `;` CSV line split by a reader written here (quotes doubled, separators inside quotes kept). */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ';') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

async function csv(query: string): Promise<{ raw: Uint8Array; lines: string[] }> {
  const res = await s.call('GET', `/api/plans/${planId}/progress.csv?today=2024-03-01${query}`, { token: null });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const raw = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(raw);
  return { raw, lines: text.replace(/^\uFEFF/, '').split('\r\n') };
}

describe('progress.csv', () => {
  it('opens in Romanian Excel: BOM, `;`, CRLF, Romanian headers, states and the action text', async () => {
    const { raw, lines } = await csv('');
    expect([...raw.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(lines.at(-1)).toBe('');
    expect(fields(lines[0]!)).toEqual([
      'ID',
      'Criteriu',
      'Subcriteriu',
      'Acțiuni necesare',
      'Responsabil',
      'Termen de realizare',
      'Data scadentă',
      'Stare',
      'Starea termenului',
      'Zile de întârziere',
      'Monitorizare și evaluare',
    ]);
    expect(lines).toHaveLength(72 + 2);
    const first = fields(lines[1]!);
    expect(first[0]).toBe('1.1.1');
    expect(first[3]).toBe(
      '1. Comunicarea valorilor aprobate în Strategia de Management și Dezvoltare Instituțională către angajații instituției',
    );
    expect(first[5]).toBe('SEM. II. 2022');
    expect(first[6]).toBe('2022-12-31');
    expect(first[8]).toBe('Termen depășit');
    // 31 Dec 2022 to 1 Mar 2024: 426 days.
    expect(first[9]).toBe('426');
    expect(lines.every((l) => l === '' || fields(l).length === 11)).toBe(true);
  });

  it('speaks English with ?lang=en', async () => {
    const { lines } = await csv('&lang=en');
    expect(fields(lines[0]!).slice(0, 4)).toEqual(['ID', 'Criterion', 'Subcriterion', 'Action']);
    expect(fields(lines[1]!)[8]).toBe('Overdue');
  });

  it('keeps the monitoring text, and escapes what a spreadsheet would run as a formula', async () => {
    const plan = s.store.revisionPlan(planId, 1)!;
    const row = plan.actions.find((a) => a.text.owners.includes('SMI'))!;
    const note = '=HYPERLINK("http://x";"ok"); verificat';
    const res = await s.call('POST', `/api/plans/${planId}/submissions`, {
      token: s.unitToken('SMI'),
      body: { unit: 'SMI', baseRevision: 1, rows: [{ id: row.id, values: { monitoring: note } }] },
    });
    expect(res.status).toBe(201);
    await s.call('POST', `/api/plans/${planId}/merges`);
    const { lines } = await csv('');
    const line = lines.find((l) => l.startsWith(`${row.id};`))!;
    expect(line.endsWith(`;"'=HYPERLINK(""http://x"";""ok""); verificat"`)).toBe(true);
    expect(fields(line)[10]).toBe(`'${note}`);
  });

  it('progress.json keeps its English keys', async () => {
    const res = await s.call('GET', `/api/plans/${planId}/progress.json?today=2024-03-01`, { token: null });
    const body = (await res.json()) as { rows: Record<string, unknown>[] };
    expect(Object.keys(body.rows[0]!)).toEqual(
      expect.arrayContaining(['id', 'criterion', 'subcriterion', 'owners', 'deadline', 'dueDate', 'status', 'state']),
    );
    expect(body.rows[0]).toMatchObject({ id: '1.1.1', state: 'overdue', daysLate: 426 });
  });
});
