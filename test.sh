#!/usr/bin/env bash
# The whole test suite, from a fresh machine: a virtualenv with the packages of
# pyproject.toml, PostgreSQL and Redis started if they are down, then ruff,
# mypy and pytest. Extra arguments go to pytest (e.g. ./test.sh -k replay).
set -euo pipefail
cd "$(dirname "$0")"
. ./deploy/env.sh

ensure_venv dev
ensure_postgres
ensure_redis
ensure_chromium

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
.venv/bin/pytest -q -p no:cacheprovider "$@"
