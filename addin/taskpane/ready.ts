// Office.onReady as a promise that fails outside Office: the pane and the ribbon's function file both wait on it.
// Kept apart from office-port.ts so the function file's bundle does not carry the whole plan code.
// (The one Office.js call outside addin/excel: it is page start-up, not workbook access.)
/** Resolves inside Excel; rejects in a plain browser (office.js missing, or loaded but with no host). */
export function officeReady(): Promise<void> {
  if (typeof Office === 'undefined' || typeof Office.onReady !== 'function') {
    return Promise.reject(new Error('Office.js is not loaded'));
  }
  return Office.onReady().then((info) => {
    if (!info.host) throw new Error('not running inside an Office application');
  });
}
