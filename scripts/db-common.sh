# shellcheck shell=bash
# Shared settings for scripts/db-up.sh and scripts/db-down.sh. Sourced, not run.
#
# Everything lives under one state directory per checkout (default
# /tmp/keypage-db-<uid>-<hash of the repo path>, override with KEYPAGE_DB_DIR):
#   pg/data pg/sock pg/postgres.log ...    throwaway PostgreSQL cluster (owned by `postgres` when root)
#   mysql/data mysql/sock mysql/tmp ...    throwaway MariaDB server (owned by `mysql` when root)
#   env                                    `export KEYPAGE_PG_URL=...` lines, sourced by .ci/run

KP_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KP_DB_DIR="${KEYPAGE_DB_DIR:-/tmp/keypage-db-$(id -u)-$(printf '%s' "$KP_REPO_ROOT" | cksum | cut -d' ' -f1)}"
# shellcheck disable=SC2034 # used by the scripts that source this file
KP_ENV_FILE="$KP_DB_DIR/env"

# The one password of the throwaway servers (loopback only, deleted by db-down).
# shellcheck disable=SC2034
KP_DB_USER=keypage
# shellcheck disable=SC2034
KP_DB_PASSWORD=keypage
# shellcheck disable=SC2034
KP_DB_NAME=keypage
# A second database on the PostgreSQL server whose default collation is the libc locale
# en_US.UTF-8 (what clusters made on an en_US machine give), for tests/sql_collations.rs.
# shellcheck disable=SC2034
KP_DB_EN_NAME=keypage_en
# shellcheck disable=SC2034
KP_EN_LOCALE=en_US.UTF-8

kp_log() { printf '[keypage-db] %s\n' "$*" >&2; }
kp_die() { printf '[keypage-db] ERROR: %s\n' "$*" >&2; exit 1; }

kp_is_root() { [ "$(id -u)" -eq 0 ]; }

# PostgreSQL binaries: $PG_BIN, else the version-15 directory, else the newest one installed.
kp_pg_bin() {
    if [ -n "${PG_BIN:-}" ]; then printf '%s\n' "$PG_BIN"; return; fi
    if [ -x /usr/lib/postgresql/15/bin/initdb ]; then printf '%s\n' /usr/lib/postgresql/15/bin; return; fi
    local d
    # shellcheck disable=SC2012
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then printf '%s\n' "$d"; return; fi
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
    return 1
}

kp_mariadbd() {
    local b
    for b in mariadbd mysqld; do
        if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return; fi
        if [ -x "/usr/sbin/$b" ]; then printf '%s\n' "/usr/sbin/$b"; return; fi
    done
    return 1
}

kp_have_pg() { kp_pg_bin >/dev/null 2>&1; }
# Does the OS have the en_US.UTF-8 locale (`locale -a` spells it en_US.utf8)? (grep reads all
# of the list, without -q, so that `locale` never dies of SIGPIPE under pipefail.)
kp_have_en_locale() { locale -a 2>/dev/null | grep -iE '^en_US\.utf-?8$' >/dev/null; }
kp_have_mariadb() {
    kp_mariadbd >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1 &&
        command -v mariadb >/dev/null 2>&1
}

# Run a command as the given system user when we are root (PostgreSQL refuses root),
# as ourselves otherwise.
kp_as() {
    local user="$1"; shift
    if kp_is_root; then
        runuser -u "$user" -- "$@"
    else
        "$@"
    fi
}

# Is the process in this pid file alive?
kp_pid_alive() {
    local f="$1" pid
    [ -s "$f" ] || return 1
    pid="$(head -n1 "$f" 2>/dev/null | tr -dc '0-9')"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

kp_pg_pidfile() { printf '%s\n' "$KP_DB_DIR/pg/data/postmaster.pid"; }
kp_my_pidfile() { printf '%s\n' "$KP_DB_DIR/mysql/mariadbd.pid"; }

# Serialize db-up/db-down on one state directory (nested calls inherit the lock).
kp_lock() {
    [ "${KP_DB_LOCKED:-}" = "$KP_DB_DIR" ] && return 0
    command -v flock >/dev/null 2>&1 || return 0
    exec 9>"$KP_DB_DIR.lock"
    flock -w 300 9 || kp_die "another db-up/db-down holds $KP_DB_DIR.lock"
    export KP_DB_LOCKED="$KP_DB_DIR"
    KP_DB_LOCK_MINE=1 # read by db-down.sh
    export KP_DB_LOCK_MINE
}
