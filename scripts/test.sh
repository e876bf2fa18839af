#!/usr/bin/env bash
# The pytest part of `make test`, in three phases:
#
#   1. PostgreSQL, in parallel: every test not marked `serial`, spread over TEST_WORKERS
#      processes (pytest-xdist; default one per CPU), each with its own test database and
#      its own localstripe.
#   2. PostgreSQL, one process: the tests marked `serial` (tests/concurrency/: app servers
#      under a rush of customers, killed workers, a restarted PostgreSQL), alone on the machine.
#   3. SQLite, one process, a database migrated from scratch: the tests marked `sqlite`, what
#      differs between the two databases (see the markers in pyproject.toml).
#
# The database is DATABASE_URL when set (CI style). Without it, the throwaway server of
# scripts/postgres.sh is started here, and stopped again at the end if this script started it.
# Arguments go to every pytest run (`make test PYTEST_ARGS=-x`); a phase that selects no test
# passes. Every phase runs, the summary says how each went and how long it took.
set -uo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

PYTEST=${PYTEST:-.venv/bin/pytest}
# One run for tests/databases.py: with --create-db the template is migrated anew once, not
# once per phase.
export TEST_RUN_ID=${TEST_RUN_ID:-$$-$(date +%s%N)}
WORKERS=${TEST_WORKERS:-$(nproc 2>/dev/null || echo 2)}
POSTGRES_SH=${POSTGRES_SH:-scripts/postgres.sh}

# CPU seconds used by this script's finished children (user + system), from `times` (run in
# this shell, not a subshell, which would have no children): on a busy machine a phase's CPU
# time says more than its wall time.
times_file=$(mktemp)
children_cpu() {
    local user system
    times >"$times_file"
    { read -r _ _; read -r user system; } <"$times_file"
    awk -v u="$user" -v s="$system" 'function sec(t, m) {
        split(t, m, /[ms]/); return m[1] * 60 + m[2] } BEGIN { printf "%d", sec(u) + sec(s) }'
}

started_postgres=0
clean_up() {
    rm -f "$times_file" "$times_file".*
    if ((started_postgres)); then
        bash "$POSTGRES_SH" stop || true
    fi
}
trap clean_up EXIT

if [[ -z ${DATABASE_URL:-} ]]; then
    bash "$POSTGRES_SH" status 2>/dev/null || started_postgres=1
    DATABASE_URL=$(bash "$POSTGRES_SH" start) || exit 1
    export DATABASE_URL
fi

# SQLite's template is migrated from scratch (one core, half a minute) while the PostgreSQL
# phases run; the SQLite phase waits for it on the template's lock, then copies it. Detached,
# so that its CPU time is not counted in the phase it happens to end in.
PYTHON=$(dirname "$PYTEST")/python
mkdir -p var
(env -u DATABASE_URL "$PYTHON" -m tests.databases --create-db >var/test-sqlite-template.log 2>&1 &)

summary=()
failed=0
phase() {
    local name=$1 start cpu rc
    shift
    printf '\n==> %s\n' "$name"
    start=$SECONDS
    children_cpu >"$times_file.before"
    "$@"
    rc=$?
    ((rc == 5)) && rc=0 # no test selected (e.g. PYTEST_ARGS named one file)
    ((rc)) && failed=1
    children_cpu >"$times_file.after"
    summary+=("$(printf '%-30s %5ds  %5ds CPU  %s' "$name" $((SECONDS - start)) \
        $(($(<"$times_file.after") - $(<"$times_file.before"))) \
        "$([[ $rc == 0 ]] && echo ok || echo "FAILED ($rc)")")")
}

# Whole files to a worker: rows a module builds once (tests/databases.py) are built once.
phase "PostgreSQL, $WORKERS workers" \
    "$PYTEST" -m "not serial" -n "$WORKERS" --dist loadfile "$@"
phase "PostgreSQL, serial" \
    "$PYTEST" -m serial "$@"
phase "SQLite subset" \
    env -u DATABASE_URL "$PYTEST" -m sqlite --create-db "$@"

printf '\n==> summary\n'
printf '%s\n' "${summary[@]}"
# The background step's own line, e.g. "SQLite template: 31s CPU".
tail -n 1 var/test-sqlite-template.log 2>/dev/null
exit "$failed"
