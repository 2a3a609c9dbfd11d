// Loaded right after Microsoft's hosted office.js: where a city hall's network cannot reach that address,
// window.Office is missing and the copy bundled with the add-in is loaded instead. An external file, not an inline
// script, so the service's Content-Security-Policy (script-src 'self') lets it run.
/* global window, document */
if (!window.Office) document.write('<script src="office/office.js"></script>');
