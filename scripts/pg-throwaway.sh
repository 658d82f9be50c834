#!/usr/bin/env bash
# Run a command against a private, throwaway PostgreSQL cluster.
#
#   scripts/pg-throwaway.sh COMMAND [ARGS...]   run COMMAND with DATABASE_URL set
#   scripts/pg-throwaway.sh                     same, with an interactive $SHELL
#   scripts/pg-throwaway.sh --bindir            print the server bin dir (exit 1 if none)
#
# The cluster lives in a mktemp -d folder, listens on 127.0.0.1 only (free port)
# and on a unix socket inside that folder, and has a role/database `skinchart`
# (role may CREATEDB, so Django can make its test databases). It is stopped and
# the folder removed on exit, also when COMMAND fails or on Ctrl-C.
# Exit status is COMMAND's. PG_BINDIR overrides the server binaries' location.
set -euo pipefail

# Newest server binaries: pg_config's (Debian's wrapper points at the newest
# installed server) or the highest /usr/lib/postgresql/N/bin.
find_bindir() {
    local d
    if [[ -n ${PG_BINDIR:-} ]]; then
        d=$PG_BINDIR
    elif command -v pg_config >/dev/null && d=$(pg_config --bindir 2>/dev/null) && [[ -x $d/initdb ]]; then
        :
    else
        d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    [[ -x $d/initdb && -x $d/pg_ctl && -x $d/psql ]] || return 1
    printf '%s\n' "$d"
}

if [[ ${1:-} == --bindir ]]; then
    find_bindir
    exit
fi

bindir=$(find_bindir) || {
    echo "pg-throwaway: no PostgreSQL server binaries (initdb, pg_ctl) found;" \
        "install the 'postgresql' package or set PG_BINDIR" >&2
    exit 127
}
[[ $# -gt 0 ]] || set -- "${SHELL:-bash}"

# PostgreSQL refuses to run as root, so root runs the server as `postgres`.
if [[ $EUID -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
    echo "pg-throwaway: running as root but there is no 'postgres' user to run the server" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/skinchart-pg.XXXXXX")
data=$tmp/data
sock=$tmp/sock
started=false

as_pg() {
    if [[ $EUID -eq 0 ]]; then
        # cd: postgres may not be allowed into the caller's working directory.
        (cd "$tmp" && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# shellcheck disable=SC2317  # only reached through the trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if $started || [[ -f $data/postmaster.pid ]]; then
        # Immediate mode: the data is thrown away anyway, no need for a checkpoint.
        if ! as_pg "$bindir/pg_ctl" -D "$data" -m immediate -w -t 20 stop >/dev/null 2>&1 &&
            [[ -f $data/postmaster.pid ]]; then
            kill -KILL "$(head -n 1 "$data/postmaster.pid")" 2>/dev/null || true
        fi
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
# Ctrl-C/TERM: leave through exit so the EXIT trap stops the cluster.
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $EUID -ne 0 ]] || chown postgres "$tmp"
as_pg mkdir -m 700 "$sock"

# C.UTF-8 rather than C, so upper()/lower() (Django's i* lookups) handle æøå.
as_pg "$bindir/initdb" -D "$data" -U postgres -E UTF8 --locale="${PG_LOCALE:-C.UTF-8}" \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$tmp/initdb.log" 2>&1 || {
    cat "$tmp/initdb.log" >&2
    echo "pg-throwaway: initdb failed" >&2
    exit 1
}

# Durability off: a throwaway test cluster only needs to be fast.
cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

free_port() {
    local py=python3
    [[ -x .venv/bin/python ]] && py=.venv/bin/python
    "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The free port can be taken before the server binds it; try a few.
for _ in 1 2 3; do
    port=$(free_port)
    if as_pg "$bindir/pg_ctl" -D "$data" -l "$tmp/server.log" -o "-p $port" -w -t 30 start >/dev/null; then
        started=true
        break
    fi
done
if ! $started; then
    cat "$tmp/server.log" >&2 || true
    echo "pg-throwaway: could not start PostgreSQL" >&2
    exit 1
fi

password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
"$bindir/psql" -X -q -h "$sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE skinchart LOGIN CREATEDB PASSWORD '$password'" \
    -c "CREATE DATABASE skinchart OWNER skinchart"

export DATABASE_URL="postgres://skinchart:$password@127.0.0.1:$port/skinchart"
echo "pg-throwaway: PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port ($tmp)" >&2

rc=0
"$@" || rc=$?
exit "$rc"
