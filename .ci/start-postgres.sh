#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the store tests and
# export KNEETRACK_TEST_PG_URL. Meant to be sourced by .ci/run (it can also be
# executed; then it only prints the URL). Needs the Debian `postgresql` package
# (listed in .ci/apt-packages.txt). Runs the server as the `postgres` user from
# a temporary data directory, so it never touches the distribution's cluster.
#
#   source .ci/start-postgres.sh        # -> export KNEETRACK_TEST_PG_URL=...
#   KNEETRACK_PG_PORT=5433 source ...   # other port
#   bash .ci/start-postgres.sh stop     # stop it again

_kt_pg_main() {
    local port="${KNEETRACK_PG_PORT:-5432}"
    local dir="${KNEETRACK_PG_DIR:-/tmp/kneetrack-pg}"
    local bindir
    bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
        echo "start-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
        return 1
    fi
    local as_pg="su postgres -s /bin/sh -c"
    if [ "$(id -u)" != "0" ]; then
        as_pg="sh -c"   # not root: run as the current user
    fi
    if [ "${1:-}" = "stop" ]; then
        $as_pg "'$bindir/pg_ctl' -D '$dir/data' -m fast stop" || true
        return 0
    fi
    local url="postgresql+psycopg://kneetrack:kneetrack@127.0.0.1:${port}/kneetrack_test"
    if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
        mkdir -p "$dir"
        if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir"; fi
        if [ ! -f "$dir/data/PG_VERSION" ]; then
            $as_pg "'$bindir/initdb' -D '$dir/data' -U postgres -A trust -E UTF8 --no-locale" \
                >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
        fi
        $as_pg "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 \
            -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off\" start" \
            >/dev/null || { cat "$dir/server.log" >&2; return 1; }
    fi
    local psql="$bindir/psql -v ON_ERROR_STOP=1 -q -h 127.0.0.1 -p $port -U postgres -d postgres"
    if ! $psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='kneetrack'" | grep -q 1; then
        $psql -c "CREATE ROLE kneetrack LOGIN PASSWORD 'kneetrack' CREATEDB" || return 1
    fi
    if ! $psql -tAc "SELECT 1 FROM pg_database WHERE datname='kneetrack_test'" | grep -q 1; then
        $psql -c "CREATE DATABASE kneetrack_test OWNER kneetrack" || return 1
    fi
    export KNEETRACK_TEST_PG_URL="$url"
    echo "KNEETRACK_TEST_PG_URL=$url"
}

_kt_pg_main "$@"
_kt_pg_rc=$?
unset -f _kt_pg_main
# shellcheck disable=SC2317
return "$_kt_pg_rc" 2>/dev/null || exit "$_kt_pg_rc"
