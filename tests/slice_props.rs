//! Property tests of in-memory keyset paging against a reference model: a
//! sorted `Vec`, filtered and cut by hand, with comparators written here
//! independently of keypage's ordering code.
//!
//! Rows have few distinct values per key (many duplicates), nullable keys and
//! mixed directions; page walks and random windows must match the model row
//! for row and flag for flag.

use core::cmp::Ordering;

use keypage::{Cursor, Keyset, PageArgs, PageError, Paginate};
use proptest::prelude::*;

#[derive(keypage::Paginate, Clone, Debug, PartialEq)]
#[paginate(order_by = "a desc, id desc", max_page_size = 50)]
#[paginate(ordering(name = "MIXED", order_by = "a asc, b desc, id asc"))]
#[paginate(ordering(name = "NULLS_FIRST", order_by = "n desc nulls first, a asc, id desc"))]
#[paginate(ordering(name = "NULLS_LAST", order_by = "n asc nulls last, s desc, id asc"))]
#[paginate(ordering(name = "TEXT", order_by = "s asc, f desc, id desc"))]
struct Row {
    #[paginate(unique)]
    id: i64,
    a: i32,
    b: bool,
    n: Option<i16>,
    s: String,
    f: f64,
}

/// `None` placed first or last, independently of the direction of values.
fn nulls<T: Ord>(x: &Option<T>, y: &Option<T>, first: bool, desc: bool) -> Ordering {
    match (x, y) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => {
            if first {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (Some(_), None) => {
            if first {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Some(x), Some(y)) => {
            if desc {
                y.cmp(x)
            } else {
                x.cmp(y)
            }
        }
    }
}

fn ref_default(x: &Row, y: &Row) -> Ordering {
    y.a.cmp(&x.a).then(y.id.cmp(&x.id))
}
fn ref_mixed(x: &Row, y: &Row) -> Ordering {
    x.a.cmp(&y.a).then(y.b.cmp(&x.b)).then(x.id.cmp(&y.id))
}
fn ref_nulls_first(x: &Row, y: &Row) -> Ordering {
    nulls(&x.n, &y.n, true, true)
        .then(x.a.cmp(&y.a))
        .then(y.id.cmp(&x.id))
}
fn ref_nulls_last(x: &Row, y: &Row) -> Ordering {
    nulls(&x.n, &y.n, false, false)
        .then(y.s.cmp(&x.s))
        .then(x.id.cmp(&y.id))
}
fn ref_text(x: &Row, y: &Row) -> Ordering {
    x.s.cmp(&y.s)
        .then(y.f.total_cmp(&x.f))
        .then(y.id.cmp(&x.id))
}

type RefCmp = fn(&Row, &Row) -> Ordering;

fn row() -> impl Strategy<Value = Row> {
    (
        0i32..4,
        any::<bool>(),
        prop::option::of(-2i16..3),
        prop::sample::select(vec!["", "a", "b", "ab", "é"]),
        prop::sample::select(vec![-1.5, -0.0, 0.0, 2.0, f64::INFINITY, f64::NAN]),
    )
        .prop_map(|(a, b, n, s, f)| Row {
            id: 0,
            a,
            b,
            n,
            s: s.to_owned(),
            f,
        })
}

/// Rows with unique ids (from a shuffled range, so input is unsorted) and
/// duplicate everything else.
fn rows(max: usize) -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(row(), 0..max)
        .prop_flat_map(|rows| {
            let n = rows.len();
            (
                Just(rows),
                Just((0..n as i64 * 3).step_by(3).collect::<Vec<_>>()).prop_shuffle(),
            )
        })
        .prop_map(|(mut rows, ids)| {
            for (r, id) in rows.iter_mut().zip(ids) {
                r.id = id;
            }
            rows
        })
}

fn ids(nodes: &[&Row]) -> Vec<i64> {
    nodes.iter().map(|r| r.id).collect()
}

/// Walks forward by `endCursor` and backward by `startCursor`.
fn check_walks<K: Keyset<Row = Row>>(
    rows: &[Row],
    reference: RefCmp,
    size: i32,
) -> Result<(), TestCaseError> {
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by(|a, b| reference(a, b));

    let mut seen = Vec::new();
    let mut args = PageArgs::first(size);
    for step in 0.. {
        prop_assert!(step <= rows.len() + 1, "forward walk does not end");
        let page = keypage::paginate_slice::<K>(rows, &args).unwrap();
        let nodes: Vec<&Row> = page.nodes().copied().collect();
        prop_assert_eq!(page.page_info.has_previous_page, !seen.is_empty());
        seen.extend(nodes.iter().copied());
        prop_assert_eq!(page.page_info.has_next_page, seen.len() < sorted.len());
        prop_assert_eq!(
            page.page_info.start_cursor.as_ref(),
            page.edges.first().map(|e| &e.cursor)
        );
        prop_assert_eq!(
            page.page_info.end_cursor.as_ref(),
            page.edges.last().map(|e| &e.cursor)
        );
        if !page.page_info.has_next_page {
            break;
        }
        args = PageArgs::first(size).after(page.page_info.end_cursor.unwrap());
    }
    prop_assert_eq!(ids(&seen), ids(&sorted));

    let mut seen = Vec::new();
    let mut args = PageArgs::last(size);
    for step in 0.. {
        prop_assert!(step <= rows.len() + 1, "backward walk does not end");
        let page = keypage::paginate_slice::<K>(rows, &args).unwrap();
        let nodes: Vec<&Row> = page.nodes().copied().collect();
        prop_assert_eq!(page.page_info.has_next_page, !seen.is_empty());
        seen.splice(0..0, nodes.iter().copied());
        prop_assert_eq!(page.page_info.has_previous_page, seen.len() < sorted.len());
        if !page.page_info.has_previous_page {
            break;
        }
        args = PageArgs::last(size).before(page.page_info.start_cursor.unwrap());
    }
    prop_assert_eq!(ids(&seen), ids(&sorted));
    Ok(())
}

/// A window bound: a row of the collection, a row that is not in it, or none.
#[derive(Debug, Clone)]
enum Bound {
    None,
    Existing(usize),
    Absent(Row),
}

fn bound() -> impl Strategy<Value = Bound> {
    prop_oneof![
        Just(Bound::None),
        any::<usize>().prop_map(Bound::Existing),
        row().prop_map(|mut r| {
            r.id = 1; // ids of `rows` are multiples of 3: never equal
            Bound::Absent(r)
        }),
    ]
}

fn resolve(b: &Bound, rows: &[Row]) -> Option<Row> {
    match b {
        Bound::None => None,
        Bound::Existing(_) if rows.is_empty() => None,
        Bound::Existing(i) => Some(rows[i % rows.len()].clone()),
        Bound::Absent(r) => Some(r.clone()),
    }
}

fn row_zero() -> Row {
    Row {
        id: 0,
        a: 0,
        b: false,
        n: None,
        s: String::new(),
        f: 0.0,
    }
}

/// A random `after`/`before`/`first`/`last` request against the model.
fn check_window<K: Keyset<Row = Row>>(
    rows: &[Row],
    reference: RefCmp,
    after: &Bound,
    before: &Bound,
    size: i32,
    forward: bool,
    offset: i32,
) -> Result<(), TestCaseError> {
    let after = resolve(after, rows);
    let before = resolve(before, rows);
    let mut args = if forward {
        PageArgs::first(size)
    } else {
        PageArgs::last(size)
    };
    args.after = after.as_ref().map(|r| K::from_row(r).encode());
    args.before = before.as_ref().map(|r| K::from_row(r).encode());
    let query = args.validate_with_offset::<K>(Some(offset)).unwrap();
    let page = keypage::page_slice::<K>(rows, &query).unwrap();
    if offset == 0 {
        // (Not the pages themselves: a NaN key is not equal to itself.)
        let plain = keypage::paginate_slice::<K>(rows, &args).unwrap();
        prop_assert_eq!(&plain.page_info, &page.page_info);
    }

    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by(|a, b| reference(a, b));
    let is_after = |r: &Row| {
        after
            .as_ref()
            .is_none_or(|c| reference(r, c) == Ordering::Greater)
    };
    let is_before = |r: &Row| {
        before
            .as_ref()
            .is_none_or(|c| reference(r, c) == Ordering::Less)
    };
    let window: Vec<&Row> = sorted
        .iter()
        .copied()
        .filter(|r| is_after(r) && is_before(r))
        .collect();
    // The offset passes over rows of the window from the end the page is
    // read from.
    let (n, offset) = (size as usize, offset as usize);
    let (start, end) = if forward {
        let start = offset.min(window.len());
        (start, (start + n).min(window.len()))
    } else {
        let end = window.len().saturating_sub(offset);
        (end.saturating_sub(n), end)
    };
    let expected: Vec<&Row> = window[start..end].to_vec();
    let got: Vec<&Row> = page.nodes().copied().collect();
    prop_assert_eq!(ids(&got), ids(&expected));

    // The Relay specification's algorithm: on the paging side, whether the
    // window holds more than the page; on the other, whether the collection
    // holds a row at or behind the page's cursor (none without one), or
    // the offset passed over one.
    let passed_over = offset > 0 && !window.is_empty();
    let (has_prev, has_next) = if forward {
        (
            (after.is_some() && sorted.iter().any(|r| !is_after(r))) || passed_over,
            end < window.len(),
        )
    } else {
        (
            start > 0,
            (before.is_some() && sorted.iter().any(|r| !is_before(r))) || passed_over,
        )
    };
    prop_assert_eq!(
        page.page_info.has_previous_page,
        has_prev,
        "hasPreviousPage"
    );
    prop_assert_eq!(page.page_info.has_next_page, has_next, "hasNextPage");
    Ok(())
}

macro_rules! ordering_props {
    ($($walk:ident, $window:ident: $cursor:ty, $reference:expr;)*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]
            $(
                #[test]
                fn $walk(rows in rows(40), size in 1i32..8) {
                    check_walks::<$cursor>(&rows, $reference, size)?;
                }

                #[test]
                fn $window(rows in rows(30), after in bound(), before in bound(), size in 0i32..10, forward in any::<bool>(), offset in prop_oneof![3 => Just(0), 1 => 1i32..35]) {
                    check_window::<$cursor>(&rows, $reference, &after, &before, size, forward, offset)?;
                }
            )*
        }
    };
}

ordering_props! {
    walk_default, window_default: RowCursor, ref_default;
    walk_mixed, window_mixed: RowMixedCursor, ref_mixed;
    walk_nulls_first, window_nulls_first: RowNullsFirstCursor, ref_nulls_first;
    walk_nulls_last, window_nulls_last: RowNullsLastCursor, ref_nulls_last;
    walk_text, window_text: RowTextCursor, ref_text;
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Choosing the ordering at run time pages exactly like naming its type.
    #[test]
    fn run_time_choice_matches(rows in rows(20), size in 1i32..5) {
        for order in RowOrder::ALL.iter().copied() {
            let by = keypage::paginate_slice_by(&rows, order, &PageArgs::first(size)).unwrap();
            let direct = match order {
                RowOrder::Default => keypage::paginate_slice::<RowCursor>(&rows, &PageArgs::first(size)),
                RowOrder::Mixed => keypage::paginate_slice::<RowMixedCursor>(&rows, &PageArgs::first(size)),
                RowOrder::NullsFirst => keypage::paginate_slice::<RowNullsFirstCursor>(&rows, &PageArgs::first(size)),
                RowOrder::NullsLast => keypage::paginate_slice::<RowNullsLastCursor>(&rows, &PageArgs::first(size)),
                RowOrder::Text => keypage::paginate_slice::<RowTextCursor>(&rows, &PageArgs::first(size)),
            }.unwrap();
            // Rows hold NaN keys, so compare what identifies them: cursors, ids, flags.
            let cursors = |p: &keypage::Page<&Row>| p.edges.iter().map(|e| (e.cursor.clone(), e.node.id)).collect::<Vec<_>>();
            prop_assert_eq!(cursors(&by), cursors(&direct));
            prop_assert_eq!(by.page_info, direct.page_info);
        }
    }

    /// A row's cursor round-trips in every ordering.
    #[test]
    fn cursors_round_trip(r in row(), id in any::<i64>()) {
        let r = Row { id, ..r };
        let c = RowNullsLastCursor::from_row(&r);
        let back = RowNullsLastCursor::decode(&c.encode()).unwrap();
        prop_assert_eq!(back.encode(), c.encode());
        let c = r.cursor();
        prop_assert_eq!(RowCursor::decode(&c.encode()).unwrap(), c);
    }

    /// Any string as `after` gives a typed error naming `after`, or a page.
    #[test]
    fn hostile_after_never_panics(s in ".{0,64}") {
        match Row::paginate_slice(&[], &PageArgs::first(1).after(s)) {
            Ok(_) => {}
            Err(PageError::InvalidCursor { argument, .. }) => prop_assert_eq!(argument, "after"),
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
}

#[test]
fn page_sizes_are_validated_not_clamped() {
    let rows = vec![row_zero()];
    assert_eq!(Row::MAX_PAGE_SIZE, 50);
    let err = Row::paginate_slice(&rows, &PageArgs::first(51)).unwrap_err();
    assert_eq!(
        err,
        PageError::PageSizeOutOfRange {
            argument: "first",
            value: 51,
            max: 50
        }
    );
    assert_eq!(err.to_string(), "`first` must be between 0 and 50, got 51");
    let err = Row::paginate_slice(&rows, &PageArgs::last(-1)).unwrap_err();
    assert_eq!(err.to_string(), "`last` must be between 0 and 50, got -1");
    let both = PageArgs {
        first: Some(1),
        last: Some(1),
        ..PageArgs::default()
    };
    assert_eq!(
        Row::paginate_slice(&rows, &both).unwrap_err(),
        PageError::FirstAndLast
    );
    assert_eq!(
        Row::paginate_slice(&rows, &PageArgs::first(50))
            .unwrap()
            .edges
            .len(),
        1
    );
}

#[test]
fn default_page_size_applies_without_first_or_last() {
    let rows: Vec<Row> = (0..30).map(|id| Row { id, ..row_zero() }).collect();
    assert_eq!(Row::DEFAULT_PAGE_SIZE, 20);
    let page = Row::paginate_slice(&rows, &PageArgs::default()).unwrap();
    assert_eq!(page.edges.len(), 20);
    assert!(page.page_info.has_next_page);
}

#[test]
fn cursor_of_another_ordering_is_refused_by_name() {
    let rows = vec![row_zero()];
    let foreign = RowMixedCursor::from_row(&rows[0]).encode();
    let err = Row::paginate_slice(&rows, &PageArgs::first(1).before(foreign)).unwrap_err();
    assert_eq!(err.code(), "CURSOR_ORDER_MISMATCH");
    assert_eq!(
        err.to_string(),
        "`before` is not a valid cursor: cursor belongs to a different ordering or type than the one requested"
    );
}
