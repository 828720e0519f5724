#!/usr/bin/env bash
# keypage's test command: the README's and CI's (.ci/run runs exactly this).
#
#   bash scripts/test.sh [extra cargo-nextest arguments]
#
# Runs every test of the workspace with all features under cargo-nextest, then the doctests
# (nextest does not run those). The real-database tests need KEYPAGE_PG_URL and
# KEYPAGE_MYSQL_URL (and KEYPAGE_PG_EN_URL, a PostgreSQL database with the en_US.UTF-8
# locale); when they are not set and the server binaries are on the machine, this
# script starts throwaway servers with scripts/db-up.sh and stops them afterwards. Without
# servers those tests are skipped, and this script says so at the start and at the end.
# Under CI (or KEYPAGE_REQUIRE_DBS=1) missing servers are installed/started or the run fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/db-common.sh
. scripts/db-common.sh

required=0
case "${KEYPAGE_REQUIRE_DBS:-}" in
    1 | true | yes | on) required=1 ;;
    0 | false | no | off) required=0 ;;
    *) case "${CI:-}" in "" | 0 | false | no | off) ;; *) required=1 ;; esac ;;
esac

started_here=0
pg_from_caller=0
[ -z "${KEYPAGE_PG_URL:-}" ] || pg_from_caller=1
stop_dbs() {
    if [ "$started_here" = 1 ]; then bash scripts/db-down.sh || true; fi
}
trap stop_dbs EXIT

if [ -z "${KEYPAGE_PG_URL:-}" ] || [ -z "${KEYPAGE_MYSQL_URL:-}" ]; then
    up_args=()
    if [ "$required" = 0 ]; then
        # Start only what this machine has; never install outside CI.
        if [ -n "${KEYPAGE_PG_URL:-}" ] || ! kp_have_pg; then up_args+=(--mysql-only); fi
        if [ -n "${KEYPAGE_MYSQL_URL:-}" ] || ! kp_have_mariadb; then up_args+=(--pg-only); fi
        export KEYPAGE_DB_NO_INSTALL=1
    fi
    if [ "${#up_args[@]}" -lt 2 ] && [ -f "$KP_ENV_FILE" ]; then
        # Servers started by `scripts/db-up.sh` are reused (and left running).
        :
    elif [ "${#up_args[@]}" -lt 2 ]; then
        # Otherwise this run gets servers of its own, in a private state directory, so that
        # concurrent runs never stop each other's servers.
        KEYPAGE_DB_DIR="$(mktemp -d "${TMPDIR:-/tmp}/keypage-db-run.XXXXXX")"
        export KEYPAGE_DB_DIR
        started_here=1
    fi
    if [ "${#up_args[@]}" -lt 2 ]; then
        env_out="$(mktemp)"
        if bash scripts/db-up.sh "${up_args[@]}" >"$env_out"; then
            # A URL given by the caller wins over the throwaway server's.
            pg_given="${KEYPAGE_PG_URL:-}"
            en_given="${KEYPAGE_PG_EN_URL:-}"
            my_given="${KEYPAGE_MYSQL_URL:-}"
            # shellcheck disable=SC1090
            . "$env_out"
            [ -z "$pg_given" ] || export KEYPAGE_PG_URL="$pg_given"
            [ -z "$my_given" ] || export KEYPAGE_MYSQL_URL="$my_given"
            # The en_US.UTF-8 database belongs with the PostgreSQL server in use: a reused
            # throwaway server's does not go with a caller's KEYPAGE_PG_URL.
            if [ -n "$en_given" ]; then
                export KEYPAGE_PG_EN_URL="$en_given"
            elif [ -n "$pg_given" ]; then
                unset KEYPAGE_PG_EN_URL
            fi
        elif [ "$required" = 1 ]; then
            rm -f "$env_out"
            echo "error: the test databases could not be started (see above)" >&2
            exit 1
        else
            echo "warning: the test databases could not be started (see above)" >&2
        fi
        rm -f "$env_out"
    fi
fi

skipped=()
[ -n "${KEYPAGE_PG_URL:-}" ] || skipped+=("PostgreSQL (set KEYPAGE_PG_URL or run scripts/db-up.sh)")
[ -n "${KEYPAGE_MYSQL_URL:-}" ] || skipped+=("MariaDB/MySQL (set KEYPAGE_MYSQL_URL or run scripts/db-up.sh)")
if [ -n "${KEYPAGE_PG_URL:-}" ] && [ -z "${KEYPAGE_PG_EN_URL:-}" ]; then
    if [ "$pg_from_caller" = 0 ] && [ "$started_here" = 1 ]; then
        # This run's db-up.sh could not make the en_US.UTF-8 database (it said why above).
        skipped+=("PostgreSQL en_US.UTF-8 database (tests/sql_collations.rs; scripts/db-up.sh makes it when run as root)")
    else
        echo "note: KEYPAGE_PG_EN_URL is not set: tests/sql_collations.rs uses database $KP_DB_EN_NAME on KEYPAGE_PG_URL's server, creating it if that server has the $KP_EN_LOCALE locale, and otherwise skips those tests (fails them under CI)" >&2
    fi
fi
banner() {
    local s
    for s in "${skipped[@]}"; do
        printf '\n*** SKIPPED: %s tests ***\n' "$s" >&2
    done
}
if [ "${#skipped[@]}" -gt 0 ]; then
    if [ "$required" = 1 ]; then
        echo "error: real-database tests are required (CI / KEYPAGE_REQUIRE_DBS=1) but: ${skipped[*]}" >&2
        exit 1
    fi
    banner
fi
echo "PostgreSQL: ${KEYPAGE_PG_URL:-none}" | sed 's#://\([^:]*\):[^@]*@#://\1:***@#'
echo "PostgreSQL en_US.UTF-8: ${KEYPAGE_PG_EN_URL:-none}" | sed 's#://\([^:]*\):[^@]*@#://\1:***@#'
echo "MariaDB:    ${KEYPAGE_MYSQL_URL:-none}" | sed 's#://\([^:]*\):[^@]*@#://\1:***@#'

# Both runners' output is also kept to add up one closing line: "tests: N passed, 0 failed".
log="$(mktemp)"
trap 'rm -f "$log"; stop_dbs' EXIT
if [ -t 1 ]; then export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-always}"; fi
cargo nextest run --workspace --all-features "$@" 2>&1 | tee "$log"
cargo test --workspace --all-features --doc 2>&1 | tee -a "$log"

if [ "${#skipped[@]}" -gt 0 ]; then banner; fi
# nextest: "Summary [ 1.2s] 57 tests run: 57 passed, 3 skipped"; doctests: "test result: ok. 8 passed; ..."
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
    /Summary \[.*tests? run:/ { for (i = 1; i <= NF; i++) if ($i ~ /^passed/) { p += $(i-1) } }
    /^test result: / { for (i = 1; i <= NF; i++) if ($i ~ /^passed/) { p += $(i-1) } }
    END { printf "tests: %d passed, 0 failed\n", p }'
