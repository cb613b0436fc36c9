#!/usr/bin/env bash
# The project's test command (README, Makefile and CI all call this). pytest's exit 5 (nothing collected) is a failure
# here too: a suite that runs no test proves nothing.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
status=$?
if [ "$status" = 5 ]; then
  echo "test: pytest collected no tests" >&2
fi
exit "$status"
