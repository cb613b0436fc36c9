#!/usr/bin/env bash
# Builds .venv with the pinned stack from requirements/lock.txt and makes sure bubblewrap is there.
set -euo pipefail
cd "$(dirname "$0")/.."
# Sandboxed workers run as an unprivileged uid and read the venv and the engine package through read-only mounts.
umask 022

PYTHON=${PYTHON:-python3.11}
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "setup: $PYTHON not found. On Debian: apt-get install python3.11 python3.11-venv (or set PYTHON=...)." >&2
  exit 1
fi

# Debian packages: bubblewrap (the sandbox), postgresql (the tests run a real PostgreSQL gradebook server), and
# chromium with its driver (tests/test_browser.py drives JupyterLab, formgrader and the report in a real browser).
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]} from Debian's packages"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
      echo "setup: WARNING could not install ${missing[*]} with apt-get; without bubblewrap tfgrade refuses to" >&2
      echo "setup:         grade (unless given --no-sandbox, for trusted code only)." >&2
    fi
  else
    echo "setup: WARNING ${missing[*]} not installed and this user cannot install it." >&2
    echo "setup:         Ask an administrator for: apt-get install ${missing[*]}" >&2
    echo "setup:         Without bubblewrap, tfgrade refuses to run submissions unless given --no-sandbox." >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip  # the bundled pip 23.2 crashes resolving this stack
.venv/bin/python -m pip install --quiet -r requirements/lock.txt
.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
# jsonschema imports rfc3987-syntax (an optional checker of the rarely used "iri" format, pulled in by jupyter-events'
# jsonschema[format-nongpl]) whenever it is present, and that import compiles a grammar: 2-4 s in every process that
# imports nbformat (each tfgrade and nbgrader command, every kernel that runs `import otter`). Without it jsonschema
# leaves that one format unchecked.
.venv/bin/python -m pip uninstall --quiet --yes rfc3987-syntax
chmod -R a+rX .venv graders
chmod a+r hidden_tests/*/probes.py  # the one file of hidden_tests/ a sandbox mounts
echo "setup: ready (.venv/bin/tfgrade)"
