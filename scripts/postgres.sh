#!/usr/bin/env bash
# Throwaway PostgreSQL server for tests and local development.
#
#   scripts/postgres.sh start   create the cluster if missing, start it, ensure role and
#                               database `shop`; prints the DATABASE_URL on stdout
#   scripts/postgres.sh stop    stop it
#   scripts/postgres.sh status  is it running?
#
# Environment: PGDATA_DIR (default /tmp/baikal-shop-pg), PGPORT (default 5433, so it never
# collides with a system cluster on 5432). The server listens on 127.0.0.1 only and runs with
# fsync=off: never keep data you care about in it. Log: <PGDATA_DIR>.log, next to the data dir.
# As root, the server runs as the `postgres` system user (PostgreSQL refuses to run as root);
# PostgreSQL itself is installed with apt-get when no /usr/lib/postgresql/*/bin/initdb exists
# (apt-get update is skipped when APT_UPDATED=1, e.g. set by .ci/run).
# Everything but the URL goes to stderr, so `DATABASE_URL=$(scripts/postgres.sh start)` works.
set -euo pipefail

DATA_DIR=${PGDATA_DIR:-/tmp/baikal-shop-pg}
PORT=${PGPORT:-5433}
DB_NAME=shop
DB_USER=shop
DB_PASSWORD=shop
MARKER=.baikal-shop-pg   # file in the data dir: this script made it, so it may be wiped

log() { echo "postgres.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $PORT =~ ^[0-9]+$ ]] || die "PGPORT must be a number, got '$PORT'"
[[ $DATA_DIR == /* ]] || DATA_DIR="$PWD/$DATA_DIR"
DATA_DIR=${DATA_DIR%/}
LOG_FILE="$(dirname "$DATA_DIR")/$(basename "$DATA_DIR").log"
# The socket lives in the data dir (no dependency on /var/run/postgresql); a Unix socket path
# must stay under ~107 bytes, so fall back to a short directory for very long data dir paths.
SOCKET_DIR=$DATA_DIR
if (( ${#SOCKET_DIR} > 80 )); then SOCKET_DIR="/tmp/baikal-shop-pg-sock-$PORT"; fi

# --- who runs the server ---------------------------------------------------------------------
if [[ $(id -u) == 0 ]]; then
    RUN_AS=postgres
else
    RUN_AS=$(id -un)   # a developer's own account works just as well
fi

as_pg() {
    # Run a command as the server's user, from / (postgres may not enter the caller's cwd).
    if [[ $(id -un) == "$RUN_AS" ]]; then
        (cd / && "$@")
    elif command -v runuser >/dev/null; then
        (cd / && runuser -u "$RUN_AS" -- "$@")
    else
        local cmd
        printf -v cmd '%q ' "$@"
        (cd / && su -s /bin/sh "$RUN_AS" -c "$cmd")
    fi
}

find_bindir() {
    # Newest installed major version.
    local initdb
    initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    [[ -n $initdb ]] && dirname "$initdb"
}

install_postgres() {
    [[ $(id -u) == 0 ]] || die "PostgreSQL is not installed; run 'apt-get install postgresql' as root"
    log "PostgreSQL not found, installing it with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if [[ ${APT_UPDATED:-} != 1 ]]; then
        apt-get update -qq >&2
        export APT_UPDATED=1
    fi
    apt-get install -y -qq --no-install-recommends postgresql >&2
}

ensure_user() {
    [[ $RUN_AS == postgres ]] || return 0
    id postgres >/dev/null 2>&1 && return 0
    log "creating system user postgres"
    useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
        --shell /bin/bash postgres
}

pg_ctl_() { as_pg "$BINDIR/pg_ctl" -D "$DATA_DIR" "$@"; }

# The pid in postmaster.pid names a live postgres process: after a reboot it may be reused by
# some other process, and a killed server may linger as a zombie; pg_ctl status would take
# either for a running server.
pid_is_postgres() {
    [[ -n $1 && $(cat "/proc/$1/comm" 2>/dev/null || true) == postgres* ]] &&
        ! grep -q '^State:[[:space:]]*[ZX]' "/proc/$1/status" 2>/dev/null
}

is_running() {
    local pid
    pid=$(head -n 1 "$DATA_DIR/postmaster.pid" 2>/dev/null | tr -dc '0-9' || true)
    pid_is_postgres "$pid" && pg_ctl_ status >/dev/null 2>&1
}

# Port of the running server, from line 4 of postmaster.pid.
running_port() { sed -n 4p "$DATA_DIR/postmaster.pid" 2>/dev/null || true; }

remove_stale_locks() {
    # After a reboot or a killed container the pid in postmaster.pid may belong to some other
    # process, which makes PostgreSQL refuse to start; drop such lock files.
    local f pid
    for f in "$DATA_DIR/postmaster.pid" "$SOCKET_DIR/.s.PGSQL.$PORT.lock"; do
        [[ -f $f ]] || continue
        pid=$(head -n 1 "$f" | tr -dc '0-9')
        if ! pid_is_postgres "$pid"; then
            log "removing stale $(basename "$f")"
            rm -f "$f"
        fi
    done
}

init_cluster() {
    if [[ -f $DATA_DIR/PG_VERSION ]]; then
        local have want
        have=$(cat "$DATA_DIR/PG_VERSION")
        want=$(basename "$(dirname "$BINDIR")")
        [[ $have == "$want" ]] && return 0
        [[ -f $DATA_DIR/$MARKER ]] || die "$DATA_DIR holds a PostgreSQL $have cluster, but the server is $want"
        log "data dir is from PostgreSQL $have, server is $want: recreating the throwaway cluster"
        rm -rf "$DATA_DIR"
    elif [[ -d $DATA_DIR && -n $(ls -A "$DATA_DIR") ]]; then
        [[ -f $DATA_DIR/$MARKER ]] || die "$DATA_DIR exists, is not empty and is no cluster"
        log "removing the half-created cluster in $DATA_DIR"
        rm -rf "$DATA_DIR"
    fi

    log "creating cluster in $DATA_DIR"
    mkdir -p "$DATA_DIR"
    [[ $RUN_AS == "$(id -un)" ]] || chown "$RUN_AS:" "$DATA_DIR"
    chmod 700 "$DATA_DIR"
    as_pg test -w "$DATA_DIR" || die "$DATA_DIR is not writable by user $RUN_AS (check its parents)"
    # C.UTF-8 keeps upper()/lower() (Django's icontains) right for Cyrillic, unlike plain C.
    local locale=(--no-locale)
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then locale=(--locale=C.UTF-8); fi
    as_pg "$BINDIR/initdb" -D "$DATA_DIR" -U "$RUN_AS" -E UTF8 "${locale[@]}" \
        --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    as_pg touch "$DATA_DIR/$MARKER"
}

write_config() {
    # A managed block at the end of postgresql.conf (the last setting wins), rewritten each start.
    local conf=$DATA_DIR/postgresql.conf
    sed -i '/^# >>> baikal-shop/,/^# <<< baikal-shop/d' "$conf"
    cat >>"$conf" <<CONF
# >>> baikal-shop (written by scripts/postgres.sh; throwaway test server)
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCKET_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
# <<< baikal-shop
CONF
}

psql_admin() {
    as_pg "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U "$RUN_AS" \
        -d postgres "$@"
}

ensure_role_and_db() {
    psql_admin >/dev/null <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
        CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
    ELSE
        ALTER ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
    END IF;
END
\$\$;
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER'
    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
}

cmd_start() {
    BINDIR=$(find_bindir) || { install_postgres; BINDIR=$(find_bindir) || die "no initdb after install"; }
    ensure_user

    if is_running; then
        local port
        port=$(running_port)
        if [[ $port != "$PORT" ]]; then
            log "running on port $port instead of $PORT: restarting"
            pg_ctl_ stop -m fast -w >/dev/null
        fi
    fi

    if is_running; then
        log "already running ($DATA_DIR, port $PORT)"
    else
        init_cluster
        remove_stale_locks
        write_config
        if [[ $SOCKET_DIR != "$DATA_DIR" ]]; then
            mkdir -p "$SOCKET_DIR"
            [[ $RUN_AS == "$(id -un)" ]] || chown "$RUN_AS:" "$SOCKET_DIR"
        fi
        touch "$LOG_FILE"
        [[ $RUN_AS == "$(id -un)" ]] || chown "$RUN_AS:" "$LOG_FILE"
        log "starting on 127.0.0.1:$PORT (log: $LOG_FILE)"
        if ! pg_ctl_ start -w -t 60 -l "$LOG_FILE" >/dev/null; then
            tail -n 20 "$LOG_FILE" >&2 || true
            die "the server did not start (port $PORT taken?), see $LOG_FILE"
        fi
    fi

    ensure_role_and_db
    log "role and database '$DB_NAME' ready"
    echo "postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PORT/$DB_NAME"
}

cmd_stop() {
    BINDIR=$(find_bindir) || { log "PostgreSQL is not installed: nothing to stop"; return 0; }
    if [[ -f $DATA_DIR/PG_VERSION ]] && is_running; then
        pg_ctl_ stop -m fast -w -t 60 >/dev/null
        log "stopped"
    else
        log "not running"
    fi
}

cmd_status() {
    BINDIR=$(find_bindir) || { log "PostgreSQL is not installed"; return 3; }
    if [[ -f $DATA_DIR/PG_VERSION ]] && is_running; then
        log "running ($DATA_DIR, port $(running_port))"
    else
        log "not running"
        return 3
    fi
}

case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
