#!/usr/bin/env bash
# Stop the throwaway PostgreSQL and MariaDB servers started by scripts/db-up.sh and delete
# their data. Safe to run when nothing is running. KEYPAGE_DB_KEEP=1 keeps the state
# directory (logs) after stopping.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=db-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/db-common.sh"

QUIET=0
[ "${1:-}" = "--quiet" ] && QUIET=1
say() { [ "$QUIET" = 1 ] || kp_log "$@"; }

# Wait up to $2 seconds for pid $1 to exit.
wait_gone() {
    local pid="$1" n=$(($2 * 10))
    while kill -0 "$pid" 2>/dev/null && [ "$n" -gt 0 ]; do
        sleep 0.1
        n=$((n - 1))
    done
    ! kill -0 "$pid" 2>/dev/null
}

# Server processes ($2 = postgres|mariadbd|mysqld) whose command line names our own data
# directory $1 (never matched by program name alone).
our_pids() {
    local pid comm
    for pid in $(pgrep -f -- "$1" 2>/dev/null || true); do
        comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
        case "$comm" in postgres | mariadbd | mysqld) printf '%s\n' "$pid" ;; esac
    done
}

stop_pg() {
    local data="$KP_DB_DIR/pg/data" pidfile pid
    pidfile="$(kp_pg_pidfile)"
    if kp_pid_alive "$pidfile"; then
        pid="$(head -n1 "$pidfile" | tr -dc '0-9')"
        say "stopping PostgreSQL (pid $pid)"
        local bin
        if bin="$(kp_pg_bin)"; then
            kp_as postgres "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
        else
            kill -INT "$pid" 2>/dev/null || true
        fi
        wait_gone "$pid" 30 || { kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" 5 || true; }
    fi
    for pid in $(our_pids "$data"); do
        say "killing leftover PostgreSQL process $pid"
        kill -KILL "$pid" 2>/dev/null || true
    done
}

stop_mariadb() {
    local data="$KP_DB_DIR/mysql/data" pidfile pid
    pidfile="$(kp_my_pidfile)"
    if kp_pid_alive "$pidfile"; then
        pid="$(head -n1 "$pidfile" | tr -dc '0-9')"
        say "stopping MariaDB (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        wait_gone "$pid" 30 || { kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" 5 || true; }
    fi
    for pid in $(our_pids "--datadir=$data"); do
        say "killing leftover MariaDB process $pid"
        kill -KILL "$pid" 2>/dev/null || true
    done
}

kp_lock
if [ ! -d "$KP_DB_DIR" ]; then
    say "nothing to stop ($KP_DB_DIR does not exist)"
    exit 0
fi
stop_pg
stop_mariadb
if [ "${KEYPAGE_DB_KEEP:-0}" = 1 ]; then
    rm -f "$KP_ENV_FILE"
    say "stopped; state kept in $KP_DB_DIR"
else
    rm -rf "$KP_DB_DIR"
    # The lock file goes too, unless a calling db-up holds it.
    if [ "${KP_DB_LOCK_MINE:-0}" = 1 ]; then rm -f "$KP_DB_DIR.lock"; fi
    say "stopped; $KP_DB_DIR removed"
fi
