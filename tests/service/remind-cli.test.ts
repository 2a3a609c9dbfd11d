// `caf-plan remind --dry-run --today 2023-07-01` on the sample plan: per unit, the message it would send (the seed's
// SEM. II 2022 and SEM. I 2023 actions are overdue that day), nothing sent; without SMTP a real run is refused.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../service/cli';
import { importWorkbook } from '../../service/sources/import';
import { Store } from '../../service/store/store';
import { sampleXlsxPath } from '../support/seed';

describe('caf-plan remind', () => {
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'caf-remind-cli-'));
    const store = new Store(dir);
    await importWorkbook(store, { bytes: new Uint8Array(readFileSync(sampleXlsxPath)), name: 'Sector 1', actor: 't' });
    store.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('previews, per unit, the message of the day', async () => {
    const out: string[] = [];
    const code = await main(['remind', '--dry-run', '--today', '2023-07-01', '--data-dir', dir], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    expect(code).toBe(0);
    const units = out.flatMap((l) => /^\S+ (\S+) → /.exec(l)?.[1] ?? []);
    expect(units).toEqual(['CMON', 'CSDDPP', 'DJLCA', 'DME', 'DMRU', 'SIC', 'SMI', 'SRRP', 'STLSA']);
    const sic = out.indexOf(out.find((l) => / SIC → /.test(l))!);
    expect(out[sic + 1]).toBe('  [CAF] SIC: 6 acțiuni cu termen depășit — Sector 1');
    expect(out[sic + 2]).toBe('  overdue: 1.1.3 1.4.1 1.4.2 3.3.6 4.2.1 5.2.1');
    expect(out.at(-1)).toBe('9 mesaje (un mesaj pe unitate).');
  });

  it('refuses to send without SMTP settings, in both languages', async () => {
    const err: string[] = [];
    const code = await main(['remind', '--today', '2023-07-01', '--data-dir', dir], {
      out: () => {},
      err: (l) => err.push(l),
    });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/^mail-off: [\s\S]*nu este setat CAF_SMTP_URL[\s\S]*CAF_SMTP_URL is not set/m);
  });
});
