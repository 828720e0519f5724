//! The `connectionFromArray` cases of the Relay reference implementation
//! (graphql-relay-js, `arrayConnection-test`), over keyset cursors.
//!
//! Edges, cursors and every flag the Relay spec's algorithm fixes are the
//! reference's: on the side a page is read towards (`hasNextPage` for
//! `first`, `hasPreviousPage` for `last`), whether the window between
//! `after` and `before` holds more rows. Where the spec leaves a flag to the
//! server (a MAY: `hasPreviousPage` on a `first` page, `hasNextPage` on a
//! `last` page), the reference answers `false`; keypage answers exactly
//! whether the collection holds rows behind the page's cursor, as
//! documented on [`keypage::PageInfo`]. Those cases are marked `exact:`
//! with the reference's value beside them; no other case differs.

use keypage::{Cursor, Keyset, PageArgs, PageError};

#[derive(keypage::Paginate, Debug, Clone, PartialEq)]
#[paginate(order_by = "id asc")]
struct Letter {
    id: i64,
    name: char,
}

fn abcde() -> Vec<Letter> {
    // Deliberately unsorted: keyset pages do not depend on input order.
    [(3, 'C'), (1, 'A'), (5, 'E'), (2, 'B'), (4, 'D')]
        .into_iter()
        .map(|(id, name)| Letter { id, name })
        .collect()
}

fn cursor(name: char) -> String {
    let id = i64::from(name as u8 - b'A' + 1);
    LetterCursor { id }.encode()
}

/// Runs one case; checks edges, cursors and pageInfo.
fn case(args: PageArgs, names: &str, has_previous_page: bool, has_next_page: bool) {
    let letters = abcde();
    let page = Letter::paginate_slice(&letters, &args).unwrap();
    let got: String = page.nodes().map(|l| l.name).collect();
    assert_eq!(got, names, "edges for {args:?}");
    for edge in &page.edges {
        assert_eq!(edge.cursor, cursor(edge.node.name), "edge cursor");
    }
    assert_eq!(
        page.page_info.start_cursor,
        names.chars().next().map(cursor)
    );
    assert_eq!(page.page_info.end_cursor, names.chars().last().map(cursor));
    assert_eq!(
        page.page_info.has_previous_page, has_previous_page,
        "hasPreviousPage for {args:?}"
    );
    assert_eq!(
        page.page_info.has_next_page, has_next_page,
        "hasNextPage for {args:?}"
    );
}

fn window(
    first: Option<i32>,
    last: Option<i32>,
    after: Option<char>,
    before: Option<char>,
) -> PageArgs {
    PageArgs {
        first,
        last,
        after: after.map(cursor),
        before: before.map(cursor),
    }
}

#[test]
fn basic_slicing() {
    // "returns all elements without filters" (default page size 20 > 5).
    case(PageArgs::default(), "ABCDE", false, false);
    case(PageArgs::first(2), "AB", false, true);
    case(PageArgs::first(10), "ABCDE", false, false);
    case(PageArgs::last(2), "DE", true, false);
    case(PageArgs::last(10), "ABCDE", false, false);
}

#[test]
fn pagination() {
    // exact: A and B precede C (reference: hasPreviousPage false).
    case(window(Some(2), None, Some('B'), None), "CD", true, true);
    case(window(Some(10), None, Some('B'), None), "CDE", true, false);
    // exact: D and E follow C (reference: hasNextPage false).
    case(window(None, Some(2), None, Some('D')), "BC", true, true);
    case(window(None, Some(10), None, Some('D')), "ABC", false, true);
    // first + after + before. exact: A precedes B.
    case(
        window(Some(2), None, Some('A'), Some('E')),
        "BC",
        true,
        true,
    );
    // The window B..D ends the page: no next page inside it, though E
    // follows in the collection (a loop that keeps `before` ends here).
    case(
        window(Some(4), None, Some('A'), Some('E')),
        "BCD",
        true,
        false,
    );
    case(
        window(Some(3), None, Some('A'), Some('E')),
        "BCD",
        true,
        false,
    );
    // last + after + before. exact: E follows D.
    case(
        window(None, Some(2), Some('A'), Some('E')),
        "CD",
        true,
        true,
    );
    // The window starts at B: no previous page inside it, though A precedes
    // it in the collection. exact: E follows D.
    case(
        window(None, Some(4), Some('A'), Some('E')),
        "BCD",
        false,
        true,
    );
    case(
        window(None, Some(3), Some('A'), Some('E')),
        "BCD",
        false,
        true,
    );
}

#[test]
fn cursor_edge_cases() {
    let letters = abcde();
    // "throws an error if first < 0" / "last < 0": a typed error naming the argument.
    let err = Letter::paginate_slice(&letters, &PageArgs::first(-1)).unwrap_err();
    assert!(matches!(
        err,
        PageError::PageSizeOutOfRange {
            argument: "first",
            value: -1,
            ..
        }
    ));
    let err = Letter::paginate_slice(&letters, &PageArgs::last(-1)).unwrap_err();
    assert!(matches!(
        err,
        PageError::PageSizeOutOfRange {
            argument: "last",
            value: -1,
            ..
        }
    ));

    // "returns all elements if cursors are invalid": the reference ignores
    // them; an invalid cursor is a client bug, so keypage names it instead.
    let invalid = PageArgs {
        before: Some("invalid".into()),
        after: Some("invalid".into()),
        ..PageArgs::default()
    };
    let err = Letter::paginate_slice(&letters, &invalid).unwrap_err();
    assert!(
        matches!(
            err,
            PageError::InvalidCursor {
                argument: "after",
                ..
            }
        ),
        "{err:?}"
    );

    // "returns all elements if cursors are on the outside": keys beyond
    // either end (rows that do not exist) bound nothing.
    let outside = |id: i64| LetterCursor::from_row(&Letter { id, name: '?' }).encode();
    for args in [
        PageArgs {
            before: Some(outside(6)),
            ..PageArgs::default()
        },
        PageArgs {
            after: Some(outside(-1)),
            ..PageArgs::default()
        },
    ] {
        case(args, "ABCDE", false, false);
    }
    // Beyond the other end, nothing is left. The empty window has no next
    // page; no `after` means no previous one.
    case(
        PageArgs {
            before: Some(outside(-1)),
            ..PageArgs::default()
        },
        "",
        false,
        false,
    );
    // Read from its end, the rows after `after` are said to exist.
    case(
        PageArgs {
            before: Some(outside(-1)),
            last: Some(2),
            ..PageArgs::default()
        },
        "",
        false,
        true,
    );
    case(
        PageArgs {
            after: Some(outside(6)),
            ..PageArgs::default()
        },
        "",
        true,
        false,
    );

    // "returns no elements if cursors cross". exact: a forward page stands
    // just after E, and A..E precede it (reference: both flags false).
    case(window(None, None, Some('E'), Some('C')), "", true, false);
}

#[test]
fn empty_collection() {
    let page = Letter::paginate_slice(&[], &PageArgs::first(3)).unwrap();
    assert!(page.edges.is_empty());
    assert_eq!(page.page_info, keypage::PageInfo::default());
}
