#!/usr/bin/env bash
# The whole suite: static checks, then every test on SQLite, then every test on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PYTEST_ARGS=${PYTEST_ARGS:--n 2}  # both cores; the suite is independent per test

echo "== static checks"
$BIN/ruff check src tests bench
$BIN/ruff format --check src tests bench
$BIN/mypy
$BIN/lint-imports

scripts/ensure-system-deps.sh

echo "== tests on SQLite"
$BIN/pytest $PYTEST_ARGS

echo "== tests on PostgreSQL"
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  pgdir=$(mktemp -d /tmp/cxloop-pg.XXXXXX)
  trap 'scripts/pg-cluster.sh stop "$pgdir"' EXIT
  url=$(scripts/pg-cluster.sh start "$pgdir")
  CXLOOP_TEST_DATABASE_URL="$url" $BIN/pytest $PYTEST_ARGS
else
  if [ "${CI:-}" = "true" ]; then echo "PostgreSQL is required in CI" >&2; exit 1; fi
  echo "SKIPPED: PostgreSQL is not installed here (apt-get install postgresql); the PostgreSQL lane did not run"
fi
