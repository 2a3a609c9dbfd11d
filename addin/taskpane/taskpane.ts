// The task pane's entry: wires the page (render.ts) to the behaviour (controller.ts) and Excel (office-port.ts).
import { connectionStore, mountConnect, type ConnectMount } from './connect-view';
import { PaneController } from './controller';
import { createOfficePort } from './office-port';
import { PaneView } from './render';
import type { KeyValueStore } from './settings';
import { localToday } from './view';

function browserStorage(): KeyValueStore | null {
  try {
    return window.localStorage; // throws when storage is blocked by policy
  } catch {
    return null;
  }
}

function main(): void {
  let view: PaneView | null = null;
  let connect: ConnectMount | null = null;
  const controller = new PaneController(
    createOfficePort(),
    browserStorage(),
    (state) => {
      view?.render(state);
      connect?.setLang(state.settings.lang);
    },
    localToday(),
  );
  view = new PaneView(document, {
    prepare: () => void controller.prepare(),
    validate: () => void controller.validate(),
    highlight: () => void controller.highlight(),
    applyFilter: () => void controller.applyFilter(),
    clearFilter: () => void controller.clearFilter(),
    refreshSummary: () => void controller.refreshSummary(),
    selectFinding: (finding) => void controller.selectFinding(finding),
    setLang: (lang) => controller.setLang(lang),
    setSoonDays: (days) => controller.setSoonDays(days),
    setFilterChoice: (patch) => controller.setFilterChoice(patch),
    chooseColumn: (field, column) => void controller.chooseColumn(field, column),
  });
  view.render(controller.state);
  // The sync service's section (addin/taskpane/connect-view.ts): submit, sync, conflicts, copies.
  connect = mountConnect(document, {
    store: connectionStore(browserStorage()),
    today: localToday(),
    lang: controller.state.settings.lang,
  });
  void controller.start();
  void connect.start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
