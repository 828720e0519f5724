//! The derive end to end: paging a `Vec` forward and backward in both
//! orderings through every entry point, and cursors refused by the wrong
//! ordering.

use keypage::{Cursor, CursorError, Keyset, PageArgs, PageError, Paginate};

#[derive(keypage::Paginate, Debug, Clone, PartialEq)]
#[paginate(
    order_by = "created_at desc, id desc",
    max_page_size = 100,
    default_page_size = 20,
    table = "articles"
)]
#[paginate(ordering(name = "TITLE", order_by = "title asc nulls last, id asc"))]
pub struct Article {
    #[paginate(unique)]
    id: i64,
    title: Option<String>,
    #[paginate(column = "created")]
    created_at: i64,
}

fn rows() -> Vec<Article> {
    let titles = [
        Some("b"),
        None,
        Some("a"),
        Some("b"),
        None,
        Some("c"),
        Some("a"),
    ];
    // Unsorted on purpose, with ties on `created_at` and `title`.
    [4, 1, 7, 3, 6, 2, 5]
        .into_iter()
        .map(|id: i64| Article {
            id,
            title: titles[(id - 1) as usize].map(str::to_owned),
            created_at: 100 + id / 2,
        })
        .collect()
}

fn ids(page: &keypage::Page<&Article>) -> Vec<i64> {
    page.nodes().map(|a| a.id).collect()
}

/// Walks forward by `end_cursor` with `first: size`, then backward by
/// `start_cursor` with `last: size`, through `fetch`.
fn walk(
    fetch: impl Fn(&PageArgs) -> Result<keypage::Page<&'static Article>, PageError>,
    size: i32,
) -> (Vec<i64>, Vec<i64>) {
    let mut forward = Vec::new();
    let mut args = PageArgs::first(size);
    loop {
        let page = fetch(&args).unwrap();
        forward.extend(ids(&page));
        if !page.page_info.has_next_page {
            break;
        }
        args = PageArgs::first(size).after(page.page_info.end_cursor.unwrap());
    }
    let mut backward = Vec::new();
    let mut args = PageArgs::last(size);
    loop {
        let page = fetch(&args).unwrap();
        let mut chunk = ids(&page);
        chunk.reverse();
        backward.extend(chunk);
        if !page.page_info.has_previous_page {
            break;
        }
        args = PageArgs::last(size).before(page.page_info.start_cursor.unwrap());
    }
    backward.reverse();
    (forward, backward)
}

fn leaked_rows() -> &'static [Article] {
    Box::leak(rows().into_boxed_slice())
}

const NEWEST_FIRST: [i64; 7] = [7, 6, 5, 4, 3, 2, 1];
// title asc nulls last, id asc: a(3, 7), b(1, 4), c(6), NULL(2, 5).
const BY_TITLE: [i64; 7] = [3, 7, 1, 4, 6, 2, 5];

#[test]
fn default_ordering_forward_and_backward() {
    let items = leaked_rows();
    for size in 1..=8 {
        let (forward, backward) = walk(|args| Article::paginate_slice(items, args), size);
        assert_eq!(forward, NEWEST_FIRST, "page size {size}");
        assert_eq!(backward, NEWEST_FIRST, "page size {size}");
    }
}

#[test]
fn named_ordering_through_every_entry_point() {
    let items = leaked_rows();
    for size in 1..=8 {
        let by_enum = walk(
            |args| Article::paginate_slice_by(items, ArticleOrder::Title, args),
            size,
        );
        let by_type = walk(
            |args| keypage::paginate_slice::<ArticleTitleCursor>(items, args),
            size,
        );
        assert_eq!(
            by_enum,
            (BY_TITLE.to_vec(), BY_TITLE.to_vec()),
            "page size {size}"
        );
        assert_eq!(by_type, by_enum, "page size {size}");
    }
    let default_by_enum = walk(
        |args| Article::paginate_slice_by(items, ArticleOrder::default(), args),
        3,
    );
    assert_eq!(default_by_enum.0, NEWEST_FIRST);
}

#[test]
fn default_page_size_applies_without_first_or_last() {
    let items = rows();
    let page = Article::paginate_slice(&items, &PageArgs::default()).unwrap();
    assert_eq!(ids(&page), NEWEST_FIRST);
    assert!(!page.page_info.has_next_page && !page.page_info.has_previous_page);
}

#[test]
fn cursor_of_another_ordering_is_refused() {
    let items = rows();
    let page = Article::paginate_slice(&items, &PageArgs::first(2)).unwrap();
    let default_cursor = page.page_info.end_cursor.unwrap();
    let err = Article::paginate_slice_by(
        &items,
        ArticleOrder::Title,
        &PageArgs::first(2).after(default_cursor.clone()),
    )
    .unwrap_err();
    assert_eq!(
        err,
        PageError::InvalidCursor {
            argument: "after",
            source: CursorError::OrderingMismatch,
        }
    );
    assert_eq!(
        ArticleTitleCursor::decode(&default_cursor),
        Err(CursorError::OrderingMismatch)
    );
    assert!(ArticleCursor::decode(&default_cursor).is_ok());
}

#[test]
fn cursor_types_round_trip() {
    let cursor = ArticleTitleCursor { title: None, id: 9 };
    assert_eq!(
        ArticleTitleCursor::decode(&cursor.encode()),
        Ok(cursor.clone())
    );
    let row = &rows()[0];
    assert_eq!(
        ArticleCursor::from_row(row),
        ArticleCursor {
            created_at: row.created_at,
            id: row.id
        }
    );
    assert_eq!(row.cursor(), ArticleCursor::from_row(row));
    assert_eq!(
        ArticleTitleCursor::from_row(row).values(),
        [
            keypage::cursor::Value::Text("b".to_owned()),
            keypage::cursor::Value::Int(4)
        ]
    );
}

#[test]
fn generated_metadata() {
    assert_eq!(Article::MAX_PAGE_SIZE, 100);
    assert_eq!(Article::DEFAULT_PAGE_SIZE, 20);
    assert_eq!(Article::MAX_OFFSET, 1_000, "the default");
    assert_eq!(<renamed::Article as Paginate>::MAX_OFFSET, 12_345);
    assert_eq!(Article::TABLE, Some("articles"));
    assert_eq!(Article::COLUMNS, ["id", "title", "created"]);
    let names: Vec<&str> = Article::ORDERINGS.iter().map(|o| o.name()).collect();
    assert_eq!(names, ["DEFAULT", "TITLE"]);
    assert_eq!(
        ArticleOrder::ALL,
        [ArticleOrder::Default, ArticleOrder::Title]
    );
    assert_eq!(ArticleOrder::Title.name(), "TITLE");
    assert_eq!(ArticleOrder::default(), ArticleOrder::Default);
    let title = <ArticleTitleCursor as Keyset>::ORDERING;
    assert_eq!(title.type_name(), "Article");
    assert_eq!(title.keys()[0].column(), "title");
    assert_eq!(
        title.keys()[0].nulls(),
        Some(keypage::ordering::Nulls::Last)
    );
    assert_eq!(
        <ArticleCursor as Keyset>::ORDERING.keys()[0].column(),
        "created"
    );
    assert_ne!(
        title.fingerprint(),
        <ArticleCursor as Keyset>::ORDERING.fingerprint()
    );
}

mod renamed {
    /// Same type name and keys as the outer `Article`'s `TITLE` ordering, but
    /// the default ordering is named `NEWEST`.
    #[derive(keypage::Paginate, Debug, Clone)]
    #[paginate(
        order_by = "title ASC NULLS LAST, id ASC",
        order_name = "NEWEST",
        max_page_size = 5,
        default_page_size = 5,
        max_offset = 12_345
    )]
    pub struct Article {
        pub id: i64,
        pub title: Option<String>,
    }
}

#[test]
fn order_name_renames_the_default_ordering_only() {
    assert_eq!(renamed::ArticleOrder::ALL, [renamed::ArticleOrder::Newest]);
    assert_eq!(renamed::ArticleOrder::Newest.name(), "NEWEST");
    assert_eq!(<renamed::Article as Paginate>::TABLE, None);
    // The fingerprint covers the type name and keys, not the ordering's name.
    assert_eq!(
        <renamed::ArticleCursor as Keyset>::ORDERING.fingerprint(),
        <ArticleTitleCursor as Keyset>::ORDERING.fingerprint()
    );
}
