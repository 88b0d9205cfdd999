#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the shared-ledger tests, on 127.0.0.1 only.
#   cluster.sh start DIR   initdb in DIR (a new folder), start it on a free port, create the
#                          password-protected role `tokendeck` (CREATEDB), print its URL.
#   cluster.sh halt DIR    stop it at once (the data stays);  cluster.sh restart DIR: start again.
#   cluster.sh stop DIR    stop it at once and remove DIR.
# As root (CI), the server runs as the `postgres` user (initdb refuses root); otherwise as the
# caller. Uses the newest /usr/lib/postgresql/*/bin (Debian's postgresql package).
set -euo pipefail
cmd=${1:?start|stop|restart}
dir=${2:?folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2; exit 3; }
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    printf '%s\n' "$pw" >"$dir/pw"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/pw"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$dir/pw" -E UTF8 --no-instructions >"$dir/initdb.log" 2>&1
    echo "$port" >"$dir/port"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=300" start >/dev/null
    as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
      -c "CREATE ROLE tokendeck LOGIN CREATEDB PASSWORD '$pw'" >/dev/null
    echo "postgres://tokendeck:$pw@127.0.0.1:$port/postgres"
    ;;
  restart)
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=300" start >/dev/null
    ;;
  halt)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
