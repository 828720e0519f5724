//! Snapshots of the rendered SQL, for every dialect and predicate shape:
//! 1 to 3 keys, uniform and mixed directions, nullable keys with NULLs first
//! and last under NULL and non-NULL cursor values, forward and backward
//! pages and the inclusive bounds of the probes, and each page's one statement.

use std::fmt::Write as _;

use super::common::{self, Row, SPECS};
use keypage_runtime::sql::{
    Dialect, KeyBound, PagePlan, RenderedSql, Side, SqlWriter, WhereClause, order_by,
};
use keypage_runtime::{Cursor, KeySpec, Keyset, KeysetQuery, PageDirection, Value};

const DIALECTS: [Dialect; 3] = [Dialect::Postgres, Dialect::Sqlite, Dialect::MySql];

fn cursor_rows(keys: &[KeySpec]) -> Vec<(&'static str, Row)> {
    let set = Row {
        id: 7,
        a: Some(3),
        b: 5,
        c: 2,
        s: Some("x".into()),
    };
    let mut rows = vec![("cursor values", set.clone())];
    if keys.iter().any(|k| k.nullable()) {
        rows.push((
            "NULL cursor values",
            Row {
                a: None,
                s: None,
                ..set
            },
        ));
    }
    rows
}

fn line(out: &mut String, label: &str, sql: &RenderedSql) {
    let binds: Vec<String> = sql.binds.iter().map(show).collect();
    writeln!(out, "{label:<14} {}", sql.sql).unwrap();
    writeln!(out, "{:<14} [{}]", "", binds.join(", ")).unwrap();
}

fn show(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Text(s) => format!("{s:?}"),
        other => format!("{other:?}"),
    }
}

fn render_ordering<K: Keyset<Row = Row>>() -> String {
    let spec = K::ORDERING;
    let mut out = String::new();
    let keys: Vec<String> = spec
        .keys()
        .iter()
        .map(|k| {
            let nulls = k.nulls().map_or(String::new(), |n| format!(" {}", n.sql()));
            format!("{} {}{nulls}", k.column(), k.sort_order().sql())
        })
        .collect();
    writeln!(out, "ordering: {}", keys.join(", ")).unwrap();
    for dialect in DIALECTS {
        writeln!(out, "\n== {dialect:?}").unwrap();
        writeln!(
            out,
            "{:<14} {}",
            "ORDER BY",
            order_by(dialect, spec.keys(), false)
        )
        .unwrap();
        writeln!(
            out,
            "{:<14} {}",
            "reversed",
            order_by(dialect, spec.keys(), true)
        )
        .unwrap();
        for (label, row) in cursor_rows(spec.keys()) {
            let values = K::from_row(&row).values();
            let bound = |side, inclusive| KeyBound::new(side, inclusive, values.clone());
            writeln!(
                out,
                "-- {label}: shape {:?}",
                bound(Side::After, false).shape(dialect, spec.keys())
            )
            .unwrap();
            for side in [Side::After, Side::Before] {
                let b = bound(side, false);
                if b.splits(spec.keys()) {
                    for part in 0..2 {
                        let mut sql = RenderedSql::new(dialect);
                        let Ok(()) = b.push_part_sql(&mut sql, spec.keys(), part);
                        line(&mut out, &format!("{side:?} part {part}"), &sql);
                    }
                }
            }
            for (name, side, inclusive) in [
                ("after", Side::After, false),
                ("before", Side::Before, false),
                ("at-or-after", Side::After, true),
                ("at-or-before", Side::Before, true),
            ] {
                line(
                    &mut out,
                    name,
                    &bound(side, inclusive).render(dialect, spec.keys()),
                );
            }
        }
    }
    out
}

/// The one statement of a forward and a backward page with both cursors,
/// with the near cursor only, and with none, after a caller's own filter
/// (a bind, written again in every part); and with an offset, after the
/// near cursor and from the start.
fn render_plans<K: Keyset<Row = Row>>() -> String {
    let mut out = String::new();
    let row = |id, b| Row {
        id,
        a: Some(1),
        b,
        c: 0,
        s: None,
    };
    for dialect in DIALECTS {
        writeln!(out, "== {dialect:?}").unwrap();
        for direction in [PageDirection::Forward, PageDirection::Backward] {
            let (after, before) = (K::from_row(&row(3, 9)), K::from_row(&row(8, 1)));
            let near_only = match direction {
                PageDirection::Forward => (Some(after.clone()), None),
                PageDirection::Backward => (None, Some(before.clone())),
            };
            for (name, (after, before), offset) in [
                ("both", (Some(after), Some(before)), 0),
                ("near", near_only.clone(), 0),
                ("none", (None, None), 0),
                // A jump: the seek, then `OFFSET`, and the window probe.
                ("near offset 20", near_only, 20),
                ("none offset 20", (None, None), 20),
            ] {
                let plan = PagePlan::new(KeysetQuery::<K> {
                    after,
                    before,
                    direction,
                    limit: 10,
                    offset,
                });
                let mut sql = RenderedSql::new(dialect);
                let Ok(()) = plan.push_statement(
                    &mut sql,
                    |out| {
                        out.push_sql("*");
                        Ok(())
                    },
                    |out| {
                        out.push_sql(" FROM items WHERE owner = ");
                        out.push_bind(Value::Int(1))?;
                        Ok(WhereClause::Present)
                    },
                );
                line(&mut out, &format!("{direction:?} {name}"), &sql);
            }
        }
    }
    out
}

#[test]
fn orderings() {
    for (i, spec) in SPECS.iter().enumerate() {
        let text = with_spec!(i, K => render_ordering::<K>());
        insta::assert_snapshot!(spec.name().to_lowercase(), text);
    }
}

#[test]
fn page_plans() {
    // Uniform (row values), mixed directions, and nullable.
    insta::assert_snapshot!(
        "plan_b_desc_id_desc",
        render_plans::<common::RowBDescIdDescCursor>()
    );
    insta::assert_snapshot!(
        "plan_b_desc_id_asc",
        render_plans::<common::RowBDescIdAscCursor>()
    );
    insta::assert_snapshot!(
        "plan_a_desc_nulls_last",
        render_plans::<common::RowADescNullsLastCursor>()
    );
}

#[test]
fn cursor_encoding_is_stable_for_the_fixture() {
    let row = cursor_rows(SPECS[0].keys()).remove(0).1;
    let c = common::RowCursor::from_row(&row);
    assert_eq!(common::RowCursor::decode(&c.encode()).unwrap(), c);
}
