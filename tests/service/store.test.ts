import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../plan/model';
import { sha256 } from '../../service/store/blobs';
import { diffPlans } from '../../service/store/diff';
import { MergeBusyError, Store } from '../../service/store/store';

function plan(values: Record<string, string>): Plan {
  return {
    sheet: 'Plan',
    headerRow: 0,
    repeatedHeaderRows: [],
    columns: {},
    criteria: [],
    subcriteria: [],
    units: [{ code: 'DMRU', name: 'Direcția Management Resurse Umane' }],
    meta: null,
    findings: [],
    actions: Object.entries(values).map(([id, status], i) => ({
      id,
      idFromColumn: true,
      row: i + 1,
      criterion: '1',
      subcriterion: '1.1',
      number: i + 1,
      text: {
        id,
        action: `Acțiunea ${id}`,
        result: '',
        owners: 'DMRU',
        deadline: '2023',
        monitoring: '',
        resources: '',
        status,
      },
      values: {},
      continuationRows: [],
    })),
  };
}

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'caf-store-'));
  store = new Store(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('blob folder', () => {
  it('names files by their sha256, keeps them across reopening and never leaves temporary files', () => {
    const bytes = new TextEncoder().encode('Planul de măsuri');
    const hash = store.blobs.put(bytes);
    expect(hash).toBe(sha256(bytes));
    expect(store.blobs.put(bytes)).toBe(hash);
    store.close();
    store = new Store(dir);
    expect(new TextDecoder().decode(store.blobs.get(hash))).toBe('Planul de măsuri');
    expect(readdirSync(path.join(dir, 'blobs', 'tmp'))).toEqual([]);
    expect(() => store.blobs.pathOf('../../etc/passwd')).toThrow();
  });
});

describe('store', () => {
  function seedPlan(): void {
    const blob = store.blobs.put(new TextEncoder().encode('rev1'));
    store.createPlan({
      id: 'p1',
      name: 'Plan',
      editable: ['status', 'monitoring'],
      revision: {
        blob,
        plan: plan({ '1.1.1': 'Neînceput', '1.1.2': 'Neînceput' }),
        origin: 'import',
        createdBy: 'test',
      },
    });
  }

  it('takes the same bytes from the same unit once', () => {
    seedPlan();
    const blob = store.blobs.put(new TextEncoder().encode('copy of DMRU'));
    const input = {
      planId: 'p1',
      unit: 'DMRU',
      source: 'upload',
      kind: 'xlsx' as const,
      baseRevision: 1,
      blob,
      rows: [{ id: '1.1.1', values: { status: 'În curs' } }],
      scope: 'full' as const,
      receivedAt: new Date().toISOString(),
      submittedBy: 'test',
      receipt: { willApply: 1 },
    };
    const first = store.addSubmission(input);
    const second = store.addSubmission({ ...input, receivedAt: new Date(Date.now() + 1000).toISOString() });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.submission).toEqual(first.submission);
    expect(first.submission.receipt).toEqual({ willApply: 1, submission: first.submission.id });
    expect(store.submissionRows(first.submission.id)).toEqual(input.rows);
    expect(store.listSubmissions('p1', { outcome: 'pending' })).toHaveLength(1);
  });

  it('refuses a second running merge and commits a merge all at once', () => {
    seedPlan();
    const merge = store.beginMerge('p1', 'manual', 'test');
    expect(() => store.beginMerge('p1', 'manual', 'test')).toThrow(MergeBusyError);
    // A second connection (another process) sees the same guard.
    const other = new Store(dir);
    expect(() => other.beginMerge('p1', 'cron', 'test')).toThrow(MergeBusyError);
    other.close();
    const interrupted = store.interruptRunningMerges();
    expect(interrupted.map((m) => m.id)).toEqual([merge.id]);
    expect(store.getMerge(merge.id)!.status).toBe('interrupted');
    const again = store.beginMerge('p1', 'manual', 'test');
    const blob = store.blobs.put(new TextEncoder().encode('rev2'));
    const done = store.finishMerge(
      {
        mergeId: again.id,
        revision: { blob, plan: plan({ '1.1.1': 'Realizat', '1.1.2': 'Neînceput' }) },
        report: {
          schemaVersion: 1,
          planId: 'p1',
          currentRevision: 1,
          newRevision: 2,
          mergedAt: new Date().toISOString(),
          submissions: [],
          applied: [],
          conflicts: [
            {
              kind: 'not-owner',
              rowId: '1.1.2',
              column: 'status',
              base: 'Neînceput',
              current: 'Neînceput',
              values: [{ unit: 'SIC', submission: '9', value: 'Realizat' }],
              message: { ro: 'nu', en: 'no' },
            },
          ],
          counts: { applied: 0, conflicts: 1, byKind: {} as never, byUnit: {} },
        },
        submissions: [],
      },
      'test',
    );
    expect(done.status).toBe('done');
    expect(store.getPlan('p1')!.currentRevision).toBe(2);
    expect(store.listConflicts('p1', 'open')).toHaveLength(1);
    expect(diffPlans(store.revisionPlan('p1', 1)!, store.revisionPlan('p1', 2)!)).toEqual([
      { kind: 'cell', rowId: '1.1.1', column: 'status', from: 'Neînceput', to: 'Realizat' },
    ]);
  });

  it('keeps only the hash of a token', () => {
    const { token, record } = store.createToken({ role: 'unit', unit: 'DMRU' });
    expect(store.findToken(token)).toEqual(record);
    expect(store.findToken(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
    const raw = store.db.prepare('SELECT * FROM tokens').all();
    expect(JSON.stringify(raw)).not.toContain(token.slice(4));
    store.revokeToken(record.id);
    expect(store.findToken(token)).toBeUndefined();
    expect(existsSync(path.join(dir, 'caf-plan.sqlite'))).toBe(true);
  });
});
