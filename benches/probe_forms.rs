//! Where a deep page's time goes: the `hasPreviousPage` probe in the
//! statement forms that could carry it, as raw SQL (no keypage code in the
//! timed loop), for the uniform ordering `created_at desc, id desc` 99% deep
//! in 1,000,000 rows, on SQLite (and PostgreSQL when `KEYPAGE_PG_URL` is
//! set). Rows are fetched and counted, not decoded into structs.
//!
//! * `hand`: the page alone, what a careful engineer writes (no probe);
//! * `page+keys`: the page with keypage's key and marker columns;
//! * `keypage`: keypage's statement today: on SQLite the page and a
//!   `LIMIT 1` probe joined by `UNION ALL` under an outer `ORDER BY
//!   keypage_part, keys`; on PostgreSQL `from-probe` below;
//! * `scalar`: the probe as an uncorrelated scalar-subquery column of the
//!   page (`(SELECT 1 ... LIMIT 1) AS keypage_prev`), no union, no outer
//!   sort. **Not exact on its own**: an empty page returns no row, so no
//!   flag;
//! * `scalar+sentinel`: `scalar` made exact for empty pages in one
//!   statement: a `UNION ALL` row carrying the flag when the page is
//!   empty, under the outer `ORDER BY` a union needs;
//! * `union`: the page and the probe as two parts of a `UNION ALL` under
//!   an outer `ORDER BY keypage_part, keys` (keypage's statement on SQLite,
//!   and on PostgreSQL until the page read from the probe's row);
//! * `wrapped`: `page+keys` as a derived table under an outer `ORDER BY`
//!   (the sort alone, no probe);
//! * `left-join`: the probe as a one-row derived table `LEFT JOIN`ed to the
//!   page (one row even for an empty page), under an outer `ORDER BY`;
//! * `probe`: the probe alone, one row: the floor of any statement;
//! * `from-probe`: one index range that starts at the probe's row (the last
//!   row at or behind the cursor, from uncorrelated scalar subqueries), its
//!   rows marked by a `CASE` on the probe's condition: exact, and no union
//!   and no outer sort.
//!
//! On SQLite every form but `hand` binds as keypage does, `+?`; `hand +?`
//! and `keypage ?` (bare placeholders) show what that alone is worth.
//!
//! Interleaved rounds, medians, ratios within one run (see
//! `deep_pages.rs` for why). `KEYPAGE_BENCH_ROUNDS` sets the rounds (500).
//!
//! ```sh
//! CARGO_TARGET_DIR=target cargo bench --bench probe_forms
//! ```

use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Database};

#[path = "common/db.rs"]
mod db;
#[path = "common/report.rs"]
mod report;

/// One statement form, with its binds.
struct Form {
    name: &'static str,
    sql: String,
    binds: Vec<i64>,
}

const COLS: &str = "id, created_at, title, score";
const FORWARD: &str = "ORDER BY created_at DESC, id DESC";
const BACKWARD: &str = "ORDER BY created_at ASC, id ASC";

/// The forms for a cursor `(c, i)`: `seek` is the condition past the
/// cursor and `probe` the one at-or-behind it, both on `?1`/`?2` (renamed
/// `$1`/`$2` on PostgreSQL). `keypage` is keypage's statement text with
/// its binds.
fn forms(seek: &str, probe: &str, keypage: (String, Vec<i64>), c: i64, i: i64) -> Vec<Form> {
    let page = format!(
        "SELECT {COLS}, created_at AS keypage_k0, id AS keypage_k1, 0 AS keypage_part \
         FROM articles WHERE {seek} {FORWARD} LIMIT 21"
    );
    let flag = format!("(SELECT 1 FROM articles WHERE {probe} {BACKWARD} LIMIT 1)");
    let outer = "ORDER BY keypage_k0 DESC, keypage_k1 DESC";
    let b = vec![c, i];
    let form = |name, sql: String| Form {
        name,
        sql,
        binds: b.clone(),
    };
    vec![
        form(
            "hand",
            format!("SELECT {COLS} FROM articles WHERE {seek} {FORWARD} LIMIT 21"),
        ),
        form("page+keys", page.clone()),
        Form {
            name: "keypage",
            sql: keypage.0,
            binds: keypage.1,
        },
        form(
            "scalar",
            format!(
                "SELECT {COLS}, {flag} AS keypage_prev FROM articles WHERE {seek} {FORWARD} LIMIT 21"
            ),
        ),
        form(
            "scalar+sentinel",
            format!(
                "SELECT * FROM (SELECT {COLS}, created_at AS keypage_k0, id AS keypage_k1, \
                 {flag} AS keypage_prev, 0 AS keypage_part FROM articles WHERE {seek} {FORWARD} LIMIT 21) AS p \
                 UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, {flag}, -1 \
                 WHERE NOT EXISTS (SELECT 1 FROM articles WHERE {seek}) \
                 ORDER BY keypage_part, keypage_k0 DESC, keypage_k1 DESC"
            ),
        ),
        form("wrapped", format!("SELECT * FROM ({page}) AS p {outer}")),
        Form {
            name: "union",
            sql: format!(
                "SELECT * FROM ({page}) AS keypage_page UNION ALL SELECT * FROM (SELECT {COLS}, \
                 created_at AS keypage_k0, id AS keypage_k1, -1 AS keypage_part FROM articles \
                 WHERE {probe} {BACKWARD} LIMIT 1) AS keypage_probe \
                 ORDER BY keypage_part, keypage_k0 DESC, keypage_k1 DESC"
            ),
            binds: [b.clone(), b.clone()].concat(),
        },
        form(
            "left-join",
            format!(
                "SELECT p.*, f.keypage_prev FROM (SELECT {flag} AS keypage_prev) AS f \
                 LEFT JOIN ({page}) AS p ON 1 = 1 ORDER BY p.keypage_k0 DESC, p.keypage_k1 DESC"
            ),
        ),
        form(
            "probe",
            format!("SELECT 1 FROM articles WHERE {probe} {BACKWARD} LIMIT 1"),
        ),
    ]
}

/// `from-probe`: one index range starting at the probe's row (the last
/// row at or behind the cursor, found by uncorrelated scalar subqueries),
/// its rows marked by a `CASE` on the probe's condition: no union, no outer
/// sort. `start` is the range's condition on the subqueries' columns.
fn from_probe(probe: &str, start: &str, binds: Vec<i64>) -> Form {
    let sub = |col: &str| format!("(SELECT {col} FROM articles WHERE {probe} {BACKWARD} LIMIT 1)");
    let start = start
        .replace("PC", &sub("created_at"))
        .replace("PI", &sub("id"));
    Form {
        name: "from-probe",
        sql: format!(
            "SELECT {COLS}, CASE WHEN {probe} THEN 1 ELSE 0 END AS keypage_part \
             FROM articles WHERE {start} {FORWARD} LIMIT 22"
        ),
        binds,
    }
}

/// SQLite: every candidate form binds as keypage does, `+?` (see
/// `Dialect::bind_prefix`: a bare `?` on an `ANALYZE`d index makes SQLite
/// plan the statement again at every execution). `hand` stays as people
/// write it; `hand +?` and `keypage ?` (keypage's statement with bare
/// placeholders, as before) show what the `+` alone is worth.
fn sqlite_text(forms: Vec<Form>) -> Vec<Form> {
    let mut out = Vec::new();
    for f in forms {
        match f.name {
            "hand" => {
                out.push(Form {
                    name: "hand +?",
                    sql: f.sql.replace('?', "+?"),
                    binds: f.binds.clone(),
                });
                out.insert(0, f);
            }
            "keypage" => {
                out.push(Form {
                    name: "keypage ?",
                    sql: f.sql.replace("+?", "?"),
                    binds: f.binds.clone(),
                });
                out.push(f);
            }
            _ => out.push(Form {
                sql: f.sql.replace('?', "+?"),
                ..f
            }),
        }
    }
    out
}

fn postgres_text(mut forms: Vec<Form>) -> Vec<Form> {
    for f in &mut forms {
        if f.name == "keypage" {
            continue;
        }
        f.sql = f
            .sql
            .replace("?1", "$1")
            .replace("?2", "$2")
            // PostgreSQL types a bare literal `int4`, and a NULL in a union as text.
            .replace(" 0 AS keypage_part", " CAST(0 AS BIGINT) AS keypage_part")
            .replace(" -1 AS keypage_part", " CAST(-1 AS BIGINT) AS keypage_part")
            .replace(", -1 WHERE", ", CAST(-1 AS BIGINT) WHERE")
            .replace(
                "SELECT NULL, NULL, NULL, NULL, NULL, NULL,",
                "SELECT NULL::bigint, NULL::bigint, NULL::text, NULL::bigint, NULL::bigint, NULL::bigint,",
            );
    }
    forms
}

fn rounds() -> usize {
    std::env::var("KEYPAGE_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500)
}

/// Medians of every form, interleaved round after round.
async fn time_forms<DB: Database>(conn: &mut DB::Connection, forms: &[Form]) -> Vec<Duration>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    const WARM_UP: usize = 20;
    let mut samples = vec![Vec::new(); forms.len()];
    for round in 0..rounds() + WARM_UP {
        for k in 0..forms.len() {
            // Rotate the order, so no form always runs right after another.
            let i = (k + round) % forms.len();
            let f = &forms[i];
            let t = Instant::now();
            let mut q = sqlx::query::<DB>(AssertSqlSafe(f.sql.clone()));
            for b in &f.binds {
                q = q.bind(*b);
            }
            let rows = q.fetch_all(&mut *conn).await.expect(f.name);
            let elapsed = t.elapsed();
            // Every page form returns the page, 21 rows (22 with keypage's probe row).
            let expect = match f.name {
                "probe" => 1,
                "keypage" | "keypage ?" | "from-probe" | "union" => 22,
                _ => 21,
            };
            assert_eq!(rows.len(), expect, "{}", f.name);
            if round >= WARM_UP {
                samples[i].push(elapsed);
            }
        }
    }
    report::medians(samples)
}

fn table(db: &str, forms: &[Form], medians: &[Duration]) -> String {
    let hand = medians[0].as_secs_f64();
    let mut s = format!(
        "#### {db}: uniform ordering, 99% deep, 21 rows (medians of {} rounds)\n\n\
         | form | median | / hand |\n| --- | --- | --- |\n",
        rounds()
    );
    for (f, m) in forms.iter().zip(medians) {
        s += &format!(
            "| {} | {:.1} µs | {:.2}× |\n",
            f.name,
            m.as_secs_f64() * 1e6,
            m.as_secs_f64() / hand
        );
    }
    s
}

/// The cursor 99% deep, and keypage's statement for the page after it.
async fn keypage_statement(conn: &mut db::Db) -> ((String, Vec<i64>), i64, i64) {
    let ordering = db::Ordering::Uniform;
    let row = db::row_at(conn, ordering, db::rows() / 100 * 99 - 1).await;
    let args = keypage::PageArgs::first(20).after(ordering.cursor(&row));
    let text = db::explain_keypage(conn, ordering, &args).await;
    let sql = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("statement: "))
        .expect("the statement line")
        .to_owned();
    let (c, i) = (row.created_at, row.id);
    let binds = match conn {
        // The page and the probe in a `UNION ALL`, each with the expanded
        // bound `c <= ? AND (c < ? OR id < ?)`.
        db::Db::Sqlite(_) => vec![c, c, i, c, c, i],
        // One range from the probe's row: the probe's row values in the
        // `CASE`, then per key a scalar subquery (the probe) and the
        // cursor's value for its `COALESCE`.
        db::Db::Pg(_) => vec![c, i, c, i, c, c, i, i],
    };
    ((sql, binds), c, i)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut out = String::new();
    let mut sqlite = db::sqlite().await;
    let (keypage, c, i) = keypage_statement(&mut sqlite).await;
    let mut forms_sqlite = forms(
        "(created_at <= ?1 AND (created_at < ?1 OR id < ?2))",
        "(created_at >= ?1 AND (created_at > ?1 OR id >= ?2))",
        keypage,
        c,
        i,
    );
    forms_sqlite.push(from_probe(
        "(created_at >= ?1 AND (created_at > ?1 OR id >= ?2))",
        "created_at <= COALESCE(PC, ?1) AND (created_at < COALESCE(PC, ?1) OR id <= COALESCE(PI, ?2))",
        vec![c, i],
    ));
    let forms_sqlite = sqlite_text(forms_sqlite);
    if let db::Db::Sqlite(conn) = &mut sqlite {
        let m = time_forms::<sqlx::Sqlite>(conn, &forms_sqlite).await;
        out += &table("sqlite", &forms_sqlite, &m);
    }
    if let Some(mut pg) = db::postgres().await {
        let (keypage, c, i) = keypage_statement(&mut pg).await;
        let mut forms = forms(
            "(created_at, id) < (?1, ?2)",
            "(created_at, id) >= (?1, ?2)",
            keypage,
            c,
            i,
        );
        forms.push(from_probe(
            "(created_at, id) >= (?1, ?2)",
            "(created_at, id) <= (COALESCE(PC, ?1), COALESCE(PI, ?2))",
            vec![c, i],
        ));
        let forms_pg = postgres_text(forms);
        if let db::Db::Pg(conn) = &mut pg {
            let m = time_forms::<sqlx::Postgres>(conn, &forms_pg).await;
            out += &format!("\n{}", table("postgres", &forms_pg, &m));
        }
    }
    println!("{out}");
    let path = report::bench_dir().join("probe_forms.md");
    std::fs::write(&path, &out).unwrap();
    eprintln!("[keypage-bench] wrote {}", path.display());
}
