#!/usr/bin/env bash
# The demo, from a fresh machine: a virtualenv with the packages of
# pyproject.toml, then `hotline demo` (SQLite, no Redis, the simulated Asterisk,
# the wallboard). Extra arguments go to `hotline demo` (e.g. ./demo.sh --seats 4).
set -euo pipefail
cd "$(dirname "$0")"
. ./deploy/env.sh

ensure_venv
exec .venv/bin/hotline demo "$@"
