#!/usr/bin/env bash
# One idempotent setup behind `make run` and `make test`. Needs only python3 (3.11), node and npm.
# Each step is skipped when the file it installs from has not changed since it last succeeded,
# so a second run does nothing. Nothing is downloaded later, at compile, test or run time.
set -euo pipefail
cd "$(dirname "$0")/.."

stamps=.bootstrap
# Playwright (the dashboard test) drives the system chromium; it must never fetch its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
mkdir -p "$stamps"

# up_to_date NAME FILE...: true when FILE... hash to what step NAME last installed from.
up_to_date() {
  local name=$1; shift
  [ -f "$stamps/$name" ] && [ "$(cat "$@" | sha256sum)" = "$(cat "$stamps/$name")" ]
}
mark_done() {
  local name=$1; shift
  cat "$@" | sha256sum > "$stamps/$name"
}

# The interpreter that builds .venv must not be .venv's own (the Makefile puts .venv/bin first
# on PATH, and the step below deletes .venv).
project_path_free=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$PWD/.venv/bin" | paste -sd: -)
python=${PYTHON:-$(PATH=$project_path_free command -v python3 || true)}
[ -n "$python" ] || { echo "bootstrap: no python3 on PATH; set PYTHON=/path/to/python3.11" >&2; exit 1; }
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "bootstrap: nmrx needs Python 3.11 (found: $("$python" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

if ! up_to_date venv requirements.lock pyproject.toml || [ ! -x .venv/bin/python ]; then
  echo "bootstrap: Python environment .venv (eth-brownie, web3, FastAPI, numerapi) ..."
  rm -rf .venv
  "$python" -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
  .venv/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
  mark_done venv requirements.lock pyproject.toml
fi

# The dashboard's browser test drives Debian's chromium (Playwright's own browser download is
# not used: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD). Installed once through apt when it is missing.
if [ ! -x /usr/bin/chromium ]; then
  if ! command -v apt-get >/dev/null; then
    echo "bootstrap: /usr/bin/chromium is missing and there is no apt-get; install Debian's chromium package (the dashboard's browser test needs it)" >&2
    exit 1
  fi
  sudo_=""
  [ "$(id -u)" = 0 ] || sudo_="sudo"
  echo "bootstrap: chromium (apt) for the dashboard's browser test ..."
  if ! { $sudo_ apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null; }; then
    echo "bootstrap: apt-get could not install chromium; run 'apt-get install chromium' as root" >&2
    exit 1
  fi
fi

# Slither pulls in solc-select, whose `solc` script downloads compilers: keep it out of .venv.
if ! up_to_date tools requirements-tools.lock || [ ! -x .venv-tools/bin/slither ]; then
  echo "bootstrap: tools environment .venv-tools (slither) ..."
  rm -rf .venv-tools
  "$python" -m venv .venv-tools
  .venv-tools/bin/pip install --quiet --disable-pip-version-check -r requirements-tools.lock
  mark_done tools requirements-tools.lock
fi

if ! up_to_date npm package-lock.json || [ ! -d node_modules/solc ]; then
  echo "bootstrap: npm packages (ganache, solc-js, OpenZeppelin) ..."
  npm ci --no-audit --no-fund --loglevel=error
  mark_done npm package-lock.json
fi

# brownie recompiles only the sources it sees changed, not what new compiler settings or new
# node_modules (OpenZeppelin) would change, and it refuses to load a build/ that names a deleted
# source: clear its build/ when the settings, the packages or the set of contract files change.
contract_files=$(mktemp)
trap 'rm -f "$contract_files"' EXIT
find contracts -name '*.sol' | LC_ALL=C sort > "$contract_files"
if ! up_to_date build brownie-config.yaml package-lock.json "$contract_files"; then
  [ -d build ] && echo "bootstrap: compiler settings, packages or contract files changed; clearing build/"
  rm -rf build
  mark_done build brownie-config.yaml package-lock.json "$contract_files"
fi

# py-solc-x and brownie look for `solc-v0.8.28` in SOLCX_BINARY_PATH (.solcx, set by the
# Makefile). A native solc 0.8.28 on PATH is used as is; otherwise the solc-js adapter.
solc_link=.solcx/solc-v0.8.28
if [ ! -e "$solc_link" ]; then
  mkdir -p .solcx
  native=$(command -v solc || true)
  if [ -n "$native" ] && "$native" --version 2>/dev/null | grep -q 'Version: 0\.8\.28'; then
    ln -sf "$native" "$solc_link"
    echo "bootstrap: using native solc at $native"
  else
    ln -sf ../scripts/solc-adapter.js "$solc_link"
    echo "bootstrap: using the solc-js adapter (scripts/solc-adapter.js)"
  fi
fi
"$solc_link" --version | grep -q 'Version: 0\.8\.28' \
  || { echo "bootstrap: $solc_link does not report solc 0.8.28" >&2; exit 1; }
