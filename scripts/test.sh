#!/usr/bin/env bash
# Run the test suite twice: on SQLite, then on a throwaway PostgreSQL cluster
# (scripts/pg-throwaway.sh). Both runs happen even if the first fails; the exit
# status is non-zero if either failed.
#
#   scripts/test.sh [PYTEST ARGS...]    more args from $PYTEST_ARGS (split on spaces)
#
# CI=true: a missing chromium or PostgreSQL is an error instead of a skip.
# Expects scripts/bootstrap.sh --dev to have run (make test does that).
set -euo pipefail
cd "$(dirname "$0")/.."

ci=false
case ${CI:-} in true | 1 | yes) ci=true ;; esac

die() {
    echo "test.sh: $*" >&2
    exit 1
}
skipped=()
skip() {
    echo "*** SKIPPING $* ***" >&2
    skipped+=("$*")
}

# Without this, pytest's own KeyboardInterrupt handling would let the script go
# on to the next run after Ctrl-C.
trap 'echo "test.sh: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

# One temp dir per run, removed at the end: catches whatever the tests, the
# browser and settings_test's VAR_DIR leave in $TMPDIR. 711 so the `postgres`
# user (pg-throwaway.sh as root) can reach its own folder inside.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/skinchart-test-run.XXXXXX")
chmod 711 "$run_tmp"
trap 'rm -rf "$run_tmp"' EXIT
export TMPDIR=$run_tmp

[[ -x .venv/bin/pytest ]] || die ".venv/bin/pytest missing; run scripts/bootstrap.sh --dev"

# Playwright's sync API keeps an event loop running in the test thread, and
# Django refuses ORM calls from such a thread unless told it is fine.
export DJANGO_ALLOW_ASYNC_UNSAFE=true
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $CHROMIUM ]]; then
    $ci && die "chromium not found at $CHROMIUM (apt-get install chromium, or set CHROMIUM)"
    skip "browser tests: no chromium at $CHROMIUM"
    export SKINCHART_SKIP_BROWSER=1
fi

pg=true
if ! scripts/pg-throwaway.sh --bindir >/dev/null; then
    $ci && die "PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BINDIR)"
    skip "PostgreSQL run: no server binaries found (apt-get install postgresql)"
    pg=false
fi

read -r -a extra <<<"${PYTEST_ARGS:-}"
# no:cacheprovider: no .pytest_cache in the tree (and none shared between runs).
pytest=(.venv/bin/pytest -n 2 -p no:cacheprovider "${extra[@]}" "$@")

failed=()

echo "=== pytest on SQLite ===" >&2
env -u DATABASE_URL "${pytest[@]}" || failed+=(SQLite)

if $pg; then
    echo "=== pytest on PostgreSQL ===" >&2
    scripts/pg-throwaway.sh "${pytest[@]}" || failed+=(PostgreSQL)
fi

# Repeat the skips at the end, where they are seen.
for s in "${skipped[@]}"; do
    echo "*** SKIPPED $s ***" >&2
done
if [[ ${#failed[@]} -gt 0 ]]; then
    printf 'test.sh: FAILED on %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "test.sh: all test runs passed" >&2
