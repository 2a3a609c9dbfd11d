/* global document, fetch, MutationObserver, setInterval */
// A banner over the coordinator's dashboard when the service needs attention: last night's merge failed or did not
// run, or the data disk is filling. Self-contained: it mounts on #merge-warning, reads the coordinator's report from
// /api/health (the page session's cookie; anyone else gets no warnings from it) and follows the page's language.
const POLL_MS = 60_000;
const TITLE = { ro: 'Atenție', en: 'Warning' };
const HINT = {
  ro: 'Verificați jurnalul serviciului și porniți o îmbinare cu „Îmbină acum”.',
  en: 'Check the service log and start a merge with “Merge now”.',
};

const mount = document.getElementById('merge-warning');
let warnings = [];

function lang() {
  return document.documentElement.lang === 'en' ? 'en' : 'ro';
}

function render() {
  if (!mount) return;
  mount.replaceChildren();
  mount.hidden = warnings.length === 0;
  if (warnings.length === 0) return;
  const l = lang();
  const title = document.createElement('strong');
  title.textContent = TITLE[l];
  const list = document.createElement('ul');
  for (const w of warnings) {
    const item = document.createElement('li');
    item.textContent = w[l];
    item.dataset.code = w.code;
    list.append(item);
  }
  mount.append(title, list);
  if (warnings.some((w) => w.code.startsWith('nightly-merge'))) {
    const hint = document.createElement('p');
    hint.textContent = HINT[l];
    mount.append(hint);
  }
}

async function refresh() {
  try {
    const res = await fetch('/api/health', { credentials: 'same-origin', headers: { accept: 'application/json' } });
    const body = await res.json();
    warnings = Array.isArray(body.warnings) ? body.warnings : [];
  } catch {
    warnings = [];
  }
  render();
}

if (mount) {
  const style = document.createElement('style');
  style.textContent = `#merge-warning{margin:0 0 1rem;padding:.75rem 1rem;border:2px solid #b45309;border-radius:6px;
    background:#fff7ed;color:#7c2d12}#merge-warning ul{margin:.25rem 0 0;padding-left:1.25rem}
    #merge-warning p{margin:.5rem 0 0}`;
  document.head.append(style);
  // The page switches language by setting <html lang>; the banner follows.
  new MutationObserver(render).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  // Signing in shows the dashboard: ask again then, since the answer depends on the session.
  const dashboard = document.getElementById('dashboard');
  if (dashboard) {
    new MutationObserver(() => {
      if (!dashboard.hidden) void refresh();
    }).observe(dashboard, { attributes: true, attributeFilter: ['hidden'] });
  }
  void refresh();
  setInterval(() => void refresh(), POLL_MS);
}
