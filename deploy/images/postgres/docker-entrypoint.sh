#!/bin/bash
# The postgres stand-in's entry point: upstream's first-start steps (initdb with POSTGRES_USER and
# POSTGRES_PASSWORD, POSTGRES_DB, /docker-entrypoint-initdb.d), then the server in the foreground.
set -euo pipefail
case "${1:-}" in -*) set -- postgres "$@" ;; esac
if [ "${1:-}" != postgres ]; then exec "$@"; fi
shift
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo 'postgres: POSTGRES_PASSWORD is not set: set it (or POSTGRES_HOST_AUTH_METHOD=trust, for tests only)' >&2
    exit 1
  fi
  mkdir -p "$PGDATA" && chmod 0700 "$PGDATA"
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" > "$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as upstream splits it
  initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host="$auth" ${POSTGRES_INITDB_ARGS:-}
  rm -f "$pwfile"
  echo "host all all all $auth" >> "$PGDATA/pg_hba.conf"
  # A server on the socket only while the init scripts run, as upstream does
  pg_ctl --pgdata="$PGDATA" --wait --options="-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" start
  psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --host=/var/run/postgresql --username="$POSTGRES_USER")
  if [ "$POSTGRES_DB" != postgres ]; then
    "${psql[@]}" --dbname=postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) echo "postgres: running $f"; if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
      *.sql) echo "postgres: running $f"; "${psql[@]}" --dbname="$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "postgres: running $f"; gunzip -c "$f" | "${psql[@]}" --dbname="$POSTGRES_DB" ;;
      *) ;;
    esac
  done
  pg_ctl --pgdata="$PGDATA" --wait --mode=fast stop
  echo 'postgres: init process complete; ready for start up'
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql "$@"
