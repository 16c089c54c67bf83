#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the storage tests and print the URL to use.
#   eval "$(bash .ci/postgres.sh start DIR)"   -> exports KARAVAN_TEST_POSTGRES_URL
#   bash .ci/postgres.sh stop DIR
# Installs Debian's postgresql package when no server binaries are present. As root the
# cluster runs as the `postgres` user; otherwise as the current user.
set -euo pipefail
action="${1:?start or stop}"
dir="${2:?directory for the cluster}"

bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$d" ] && command -v pg_ctl >/dev/null; then d="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"; fi
  echo "$d"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
start)
  if [ -z "$(bindir)" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
  fi
  BIN="$(bindir)"
  [ -x "$BIN/initdb" ] || { echo "no PostgreSQL server binaries found" >&2; exit 1; }
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  user="$(if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi)"
  as_owner "$BIN/initdb" -D "$dir/data" -U "$user" -A trust -E UTF8 --no-locale >&2
  as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >&2
  as_owner "$BIN/createdb" -h "$dir" -p "$port" -U "$user" karavan_test >&2
  echo "export KARAVAN_TEST_POSTGRES_URL='postgresql+psycopg://$user@127.0.0.1:$port/karavan_test'"
  ;;
stop)
  BIN="$(bindir)"
  if [ -n "$BIN" ] && [ -d "$dir/data" ]; then as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true; fi
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2; exit 2
  ;;
esac
