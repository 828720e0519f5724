#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster and a throwaway MariaDB server for keypage's tests.
#
#   eval "$(bash scripts/db-up.sh)"     # exports KEYPAGE_PG_URL, KEYPAGE_PG_EN_URL, KEYPAGE_MYSQL_URL
#   bash scripts/db-down.sh             # stops both and deletes their data
#
# Both listen on 127.0.0.1 on a free port and on a private unix socket under the state
# directory (see scripts/db-common.sh); neither touches the system's own database services.
# PostgreSQL: initdb --locale=C --encoding=UTF8 (text sorts by bytes, as Rust's String does),
# fsync off. MariaDB: utf8mb4 with the utf8mb4_nopad_bin collation (text compares by bytes;
# utf8mb4_bin is PAD SPACE, where 'a' = 'a ' and 'a\t' < 'a', unlike Rust).
# Database `keypage`, user `keypage`, password `keypage` on both; the user may create
# databases/schemas (the tests make one per test). PostgreSQL also gets database `keypage_en`
# (KEYPAGE_PG_EN_URL), made with LOCALE 'en_US.UTF-8': its text sorts linguistically, as on
# clusters made on an en_US machine. That needs the OS locale before the server starts (a
# running server does not see a locale archive generated after it started); when root, this
# script generates it (apt-get install locales, /etc/locale.gen, locale-gen). Without it the
# database is left out with a warning, and the tests on it are skipped (failed under CI).
#
# stdout carries only the `export ...` lines (also written to "$KP_ENV_FILE"); progress
# goes to stderr. Safe to re-run: if both servers are already up and answering, it only
# prints the exports again; if one is half up, both are restarted from scratch.
# Missing server packages (postgresql, mariadb-server, locales) are installed with apt when root.
#
# Options/env: --pg-only / --mysql-only; KEYPAGE_DB_DIR (state dir); KEYPAGE_DB_WAIT (seconds
# to wait for each server to accept connections, default 60); KEYPAGE_DB_NO_INSTALL=1.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=db-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/db-common.sh"

WANT_PG=1
WANT_MY=1
for arg in "$@"; do
    case "$arg" in
        --pg-only) WANT_MY=0 ;;
        --mysql-only) WANT_PG=0 ;;
        -h | --help) sed -n '2,26p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) kp_die "unknown argument: $arg" ;;
    esac
done

WAIT="${KEYPAGE_DB_WAIT:-60}"

# ---------------------------------------------------------------- packages

install_missing() {
    local pkgs=()
    if [ "$WANT_PG" = 1 ] && ! kp_have_pg; then pkgs+=(postgresql); fi
    if [ "$WANT_MY" = 1 ] && ! kp_have_mariadb; then pkgs+=(mariadb-server mariadb-client); fi
    [ "${#pkgs[@]}" -eq 0 ] && return 0
    if [ "${KEYPAGE_DB_NO_INSTALL:-0}" = 1 ]; then
        kp_die "missing ${pkgs[*]} and KEYPAGE_DB_NO_INSTALL=1"
    fi
    if ! kp_is_root || ! command -v apt-get >/dev/null 2>&1; then
        kp_die "missing ${pkgs[*]}: install them (Debian: apt-get install ${pkgs[*]}) or set KEYPAGE_PG_URL / KEYPAGE_MYSQL_URL yourself"
    fi
    apt_install "${pkgs[@]}" || exit 1
}

apt_install() { # apt_install PKG...  (as root; returns non-zero on failure, after the log's tail)
    local pkgs=("$@")
    kp_log "installing ${pkgs[*]} with apt"
    # Keep the packages' maintainer scripts from starting the system services: we run our own.
    local made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    local rc=0
    {
        DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
    } >"${TMPDIR:-/tmp}/keypage-apt.log" 2>&1 || rc=$?
    if [ "$made_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
    if [ "$rc" -ne 0 ]; then
        tail -n 30 "${TMPDIR:-/tmp}/keypage-apt.log" >&2
        kp_log "ERROR: apt-get install ${pkgs[*]} failed (log: ${TMPDIR:-/tmp}/keypage-apt.log)"
        return 1
    fi
    # The package may have started a system instance despite policy-rc.d on some setups; ours
    # do not depend on it, and it is left alone.
}

# ---------------------------------------------------------------- the en_US.UTF-8 locale

en_warn() {
    kp_log "WARNING: $* -- database $KP_DB_EN_NAME (locale $KP_EN_LOCALE) is not created and"
    kp_log "WARNING: KEYPAGE_PG_EN_URL not exported: tests/sql_collations.rs skips its $KP_EN_LOCALE tests (CI fails them)"
}

# Makes sure the OS has the en_US.UTF-8 locale, generating it when root; returns non-zero
# (after a warning) when it cannot. Runs before PostgreSQL starts: glibc reads the locale
# archive once per process, so a server started before the locale existed refuses
# `LOCALE 'en_US.UTF-8'` until it is restarted.
ensure_en_locale() {
    kp_have_en_locale && return 0
    if [ "${KEYPAGE_DB_NO_INSTALL:-0}" = 1 ]; then
        en_warn "the OS has no $KP_EN_LOCALE locale and KEYPAGE_DB_NO_INSTALL=1"
        return 1
    fi
    if ! kp_is_root; then
        en_warn "the OS has no $KP_EN_LOCALE locale (as root: apt-get install locales, enable '$KP_EN_LOCALE UTF-8' in /etc/locale.gen, run locale-gen)"
        return 1
    fi
    if ! command -v locale-gen >/dev/null 2>&1; then
        if ! command -v apt-get >/dev/null 2>&1; then
            en_warn "the OS has no $KP_EN_LOCALE locale, no locale-gen and no apt-get"
            return 1
        fi
        apt_install locales || { en_warn "apt-get install locales failed"; return 1; }
    fi
    local line="$KP_EN_LOCALE UTF-8" esc
    esc="${line//./\\.}"
    if grep -qE "^[# ]*${esc}\$" /etc/locale.gen 2>/dev/null; then
        sed -i -E "s/^[# ]*(${esc})\$/\1/" /etc/locale.gen
    else
        printf '%s\n' "$line" >>/etc/locale.gen
    fi
    kp_log "generating the $KP_EN_LOCALE locale (locale-gen)"
    if ! locale-gen >"${TMPDIR:-/tmp}/keypage-locale-gen.log" 2>&1; then
        tail -n 20 "${TMPDIR:-/tmp}/keypage-locale-gen.log" >&2
        en_warn "locale-gen failed"
        return 1
    fi
    kp_have_en_locale || { en_warn "locale-gen did not make $KP_EN_LOCALE"; return 1; }
}

# ---------------------------------------------------------------- helpers

free_port() {
    local p
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            printf '%s\n' "$p"
            return
        fi
    done
    kp_die "no free port found"
}

pg_query() { # pg_query SQL  (as superuser over the private socket)
    kp_as postgres "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$KP_DB_DIR/pg/sock" -p "$PG_PORT" \
        -U postgres -d "${2:-postgres}" -tAc "$1"
}

my_query() { # my_query SQL  (as root over the private socket)
    mariadb --no-defaults --protocol=socket --socket="$KP_DB_DIR/mysql/sock/mysqld.sock" \
        -uroot -N -B -e "$1"
}

pg_ok() { # the keypage user can log in over TCP and run a query
    PGPASSWORD="$KP_DB_PASSWORD" PGCONNECT_TIMEOUT=5 "$PGBIN/psql" -X -q \
        "host=127.0.0.1 port=$PG_PORT user=$KP_DB_USER dbname=$KP_DB_NAME sslmode=disable" \
        -tAc 'SELECT 1' 2>/dev/null | grep -qx 1
}

my_ok() {
    mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$MY_PORT" --connect-timeout=5 \
        -u"$KP_DB_USER" -p"$KP_DB_PASSWORD" "$KP_DB_NAME" -N -B -e 'SELECT 1' 2>/dev/null | grep -qx 1
}

read_env_ports() {
    PG_PORT=""
    MY_PORT=""
    [ -f "$KP_ENV_FILE" ] || return 0
    PG_PORT="$(sed -n 's/^export KEYPAGE_PG_URL=.*@127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$KP_ENV_FILE")"
    MY_PORT="$(sed -n 's/^export KEYPAGE_MYSQL_URL=.*@127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$KP_ENV_FILE")"
}

# ---------------------------------------------------------------- PostgreSQL

start_pg() {
    local d="$KP_DB_DIR/pg"
    rm -rf "$d"
    mkdir -p "$d/data" "$d/sock"
    chmod 700 "$d/data"
    printf '%s\n' "$KP_DB_PASSWORD" >"$d/pwfile"
    if kp_is_root; then chown -R postgres: "$d"; fi

    kp_log "PostgreSQL: initdb in $d/data ($("$PGBIN/postgres" --version))"
    if ! kp_as postgres "$PGBIN/initdb" -D "$d/data" -U postgres --pwfile="$d/pwfile" \
        --locale=C --encoding=UTF8 --auth-local=trust --auth-host=scram-sha-256 \
        --no-sync >"$d/initdb.log" 2>&1; then
        cat "$d/initdb.log" >&2
        kp_die "PostgreSQL initdb failed"
    fi
    PG_PORT="$(free_port)"
    cat >>"$d/data/postgresql.conf" <<EOF

# ---- keypage throwaway test cluster
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$d/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 256MB
log_min_messages = warning
EOF
    kp_log "PostgreSQL: starting on 127.0.0.1:$PG_PORT"
    if ! kp_as postgres "$PGBIN/pg_ctl" -D "$d/data" -l "$d/postgres.log" -w -t "$WAIT" start 9>&- \
        >"$d/pg_ctl.log" 2>&1; then
        cat "$d/pg_ctl.log" >&2
        tail -n 30 "$d/postgres.log" >&2 || true
        kp_die "PostgreSQL did not start within ${WAIT}s (log: $d/postgres.log)"
    fi
    pg_query "CREATE ROLE $KP_DB_USER LOGIN PASSWORD '$KP_DB_PASSWORD' CREATEDB" >/dev/null
    pg_query "CREATE DATABASE $KP_DB_NAME OWNER $KP_DB_USER" >/dev/null
    PG_EN=0
    if [ "$EN_LOCALE_OK" = 1 ]; then
        if pg_query "CREATE DATABASE $KP_DB_EN_NAME OWNER $KP_DB_USER TEMPLATE template0 \
            LOCALE '$KP_EN_LOCALE' ENCODING 'UTF8'" >/dev/null 2>"$d/create-en.log"; then
            PG_EN=1
        else
            cat "$d/create-en.log" >&2
            en_warn "PostgreSQL refused LOCALE '$KP_EN_LOCALE'"
        fi
    fi
    local deadline=$((SECONDS + WAIT))
    until pg_ok; do
        [ "$SECONDS" -lt "$deadline" ] || kp_die "PostgreSQL does not accept TCP logins on 127.0.0.1:$PG_PORT (log: $d/postgres.log)"
        sleep 0.2
    done
    kp_log "PostgreSQL: ready ($(pg_query 'SHOW server_version'), lc_collate $(pg_query 'SHOW lc_collate' "$KP_DB_NAME"))"
    if [ "$PG_EN" = 1 ]; then
        kp_log "PostgreSQL: database $KP_DB_EN_NAME, lc_collate $(pg_query 'SHOW lc_collate' "$KP_DB_EN_NAME")"
    fi
}

# ---------------------------------------------------------------- MariaDB

start_mariadb() {
    local d="$KP_DB_DIR/mysql" run_user
    rm -rf "$d"
    mkdir -p "$d/data" "$d/sock" "$d/tmp"
    if kp_is_root; then
        if id mysql >/dev/null 2>&1; then run_user=mysql; else run_user=root; fi
        chown -R "$run_user": "$d"
    else
        run_user="$(id -un)"
    fi
    local user_opt=()
    if kp_is_root; then user_opt=(--user="$run_user"); fi

    kp_log "MariaDB: mariadb-install-db in $d/data ($("$MYSQLD" --version | sed 's/^.*Ver //'))"
    if ! mariadb-install-db --no-defaults --datadir="$d/data" "${user_opt[@]}" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
        >"$d/install-db.log" 2>&1; then
        cat "$d/install-db.log" >&2
        kp_die "mariadb-install-db failed"
    fi
    MY_PORT="$(free_port)"
    while [ "$MY_PORT" = "${PG_PORT:-}" ]; do MY_PORT="$(free_port)"; done
    kp_log "MariaDB: starting on 127.0.0.1:$MY_PORT"
    # setsid + every fd redirected: the server must not hold the caller's terminal or pipes.
    setsid "$MYSQLD" --no-defaults --datadir="$d/data" "${user_opt[@]}" \
        --socket="$d/sock/mysqld.sock" --port="$MY_PORT" --bind-address=127.0.0.1 \
        --pid-file="$d/mariadbd.pid" --log-error="$d/mariadbd.log" --tmpdir="$d/tmp" \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_nopad_bin \
        --skip-character-set-client-handshake --skip-name-resolve --skip-log-bin --max-connections=500 \
        --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=0 \
        --innodb-doublewrite=0 --innodb-flush-method=nosync \
        </dev/null >"$d/mariadbd.out" 2>&1 9>&- &
    local launcher=$!
    local deadline=$((SECONDS + WAIT))
    until mariadb-admin --no-defaults --protocol=socket --socket="$d/sock/mysqld.sock" \
        -uroot --connect-timeout=2 ping >/dev/null 2>&1; do
        if ! kill -0 "$launcher" 2>/dev/null && ! kp_pid_alive "$d/mariadbd.pid"; then
            tail -n 30 "$d/mariadbd.log" "$d/mariadbd.out" >&2 || true
            kp_die "MariaDB exited during startup (log: $d/mariadbd.log)"
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            tail -n 30 "$d/mariadbd.log" >&2 || true
            kp_die "MariaDB did not accept connections within ${WAIT}s (log: $d/mariadbd.log)"
        fi
        sleep 0.2
    done
    my_query "CREATE DATABASE $KP_DB_NAME CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
        CREATE USER '$KP_DB_USER'@'%' IDENTIFIED BY '$KP_DB_PASSWORD';
        GRANT ALL PRIVILEGES ON *.* TO '$KP_DB_USER'@'%';
        FLUSH PRIVILEGES;"
    deadline=$((SECONDS + WAIT))
    until my_ok; do
        [ "$SECONDS" -lt "$deadline" ] || kp_die "MariaDB does not accept TCP logins on 127.0.0.1:$MY_PORT (log: $d/mariadbd.log)"
        sleep 0.2
    done
    kp_log "MariaDB: ready ($(my_query 'SELECT VERSION()'), collation $(my_query "SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='$KP_DB_NAME'"))"
}

# ---------------------------------------------------------------- main

kp_lock
install_missing
if [ "$WANT_PG" = 1 ]; then PGBIN="$(kp_pg_bin)" || kp_die "PostgreSQL binaries not found"; fi
if [ "$WANT_MY" = 1 ]; then MYSQLD="$(kp_mariadbd)" || kp_die "mariadbd not found"; fi

mkdir -p "$KP_DB_DIR"
chmod 755 "$KP_DB_DIR"

# Already up? Then only repeat the exports.
read_env_ports
pg_up=0
my_up=0
if [ "$WANT_PG" = 1 ] && [ -n "$PG_PORT" ] && kp_pid_alive "$(kp_pg_pidfile)" && pg_ok; then pg_up=1; fi
if [ "$WANT_MY" = 1 ] && [ -n "$MY_PORT" ] && kp_pid_alive "$(kp_my_pidfile)" && my_ok; then my_up=1; fi
if [ "$pg_up" = "$WANT_PG" ] && [ "$my_up" = "$WANT_MY" ] && [ -f "$KP_ENV_FILE" ]; then
    kp_log "already running (state in $KP_DB_DIR)"
    grep '^export ' "$KP_ENV_FILE"
    exit 0
fi

# Anything half up from an earlier run is stopped and wiped first.
bash "$(dirname "${BASH_SOURCE[0]}")/db-down.sh" --quiet

start_ok=0
cleanup_on_failure() {
    if [ "$start_ok" = 0 ]; then
        kp_log "startup failed; stopping what was started"
        KEYPAGE_DB_KEEP=1 bash "$(dirname "${BASH_SOURCE[0]}")/db-down.sh" --quiet || true
    fi
}
trap cleanup_on_failure EXIT

mkdir -p "$KP_DB_DIR"
chmod 755 "$KP_DB_DIR"
started=$SECONDS
PG_PORT=""
MY_PORT=""
PG_EN=0
EN_LOCALE_OK=0
if [ "$WANT_PG" = 1 ]; then
    if ensure_en_locale; then EN_LOCALE_OK=1; fi
    start_pg
fi
if [ "$WANT_MY" = 1 ]; then start_mariadb; fi

{
    if [ "$WANT_PG" = 1 ]; then
        printf "export KEYPAGE_PG_URL='postgres://%s:%s@127.0.0.1:%s/%s?sslmode=disable'\n" \
            "$KP_DB_USER" "$KP_DB_PASSWORD" "$PG_PORT" "$KP_DB_NAME"
    fi
    if [ "$PG_EN" = 1 ]; then
        printf "export KEYPAGE_PG_EN_URL='postgres://%s:%s@127.0.0.1:%s/%s?sslmode=disable'\n" \
            "$KP_DB_USER" "$KP_DB_PASSWORD" "$PG_PORT" "$KP_DB_EN_NAME"
    fi
    if [ "$WANT_MY" = 1 ]; then
        printf "export KEYPAGE_MYSQL_URL='mysql://%s:%s@127.0.0.1:%s/%s?ssl-mode=disabled'\n" \
            "$KP_DB_USER" "$KP_DB_PASSWORD" "$MY_PORT" "$KP_DB_NAME"
    fi
} >"$KP_ENV_FILE.tmp"
mv "$KP_ENV_FILE.tmp" "$KP_ENV_FILE"
start_ok=1
kp_log "up in $((SECONDS - started))s; exports in $KP_ENV_FILE; stop with scripts/db-down.sh"
cat "$KP_ENV_FILE"
