#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for tests and benchmarks.
#   .ci/pg-cluster.sh start DIR PORT [DATABASE...]   (initdb if needed, start, create databases)
#   .ci/pg-cluster.sh stop DIR
# initdb and pg_ctl refuse to run as root, so as root they run as the postgres user.
# PG_SHARED_BUFFERS sets shared_buffers (256MB unless given; the benchmarks give more).
set -euo pipefail
action=${1:?start or stop}
dir=${2:?data directory}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/pg_ctl" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    port=${3:?port}
    shift 3
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    fi
    # fsync off: the cluster is thrown away after the run.
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=${PG_SHARED_BUFFERS:-256MB} -c maintenance_work_mem=512MB" start >/dev/null
    for db in "$@"; do
      as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db" 2>/dev/null || true
    done
    echo "PostgreSQL listening on 127.0.0.1:$port (data in $dir)"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    ;;
  *) echo "usage: $0 start DIR PORT [DB...] | stop DIR" >&2; exit 2 ;;
esac
