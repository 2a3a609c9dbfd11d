#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages: Chromium (task pane and coordinator page tests),
# LibreOffice Calc and Gnumeric (second readers of written workbooks), xmllint (XSD validation), and Debian's
# Python with openpyxl, XlsxWriter and lxml (the writer fixtures' scripts, tests/fixtures/writers).
# Runs before `vitest run`; a tool that cannot be installed is reported here and its tests print why they skip.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
command -v ssconvert >/dev/null 2>&1 || need+=(gnumeric)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
# Debian's python (the `python3` on PATH may be a pyenv shim without Debian modules).
/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1 || need+=(python3-openpyxl)
/usr/bin/python3 -c 'import xlsxwriter' >/dev/null 2>&1 || need+=(python3-xlsxwriter)
/usr/bin/python3 -c 'import lxml' >/dev/null 2>&1 || need+=(python3-lxml)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "ensure-test-tools: installing ${need[*]} (first run only)"
if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "ensure-test-tools: not root and no sudo: cannot install ${need[*]}; the tests that need them will skip with a reason"
  exit 0
fi
SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
  echo "ensure-test-tools: apt-get failed (last lines below); the tests that need ${need[*]} will skip with a reason"
  tail -n 15 "$log"
fi
rm -f "$log"
exit 0
