#!/usr/bin/env bash
# The one command to run the whole test suite on a fresh Debian machine:
#   bash tests/run.sh [extra pytest arguments]
# It installs what is missing (Chromium and Java from Debian, the package with its `test`
# extra from PyPI, axe-core and vnu.jar from npm), then runs pytest. Works from any folder.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\n==> %s\n' "$*"; }

can_apt() { [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; }

apt_updated=no
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    if [ "$apt_updated" = no ]; then
        say "apt-get update"
        apt-get update
        apt_updated=yes
    fi
    say "apt-get install -y $*"
    apt-get install -y "$@"
}

if command -v python3 >/dev/null 2>&1; then
    PYTHON=${PYTHON:-python3}
else
    PYTHON=${PYTHON:-python}
fi

# Debian packages: Chromium for the browser tests, Java for the Nu Html Checker, Node.js and
# npm to install axe-core and vnu.jar. Only installed when missing, and only as root with apt.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
    if can_apt; then
        apt_install "${missing[@]}"
    else
        say "Missing ${missing[*]} and cannot apt-get install as $(id -un): those tests will skip (or fail under CI)"
    fi
else
    say "Chromium, Java and npm are already installed"
fi

# A distribution's own Python refuses `pip install` outside a virtual environment (PEP 668):
# then use a virtual environment kept outside the work tree.
externally_managed() {
    "$PYTHON" - <<'PY'
import os, sys, sysconfig
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
sys.exit(0 if os.path.exists(marker) and sys.prefix == sys.base_prefix else 1)
PY
}
if externally_managed; then
    venv=${CASEBOOK_VENV:-$HOME/.cache/casebook/venv}
    say "$PYTHON is managed by the system; using the virtual environment $venv"
    if [ ! -x "$venv/bin/pip" ]; then
        # Debian's python3 has no ensurepip (so no venv) until python3-venv is installed.
        if ! "$PYTHON" -c 'import ensurepip' 2>/dev/null && can_apt; then
            apt_install python3-venv
        fi
        rm -rf "$venv"
        "$PYTHON" -m venv "$venv"
    fi
    PYTHON=$venv/bin/python
fi

say "Installing casebook with its test extra: $PYTHON -m pip install -e '.[test]'"
"$PYTHON" -m pip install --disable-pip-version-check -e '.[test]'

# --ignore-scripts: vnu-jar's postinstall would try to download a Java runtime from outside the
# npm registry; the tests run vnu.jar with the system's Java instead.
if command -v npm >/dev/null 2>&1; then
    say "Installing axe-core and vnu.jar: npm ci --prefix tests --ignore-scripts"
    npm ci --prefix tests --ignore-scripts --no-audit --no-fund
else
    say "npm is missing: the accessibility and HTML checks will skip (or fail under CI)"
fi

say "Running the tests: $PYTHON -m pytest $*"
exec "$PYTHON" -m pytest "$@"
