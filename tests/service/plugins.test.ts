// The sources `caf-plan serve` starts from its environment: a drop folder set in CAF_DROP_FOLDER takes copies in
// with no other wiring; a Drive source without its key is refused at start with a bilingual message.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { configWith } from '../../service/config';
import { MergeRunner } from '../../service/jobs/merge';
import { defaultPlugins, drivePlugin, folderPlugin, type ServiceContext } from '../../service/plugins';
import { PLAN_ID, storeWithPlan, type Fixture } from './sources-fixtures';

let fx: Fixture | undefined;
afterEach(() => fx?.close());

function context(f: Fixture, env: NodeJS.ProcessEnv): ServiceContext {
  const config = configWith({ dataDir: path.join(f.dir, 'data') });
  return { store: f.store, config, merges: new MergeRunner(f.store, {}), logger: pino({ level: 'silent' }), env };
}

describe('service plugins', () => {
  it('serve starts the drop folder, the Drive source, the coordinator page, the reminders and the scheduled backup by default', () => {
    expect(defaultPlugins().map((p) => p.name)).toEqual([
      'coordinator-page',
      'drop-folder',
      'google-drive',
      'reminders',
      'scheduled-backup',
    ]);
  });

  it('takes a department copy dropped into CAF_DROP_FOLDER and archives it', async () => {
    fx = await storeWithPlan();
    const inbox = path.join(fx.dir, 'inbox');
    mkdirSync(inbox);
    const stop = await folderPlugin.start!(
      context(fx, { CAF_DROP_FOLDER: inbox, CAF_DROP_INTERVAL_MS: '100', CAF_DROP_STABLE_MS: '500' }),
    );
    expect(stop).toBeTypeOf('function');
    try {
      const unit = 'DMRU';
      const rowId = fx.owned(unit)[0]!;
      writeFileSync(
        path.join(inbox, 'copie-dmru.xlsx'),
        await fx.copy(unit, [{ rowId, column: 'status', value: 'În curs' }]),
      );
      // The folder source waits until a file held still for CAF_DROP_STABLE_MS (5 s by default) before taking it.
      const deadline = Date.now() + 30_000;
      // The copy is recorded first, then moved to archive/: wait for both.
      const archived = (): number =>
        existsSync(path.join(inbox, 'archive')) ? readdirSync(path.join(inbox, 'archive')).length : 0;
      while ((fx.store.listSubmissions(PLAN_ID, {}).length === 0 || archived() === 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      const submissions = fx.store.listSubmissions(PLAN_ID, {});
      expect(submissions).toHaveLength(1);
      expect(submissions[0]!.unit).toBe(unit);
      expect(readdirSync(path.join(inbox, 'archive'))).toHaveLength(1);
      expect(readdirSync(inbox).filter((f) => f.endsWith('.xlsx'))).toEqual([]);
    } finally {
      await (stop as () => Promise<void>)();
    }
  });

  it('does nothing without its settings, and refuses a Drive folder without a key, in both languages', async () => {
    fx = await storeWithPlan();
    await expect(folderPlugin.start!(context(fx, {}))).resolves.toBeUndefined();
    await expect(drivePlugin.start!(context(fx, {}))).resolves.toBeUndefined();
    const start = drivePlugin.start!(context(fx, { CAF_DRIVE_FOLDER_ID: 'abc' }));
    await expect(start).rejects.toMatchObject({ code: 'config-invalid' });
    await expect(start).rejects.toThrow(/CAF_DRIVE_KEY_FILE/);
    await expect(
      folderPlugin.start!(context(fx, { CAF_DROP_FOLDER: '/tmp', CAF_DROP_INTERVAL_MS: 'often' })),
    ).rejects.toMatchObject({
      code: 'config-invalid',
      messages: { ro: expect.stringContaining('Configurare greșită') },
    });
  });
});
