#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (choose the Ubuntu 22.04 base image).
# It installs Python 3.11 and bubblewrap from the distribution and the pinned stack from requirements/lock.txt.
set -euo pipefail
cd /autograder/source
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv bubblewrap >/dev/null
python3.11 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip  # the bundled pip 23.2 crashes resolving this stack
.venv/bin/python -m pip install --quiet -r requirements/lock.txt
.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
chmod -R a+rX .venv graders
chmod a+r hidden_tests/*/probes.py 2>/dev/null || true  # the one file of hidden_tests/ a sandbox mounts
echo "setup: ready"
