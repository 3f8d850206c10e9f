#!/bin/bash
# Minimal entrypoint compatible with the official postgres image for what tests use:
#   POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required unless
#   POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_DB (default $POSTGRES_USER),
#   POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD (default scram-sha-256),
#   /docker-entrypoint-initdb.d/*.sql|*.sql.gz|*.sh, and `-c name=value` arguments.
# The cluster is initialised on first start; during initialisation the server only listens on
# its Unix socket, so `pg_isready --host localhost` succeeds only once the final server runs.
set -Eeuo pipefail

if [ "$#" -eq 0 ] || [ "${1:0:1}" = '-' ]; then
    set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
    exec "$@"
fi

PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA

if [ "$(id -u)" = 0 ]; then
    # Started with --user root: fix ownership, then drop privileges.
    install -d -o postgres -g postgres -m 700 "$PGDATA"
    install -d -o postgres -g postgres -m 3777 /var/run/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
: "${POSTGRES_INITDB_ARGS:=}"

log() { printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*" >&2; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
        log 'error: POSTGRES_PASSWORD is not set (set it, or POSTGRES_HOST_AUTH_METHOD=trust)'
        exit 1
    fi
    mkdir -p "$PGDATA"
    chmod 700 "$PGDATA"

    log "initialising cluster in $PGDATA (superuser $POSTGRES_USER, database $POSTGRES_DB)"
    # (A temporary file, not <(...): a process substitution stored in an array is closed
    # before initdb would read it.)
    pwfile=()
    if [ -n "${POSTGRES_PASSWORD:-}" ]; then
        pwtmp=$(mktemp)
        trap 'rm -f "$pwtmp"' EXIT
        printf '%s\n' "$POSTGRES_PASSWORD" >"$pwtmp"
        pwfile=(--pwfile="$pwtmp")
    fi
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, like the official image
    initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" "${pwfile[@]}" \
        --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD" \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync --no-instructions $POSTGRES_INITDB_ARGS
    if [ -n "${pwtmp:-}" ]; then rm -f "$pwtmp"; trap - EXIT; fi

    printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
    printf 'host all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

    # Temporary server on the Unix socket only (no TCP) for the setup SQL. This is a test/dev
    # image: like initdb --no-sync above, initialisation skips fsync (saves seconds per container).
    pg_ctl --pgdata="$PGDATA" --wait --silent -o "-c listen_addresses='' -p 5432 -c fsync=off" start
    psql_init=(psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --dbname postgres)
    if [ "$POSTGRES_DB" != postgres ]; then
        "${psql_init[@]}" --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
    fi
    psql_db=(psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --dbname "$POSTGRES_DB")
    for f in /docker-entrypoint-initdb.d/*; do
        [ -e "$f" ] || continue
        case "$f" in
            *.sh)
                if [ -x "$f" ]; then log "running $f"; "$f"; else log "sourcing $f"; # shellcheck disable=SC1090
                    . "$f"; fi ;;
            *.sql) log "running $f"; "${psql_db[@]}" -f "$f" ;;
            *.sql.gz) log "running $f"; gzip -dc "$f" | "${psql_db[@]}" ;;
            *) log "ignoring $f" ;;
        esac
    done
    pg_ctl --pgdata="$PGDATA" --wait --silent -m fast stop
    log 'initialisation complete; starting PostgreSQL'
fi

exec "$@"
