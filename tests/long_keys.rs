//! Long text keys: every cursor keypage hands out is one it accepts. A
//! derived ordering's cursor limit follows from its key types (small for
//! integers, room for 32 KiB of text per `String` key); rows with 16 and
//! 20 KiB titles page through the slice backend, SQLite, PostgreSQL and
//! MariaDB (byte-ordered text, as in the other SQL tests); a cursor over
//! the limit is refused before decoding; a key over its type's maximum gets
//! a typed error naming it instead of a cursor.

mod support;

use std::time::Duration;

use keypage::{Cursor, CursorError, KeyTooLong, Keyset, MAX_TEXT_KEY_LEN, PageArgs};
use proptest::prelude::*;

/// Books by title, then id.
#[derive(keypage::Paginate, sqlx::FromRow, Debug, Clone, PartialEq)]
#[paginate(order_by = "title asc, id asc", table = "books")]
pub struct Book {
    #[paginate(unique)]
    id: i64,
    title: String,
}

/// Only integer keys.
#[derive(keypage::Paginate, Debug, Clone, PartialEq)]
#[paginate(order_by = "created_at desc, id desc")]
#[paginate(ordering(name = "SUBTITLE", order_by = "subtitle asc nulls last, id asc"))]
pub struct Event {
    #[paginate(unique)]
    id: i64,
    created_at: i64,
    subtitle: Option<String>,
}

/// The limits, computed by the derive from the key types.
#[test]
fn limits_follow_the_key_types() {
    // Integer keys: the 5-byte header (version, fingerprint) and two
    // zig-zag varints of at most 10 bytes each (64 bits, 7 a byte): 25
    // bytes, 34 characters of unpadded base64 (ceil(25 * 4 / 3)).
    assert_eq!(EventCursor::MAX_LEN, 34);
    let extreme = EventCursor {
        created_at: i64::MIN,
        id: i64::MIN,
    }
    .try_encode()
    .unwrap();
    assert_eq!(
        extreme.len(),
        34,
        "the bound is reached, not just respected"
    );
    // Text, then an integer: 5 + (3-byte length + 32 KiB) + 10 = 32786
    // bytes, 43715 characters.
    assert_eq!(BookCursor::MAX_LEN, 43_715);
    // `Option<String>` adds its tag byte: 32787 bytes, 43716 characters.
    assert_eq!(EventSubtitleCursor::MAX_LEN, 43_716);
}

/// One character over an ordering's limit is refused before decoding: the
/// input is not base64 either, yet the error is its length, naming the limit.
#[test]
fn over_the_limit_is_refused_before_decoding() {
    assert_eq!(
        EventCursor::decode(&"!".repeat(35)).unwrap_err(),
        CursorError::TooLong { len: 35, max: 34 }
    );
    assert_eq!(
        BookCursor::decode(&"!".repeat(43_716)).unwrap_err(),
        CursorError::TooLong {
            len: 43_716,
            max: 43_715
        }
    );
    // The longest cursor a book has (32 KiB title, the id of the longest
    // varint) opens; the same with one more character does not.
    let longest = BookCursor {
        title: "€".repeat(MAX_TEXT_KEY_LEN / 3) + "ab",
        id: i64::MIN,
    };
    assert_eq!(longest.title.len(), MAX_TEXT_KEY_LEN);
    let s = longest.try_encode().unwrap();
    assert_eq!(s.len(), BookCursor::MAX_LEN);
    assert_eq!(BookCursor::decode(&s).unwrap(), longest);
    assert_eq!(
        BookCursor::decode(&format!("{s}A")).unwrap_err(),
        CursorError::TooLong {
            len: 43_716,
            max: 43_715
        }
    );
}

/// A title over 32 KiB gets no cursor: `try_encode` names the key. The
/// unchecked `encode` makes one `decode` refuses, which is why pages are
/// built with `try_encode`.
#[test]
fn a_key_over_its_maximum_is_a_typed_error() {
    let row = Book {
        id: 7,
        title: "x".repeat(MAX_TEXT_KEY_LEN + 1),
    };
    let cursor = BookCursor::from_row(&row);
    assert_eq!(
        cursor.try_encode().unwrap_err(),
        KeyTooLong {
            key: "title",
            len: 3 + MAX_TEXT_KEY_LEN + 1,
            max: 3 + MAX_TEXT_KEY_LEN
        }
    );
    assert!(BookCursor::decode(&cursor.encode()).is_err());
    let err = keypage::PageError::from(cursor.try_encode().unwrap_err());
    assert_eq!(err.code(), "KEY_TOO_LONG");
    assert_eq!(
        err.to_string(),
        "the key `title` of a row takes 32772 bytes in a cursor; at most 32771 fit"
    );
}

/// Pages refuse such a row instead of handing out its cursor: in memory,
/// and from SQL (where the row itself is fine to store).
#[tokio::test]
async fn pages_with_an_over_long_key_are_refused() {
    let long = Book {
        id: 7,
        title: "x".repeat(MAX_TEXT_KEY_LEN + 1),
    };
    let short = Book {
        id: 8,
        title: "a".into(),
    };
    let rows = [long.clone(), short.clone()];
    let err = Book::paginate_slice(&rows, &PageArgs::first(2)).unwrap_err();
    assert_eq!(err.code(), "KEY_TOO_LONG", "{err}");
    // The page that stops before the long row is fine.
    let page = Book::paginate_slice(&rows, &PageArgs::first(1)).unwrap();
    assert_eq!(page.nodes().map(|b| b.id).collect::<Vec<_>>(), [8]);

    let pool = support::sqlite_pool().await;
    sqlx::raw_sql("CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    for b in &rows {
        sqlx::query("INSERT INTO books (id, title) VALUES (?, ?)")
            .bind(b.id)
            .bind(&b.title)
            .execute(&pool)
            .await
            .unwrap();
    }
    match Book::fetch_page(&pool, &PageArgs::first(2)).await {
        Err(keypage::sql::sqlx::FetchError::Page(e)) => assert_eq!(e.code(), "KEY_TOO_LONG"),
        other => panic!("expected KEY_TOO_LONG, got {other:?}"),
    }
}

/// Text of up to 20 KiB, in runs of ASCII and of any other character
/// (multibyte included), cut at a character boundary.
fn long_text() -> impl Strategy<Value = String> {
    let run = (
        prop_oneof![proptest::char::range(' ', '~'), any::<char>()],
        1..=8_000usize,
    );
    proptest::collection::vec(run, 0..6).prop_map(|runs| {
        let mut s = String::new();
        for (c, n) in runs {
            for _ in 0..n {
                if s.len() + c.len_utf8() > 20 * 1024 {
                    return s;
                }
                s.push(c);
            }
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every row's cursor opens, and holds the row's keys.
    #[test]
    fn every_rows_cursor_opens(title in long_text(), id in any::<i64>(), subtitle in proptest::option::of(long_text())) {
        let book = BookCursor::from_row(&Book { id, title });
        let s = book.try_encode().unwrap();
        prop_assert!(s.len() <= BookCursor::MAX_LEN);
        prop_assert_eq!(BookCursor::decode(&s).unwrap(), book);
        let event = EventSubtitleCursor::from_row(&Event { id, created_at: 0, subtitle });
        let s = event.try_encode().unwrap();
        prop_assert_eq!(EventSubtitleCursor::decode(&s).unwrap(), event);
    }
}

/// Titles of 16 and 20 KiB, ASCII and multibyte, equal ones (the id breaks
/// the tie) and ones differing only in their last byte or in length.
fn long_books() -> Vec<Book> {
    let k16 = 16 * 1024;
    let k20 = 20 * 1024;
    let titles = [
        "a".repeat(k16),
        "a".repeat(k16),
        "a".repeat(k16 - 1) + "b",
        "a".repeat(k20),
        "é".repeat(k16 / 2),
        "😀".repeat(k20 / 4),
        "😀".repeat(k20 / 4),
        "😀".repeat(k20 / 4 - 1) + "😁",
        "short".to_owned(),
        "z".repeat(k20),
    ];
    // Ids out of title order on purpose.
    titles
        .into_iter()
        .enumerate()
        .map(|(i, title)| Book {
            id: (i as i64 * 7) % 10,
            title,
        })
        .collect()
}

/// The same titles, each distinct one led by its rank in byte order
/// (`007:`), so titles that differ do so within their first KiB and equal
/// ones stay equal: MariaDB 10.11's priority-queue sort orders long text by
/// its first KiB only, whatever `max_sort_length` says (see the README).
fn distinct_within_first_kib(books: Vec<Book>) -> Vec<Book> {
    let mut distinct: Vec<String> = books.iter().map(|b| b.title.clone()).collect();
    distinct.sort();
    distinct.dedup();
    books
        .into_iter()
        .map(|b| {
            let rank = distinct.binary_search(&b.title).unwrap();
            Book {
                title: format!("{rank:03}:{}", b.title),
                ..b
            }
        })
        .collect()
}

fn expected_order(books: &[Book]) -> Vec<i64> {
    let mut sorted = books.to_vec();
    sorted.sort_by(|a, b| (a.title.as_bytes(), a.id).cmp(&(b.title.as_bytes(), b.id)));
    sorted.iter().map(|b| b.id).collect()
}

/// The slice backend walks past every long title, both ways.
#[test]
fn slice_walk_with_long_titles() {
    let books = long_books();
    let expected = expected_order(&books);
    for size in [1, 2, 3] {
        let mut seen = Vec::new();
        let mut args = PageArgs::first(size);
        loop {
            let page = Book::paginate_slice(&books, &args).unwrap();
            seen.extend(page.nodes().map(|b| b.id));
            assert!(seen.len() <= books.len(), "the walk does not end");
            match page.page_info.end_cursor {
                Some(end) if page.page_info.has_next_page => {
                    args = PageArgs::first(size).after(end)
                }
                _ => break,
            }
        }
        assert_eq!(seen, expected, "forward, pages of {size}");
        let mut seen = Vec::new();
        let mut args = PageArgs::last(size);
        loop {
            let page = Book::paginate_slice(&books, &args).unwrap();
            seen.splice(0..0, page.nodes().map(|b| b.id));
            assert!(seen.len() <= books.len(), "the walk does not end");
            match page.page_info.start_cursor {
                Some(start) if page.page_info.has_previous_page => {
                    args = PageArgs::last(size).before(start)
                }
                _ => break,
            }
        }
        assert_eq!(seen, expected, "backward, pages of {size}");
    }
}

/// Creates `books` on `$pool` with `$ddl`, inserts [`long_books`] with
/// `$insert`, and walks `Book::fetch_page` forward and backward in pages
/// of 1, 2 and 3: every row once, in byte order of the titles, then id.
macro_rules! sql_walk {
    ($pool:expr, $ddl:expr, $insert:expr) => {
        sql_walk!($pool, $ddl, $insert, long_books())
    };
    ($pool:expr, $ddl:expr, $insert:expr, $books:expr) => {{
        let pool = $pool;
        sqlx::raw_sql($ddl).execute(&pool).await.unwrap();
        let books = $books;
        for b in &books {
            sqlx::query($insert)
                .bind(b.id)
                .bind(&b.title)
                .execute(&pool)
                .await
                .unwrap();
        }
        let expected = expected_order(&books);
        for size in [1, 2, 3] {
            let mut seen = Vec::new();
            let mut args = PageArgs::first(size);
            loop {
                let page = Book::fetch_page(&pool, &args)
                    .await
                    .unwrap_or_else(|e| panic!("pages of {size} after {seen:?}: {e}"));
                seen.extend(page.nodes().map(|b| b.id));
                assert!(seen.len() <= books.len(), "the walk does not end: {seen:?}");
                match page.page_info.end_cursor {
                    Some(end) if page.page_info.has_next_page => {
                        args = PageArgs::first(size).after(end)
                    }
                    _ => break,
                }
            }
            assert_eq!(seen, expected, "forward, pages of {size}");
            let mut seen = Vec::new();
            let mut args = PageArgs::last(size);
            loop {
                let page = Book::fetch_page(&pool, &args)
                    .await
                    .unwrap_or_else(|e| panic!("pages of {size} before {seen:?}: {e}"));
                seen.splice(0..0, page.nodes().map(|b| b.id));
                assert!(seen.len() <= books.len(), "the walk does not end: {seen:?}");
                match page.page_info.start_cursor {
                    Some(start) if page.page_info.has_previous_page => {
                        args = PageArgs::last(size).before(start)
                    }
                    _ => break,
                }
            }
            assert_eq!(seen, expected, "backward, pages of {size}");
        }
    }};
}

/// How long one database walk may take.
const WALK_TIMEOUT: Duration = Duration::from_secs(60);

/// SQLite walks past every long title, with an index on `(title, id)`.
#[tokio::test]
async fn sqlite_walk_with_long_titles() {
    tokio::time::timeout(WALK_TIMEOUT, async {
        sql_walk!(
            support::sqlite_pool().await,
            "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL); \
             CREATE INDEX books_title_id ON books (title, id);",
            "INSERT INTO books (id, title) VALUES (?, ?)"
        )
    })
    .await
    .expect("the SQLite walk took too long");
}

/// PostgreSQL (the test cluster's collation is `C`: byte order) walks past
/// every long title. No index: a B-tree entry holds at most about 2.7 kB.
#[tokio::test]
async fn postgres_walk_with_long_titles() {
    let Some(pool) = support::pg_pool().await else {
        return;
    };
    tokio::time::timeout(WALK_TIMEOUT, async {
        sql_walk!(
            pool,
            "CREATE TABLE books (id BIGINT PRIMARY KEY, title TEXT COLLATE \"C\" NOT NULL)",
            "INSERT INTO books (id, title) VALUES ($1, $2)"
        )
    })
    .await
    .expect("the PostgreSQL walk took too long");
}

/// MariaDB (`utf8mb4_nopad_bin`: byte order) walks past every long title.
/// No index: MariaDB indexes `TEXT` only by a prefix.
///
/// MariaDB sorts `TEXT` by its first `max_sort_length` bytes (1024 by
/// default) while the keyset `WHERE` compares whole values. keypage raises
/// the setting in its statements, but the priority-queue sort of `ORDER BY
/// ... LIMIT` still cuts keys at the first KiB (MariaDB 10.11.19), so here
/// the titles that differ do so within their first KiB
/// ([`distinct_within_first_kib`]); equal 16 and 20 KiB titles still tie.
#[tokio::test]
async fn mysql_walk_with_long_titles() {
    let Some(pool) = support::mysql_pool().await else {
        return;
    };
    tokio::time::timeout(WALK_TIMEOUT, async {
        sql_walk!(
            pool,
            "CREATE TABLE books (id BIGINT PRIMARY KEY, \
             title TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL)",
            "INSERT INTO books (id, title) VALUES (?, ?)",
            distinct_within_first_kib(long_books())
        )
    })
    .await
    .expect("the MariaDB walk took too long");
}
