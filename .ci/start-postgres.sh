#!/usr/bin/env bash
# Provide a PostgreSQL server on 127.0.0.1 for the store tests and export
# KNEETRACK_TEST_PG_URL. Meant to be sourced by the test script (it can also be
# executed; then it only prints the URL). Needs the Debian `postgresql` package
# (listed in .ci/apt-packages.txt).
#
# Order of attempts:
#   1. a server already on 127.0.0.1:$KNEETRACK_PG_PORT (default 5432) where the
#      test role works, or where we can create it as the `postgres` OS user
#      through a local socket (Debian's own cluster, or ours from a previous run);
#   2. otherwise a throw-away server of our own from $KNEETRACK_PG_DIR
#      (default /tmp/kneetrack-pg), run as the `postgres` user, on the first
#      free port from $KNEETRACK_PG_PORT on.
#
#   source .ci/start-postgres.sh        # -> export KNEETRACK_TEST_PG_URL=...
#   bash .ci/start-postgres.sh stop     # stop our own server again
#
# When this call started the server itself (case 2), it also exports
# KNEETRACK_PG_STARTED=1, so that the caller knows to stop it when done
# (scripts/test.sh does); a server that was already running is left alone.

_kt_pg_main() {
    local port="${KNEETRACK_PG_PORT:-5432}"
    local dir="${KNEETRACK_PG_DIR:-/tmp/kneetrack-pg}"
    local bindir
    bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
        echo "start-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
        return 1
    fi
    local -a as_pg=()
    if [ "$(id -u)" = "0" ]; then
        as_pg=(runuser -u postgres --)
    fi
    if [ "${1:-}" = "stop" ]; then
        "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast stop || true
        return 0
    fi

    _kt_pg_works() {  # the test role can log in on 127.0.0.1:$1
        PGPASSWORD=kneetrack PGCONNECT_TIMEOUT=5 "$bindir/psql" -qtA -h 127.0.0.1 -p "$1" \
            -U kneetrack -d kneetrack_test -c "SELECT 1" >/dev/null 2>&1
    }
    _kt_pg_admin() {  # run SQL as the postgres superuser through socket dir $1, port $2
        "${as_pg[@]}" "$bindir/psql" -v ON_ERROR_STOP=1 -qtA -h "$1" -p "$2" -U postgres \
            -d postgres -c "$3"
    }
    _kt_pg_setup() {  # create the test role and database through socket dir $1, port $2
        local have
        have="$(_kt_pg_admin "$1" "$2" "SELECT 1 FROM pg_roles WHERE rolname='kneetrack'")" || return 1
        if [ "$have" != "1" ]; then
            _kt_pg_admin "$1" "$2" "CREATE ROLE kneetrack LOGIN PASSWORD 'kneetrack' CREATEDB" \
                || return 1
        fi
        have="$(_kt_pg_admin "$1" "$2" "SELECT 1 FROM pg_database WHERE datname='kneetrack_test'")" \
            || return 1
        if [ "$have" != "1" ]; then
            _kt_pg_admin "$1" "$2" "CREATE DATABASE kneetrack_test OWNER kneetrack" || return 1
        fi
    }

    local found=""
    local p
    unset KNEETRACK_PG_STARTED
    for p in "$port" $((port + 1)) $((port + 2)); do
        if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$p" 2>/dev/null; then
            continue
        fi
        if _kt_pg_works "$p"; then found="$p"; break; fi
        local sock
        for sock in "$dir" /var/run/postgresql; do
            if [ -S "$sock/.s.PGSQL.$p" ] && _kt_pg_setup "$sock" "$p" 2>/dev/null \
                && _kt_pg_works "$p"; then
                found="$p"
                break 2
            fi
        done
    done

    if [ -z "$found" ]; then
        # Our own server, on the first port nobody listens on.
        for p in "$port" $((port + 1)) $((port + 2)); do
            if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$p" 2>/dev/null; then found="$p"; break; fi
        done
        if [ -z "$found" ]; then
            echo "start-postgres: ports $port-$((port + 2)) are taken by servers we cannot use" >&2
            return 1
        fi
        mkdir -p "$dir"
        if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir"; fi
        if [ ! -f "$dir/data/PG_VERSION" ]; then
            "${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale \
                >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
        fi
        "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
        "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $found -k $dir -c fsync=off" start >/dev/null \
            || { tail -n 20 "$dir/server.log" >&2; return 1; }
        export KNEETRACK_PG_STARTED=1
        _kt_pg_setup "$dir" "$found" || return 1
        _kt_pg_works "$found" || { echo "start-postgres: cannot log in as kneetrack" >&2; return 1; }
    fi
    export KNEETRACK_TEST_PG_URL="postgresql+psycopg://kneetrack:kneetrack@127.0.0.1:${found}/kneetrack_test"
    echo "KNEETRACK_TEST_PG_URL=$KNEETRACK_TEST_PG_URL"
}

_kt_pg_main "$@"
_kt_pg_rc=$?
unset -f _kt_pg_main _kt_pg_works _kt_pg_admin _kt_pg_setup 2>/dev/null
# shellcheck disable=SC2317
return "$_kt_pg_rc" 2>/dev/null || exit "$_kt_pg_rc"
