//! Relay connections through an async-graphql schema over an in-memory
//! `Vec`: whole walks in both directions with exact `pageInfo`, every
//! argument error with its `extensions.code`, the `orderBy` enum, the lazy
//! `totalCount`, and the schema's SDL.

#![cfg(feature = "graphql")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::connection::CursorType;
use async_graphql::{
    Context, EmptyMutation, EmptySubscription, Object, Response, Schema, SimpleObject, Value,
};
use keypage::graphql::ConnectionRequest;
use keypage::{Cursor as _, PageArgs};

#[derive(keypage::Paginate, SimpleObject, Clone, Debug)]
#[paginate(
    order_by = "created_at desc, id desc",
    max_page_size = 10,
    default_page_size = 4
)]
#[paginate(ordering(name = "TITLE", order_by = "title asc nulls last, id asc"))]
struct Article {
    #[paginate(unique)]
    id: i64,
    title: Option<String>,
    created_at: i64,
}

/// How often the `totalCount` closure of `countedArticles` ran.
#[derive(Default)]
struct CountCalls(AtomicUsize);

struct Query;

// Above `#[Object]`: the methods without a `#[connection]` parameter pass
// through unchanged.
#[keypage::connections]
#[Object]
impl Query {
    /// The slice-backed form.
    async fn articles(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        order_by: Option<ArticleOrder>,
    ) -> async_graphql::Result<ArticleConnection> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        Article::connection(order_by, args).over_slice(ctx.data_unchecked::<Vec<Article>>())
    }

    /// The slice form with `#[keypage::connections]`, and a filter of its own.
    async fn declared_articles(
        &self,
        ctx: &Context<'_>,
        #[connection] page: ConnectionRequest<Article>,
        created_after: Option<i64>,
    ) -> async_graphql::Result<ArticleConnection> {
        let rows = ctx.data_unchecked::<Vec<Article>>().iter();
        let rows: Vec<Article> = rows
            .filter(|a| created_after.is_none_or(|t| a.created_at > t))
            .cloned()
            .collect();
        page.over_slice(&rows)
    }

    /// The closure form, with a counted `totalCount` closure.
    async fn counted_articles(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        order_by: Option<ArticleOrder>,
    ) -> async_graphql::Result<ArticleConnection> {
        let rows = ctx.data_unchecked::<Vec<Article>>().clone();
        let calls = Arc::clone(ctx.data_unchecked::<Arc<CountCalls>>());
        let len = rows.len();
        Article::connection(
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .total_count(move || async move {
            let _ = calls.0.fetch_add(1, Ordering::SeqCst);
            Ok::<_, async_graphql::Error>(len)
        })
        .fetch(|query| async move {
            Ok::<_, async_graphql::Error>(query.page_slice(&rows)?.map(Clone::clone))
        })
        .await
    }
}

type TestSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// 23 articles with many equal `created_at` and `title` values and some
/// NULL titles, in no particular order.
fn articles() -> Vec<Article> {
    (1..=23)
        .map(|i: i64| {
            let id = (i * 7) % 23 + 1;
            Article {
                id,
                title: (id % 5 != 0).then(|| format!("t{}", id % 4)),
                created_at: 1_000 + id % 6,
            }
        })
        .collect()
}

fn schema() -> (TestSchema, Arc<CountCalls>) {
    let calls = Arc::new(CountCalls::default());
    let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
        .data(articles())
        .data(Arc::clone(&calls))
        .finish();
    (schema, calls)
}

/// The ids in the ordering `order`, as the reference.
fn reference(order: ArticleOrder) -> Vec<i64> {
    let mut rows = articles();
    match order {
        ArticleOrder::Default => {
            rows.sort_by_key(|a| std::cmp::Reverse((a.created_at, a.id)));
        }
        // `asc nulls last`, then id.
        ArticleOrder::Title => rows.sort_by_key(|a| (a.title.is_none(), a.title.clone(), a.id)),
    }
    rows.iter().map(|a| a.id).collect()
}

const PAGE: &str = "edges { cursor node { id } } nodes { id } \
                    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }";

/// One page, as `(ids, hasPreviousPage, hasNextPage, startCursor, endCursor)`,
/// after checking that `edges`, `nodes` and the cursors agree.
struct Page {
    ids: Vec<i64>,
    has_previous: bool,
    has_next: bool,
    start: Option<String>,
    end: Option<String>,
}

async fn page(schema: &TestSchema, field: &str, arguments: &str) -> Page {
    let query = match arguments {
        "" => format!("{{ {field} {{ {PAGE} }} }}"),
        _ => format!("{{ {field}({arguments}) {{ {PAGE} }} }}"),
    };
    let response = schema.execute(&query).await;
    assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
    let json = response.data.into_json().unwrap();
    let connection = &json[field];
    let edges = connection["edges"].as_array().unwrap();
    let ids: Vec<i64> = edges
        .iter()
        .map(|e| e["node"]["id"].as_i64().unwrap())
        .collect();
    let nodes: Vec<i64> = connection["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, nodes);
    let info = &connection["pageInfo"];
    let cursor = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let start = cursor(&info["startCursor"]);
    let end = cursor(&info["endCursor"]);
    assert_eq!(
        start,
        edges
            .first()
            .map(|e| e["cursor"].as_str().unwrap().to_owned())
    );
    assert_eq!(
        end,
        edges
            .last()
            .map(|e| e["cursor"].as_str().unwrap().to_owned())
    );
    Page {
        ids,
        has_previous: info["hasPreviousPage"].as_bool().unwrap(),
        has_next: info["hasNextPage"].as_bool().unwrap(),
        start,
        end,
    }
}

fn order_argument(order: ArticleOrder) -> String {
    format!("orderBy: {}", order.name())
}

#[tokio::test]
async fn forward_walks_visit_every_row_once_with_exact_page_info() {
    let (schema, _) = schema();
    for &order in ArticleOrder::ALL {
        for size in [1, 3, 4, 10] {
            let mut seen: Vec<i64> = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let mut arguments = format!("first: {size}, {}", order_argument(order));
                if let Some(cursor) = &after {
                    arguments.push_str(&format!(", after: \"{cursor}\""));
                }
                let page = page(&schema, "articles", &arguments).await;
                assert_eq!(page.has_previous, !seen.is_empty(), "{order:?} {size}");
                seen.extend(&page.ids);
                assert_eq!(page.has_next, seen.len() < 23, "{order:?} {size}");
                if !page.has_next {
                    break;
                }
                after = page.end;
            }
            assert_eq!(seen, reference(order), "{order:?} first: {size}");
        }
    }
}

#[tokio::test]
async fn backward_walks_visit_every_row_once_with_exact_page_info() {
    let (schema, _) = schema();
    for &order in ArticleOrder::ALL {
        for size in [1, 3, 4, 10] {
            let mut seen: Vec<i64> = Vec::new();
            let mut before: Option<String> = None;
            loop {
                let mut arguments = format!("last: {size}, {}", order_argument(order));
                if let Some(cursor) = &before {
                    arguments.push_str(&format!(", before: \"{cursor}\""));
                }
                let page = page(&schema, "articles", &arguments).await;
                assert_eq!(page.has_next, !seen.is_empty(), "{order:?} {size}");
                let mut ids = page.ids.clone();
                ids.extend(&seen);
                seen = ids;
                assert_eq!(page.has_previous, seen.len() < 23, "{order:?} {size}");
                if !page.has_previous {
                    break;
                }
                before = page.start;
            }
            assert_eq!(seen, reference(order), "{order:?} last: {size}");
        }
    }
}

#[tokio::test]
async fn the_closure_form_pages_like_the_slice_form() {
    let (schema, _) = schema();
    for arguments in ["", "first: 5", "last: 2, orderBy: TITLE", "first: 0"] {
        let slice = page(&schema, "articles", arguments).await;
        let closure = page(&schema, "countedArticles", arguments).await;
        assert_eq!(
            (
                slice.ids,
                slice.has_previous,
                slice.has_next,
                slice.start,
                slice.end
            ),
            (
                closure.ids,
                closure.has_previous,
                closure.has_next,
                closure.start,
                closure.end
            ),
            "{arguments}"
        );
    }
    // Without `first`/`last`, the default page size (4) applies.
    assert_eq!(
        page(&schema, "articles", "").await.ids,
        reference(ArticleOrder::Default)[..4]
    );
}

/// `#[keypage::connections]` declares the same arguments as the hand-written
/// resolver (the SDL snapshot shows them) and builds the same request.
#[tokio::test]
async fn the_declared_arguments_page_like_the_hand_written_ones() {
    let (schema, _) = schema();
    let end = page(&schema, "articles", "first: 3, orderBy: TITLE")
        .await
        .end;
    let start = page(&schema, "articles", "last: 3").await.start;
    let (end, start) = (end.unwrap(), start.unwrap());
    for arguments in [
        String::new(),
        "first: 5".to_owned(),
        "last: 2, orderBy: TITLE".to_owned(),
        "first: 0".to_owned(),
        format!("first: 4, after: \"{end}\", orderBy: TITLE"),
        format!("last: 4, before: \"{start}\", orderBy: DEFAULT"),
    ] {
        let hand = page(&schema, "articles", &arguments).await;
        let declared = page(&schema, "declaredArticles", &arguments).await;
        assert_eq!(
            (
                hand.ids,
                hand.has_previous,
                hand.has_next,
                hand.start,
                hand.end
            ),
            (
                declared.ids,
                declared.has_previous,
                declared.has_next,
                declared.start,
                declared.end
            ),
            "{arguments}"
        );
    }
    // The resolver's own argument sits beside them.
    let filtered = page(&schema, "declaredArticles", "first: 10, createdAfter: 1003").await;
    let expected: Vec<i64> = reference(ArticleOrder::Default)
        .into_iter()
        .filter(|id| 1_000 + id % 6 > 1003)
        .collect();
    assert_eq!(filtered.ids, expected);
    // Errors keep their codes and arguments.
    for (arguments, code, argument) in [
        ("first: 11", "PAGE_SIZE_OUT_OF_RANGE", Value::from("first")),
        ("first: 1, last: 1", "FIRST_AND_LAST", Value::Null),
        ("after: \"nope\"", "INVALID_CURSOR", Value::from("after")),
    ] {
        let hand = error(&schema, "articles", arguments).await;
        let declared = error(&schema, "declaredArticles", arguments).await;
        assert_eq!(hand, declared, "{arguments}");
        assert_eq!(declared.1, Value::from(code), "{arguments}");
        assert_eq!(declared.2, argument, "{arguments}");
    }
}

#[tokio::test]
async fn window_between_after_and_before() {
    let (schema, _) = schema();
    let all = page(&schema, "articles", "first: 10, orderBy: TITLE").await;
    let cursors = page(&schema, "articles", "first: 2, orderBy: TITLE").await;
    let after = cursors.end.unwrap();
    let before = page(&schema, "articles", "first: 6, orderBy: TITLE")
        .await
        .end
        .unwrap();
    let page = page(
        &schema,
        "articles",
        &format!("first: 10, after: \"{after}\", before: \"{before}\", orderBy: TITLE"),
    )
    .await;
    assert_eq!(page.ids, all.ids[2..5]);
    // Rows precede `after`; the window ends the page, so no next page in it
    // (a client that keeps `before` stops here).
    assert!(page.has_previous && !page.has_next);
    let short = self::page(
        &schema,
        "articles",
        &format!("first: 2, after: \"{after}\", before: \"{before}\", orderBy: TITLE"),
    )
    .await;
    assert_eq!(short.ids, all.ids[2..4]);
    assert!(short.has_previous && short.has_next);
}

/// An error's message and its `extensions.code` and `extensions.argument`.
async fn error(schema: &TestSchema, field: &str, arguments: &str) -> (String, Value, Value) {
    let query = format!("{{ {field}({arguments}) {{ totalCount }} }}");
    let response: Response = schema.execute(&query).await;
    assert_eq!(response.errors.len(), 1, "{query}: {:?}", response.errors);
    let error = &response.errors[0];
    let extensions = error.extensions.clone().unwrap_or_default();
    (
        error.message.clone(),
        extensions.get("code").cloned().unwrap_or(Value::Null),
        extensions.get("argument").cloned().unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn every_argument_error_has_its_code_and_names_the_argument() {
    let (schema, calls) = schema();
    let first = page(&schema, "articles", "first: 1").await.end.unwrap();
    let title = page(&schema, "articles", "first: 1, orderBy: TITLE")
        .await
        .end
        .unwrap();
    let cases: Vec<(String, &str, &str, &str)> = vec![
        (
            "first: 1, last: 1".into(),
            "FIRST_AND_LAST",
            "",
            "`first` and `last` cannot be given together; pass one of them",
        ),
        (
            "first: -1".into(),
            "PAGE_SIZE_OUT_OF_RANGE",
            "first",
            "`first` must be between 0 and 10, got -1",
        ),
        (
            "first: 11".into(),
            "PAGE_SIZE_OUT_OF_RANGE",
            "first",
            "`first` must be between 0 and 10, got 11",
        ),
        (
            "last: 2147483647".into(),
            "PAGE_SIZE_OUT_OF_RANGE",
            "last",
            "`last` must be between 0 and 10, got 2147483647",
        ),
        (
            "after: \"garbage!\"".into(),
            "INVALID_CURSOR",
            "after",
            "`after` is not a valid cursor: cursor is not valid: it is not URL-safe base64",
        ),
        (
            "before: \"\"".into(),
            "INVALID_CURSOR",
            "before",
            "`before` is not a valid cursor: cursor is empty",
        ),
        (
            format!("after: \"{title}\""),
            "CURSOR_ORDER_MISMATCH",
            "after",
            "`after` is not a valid cursor: cursor belongs to a different ordering or type than \
             the one requested",
        ),
        (
            format!("before: \"{first}\", orderBy: TITLE"),
            "CURSOR_ORDER_MISMATCH",
            "before",
            "`before` is not a valid cursor: cursor belongs to a different ordering or type than \
             the one requested",
        ),
    ];
    for field in ["articles", "countedArticles"] {
        for (arguments, code, argument, message) in &cases {
            let (got_message, got_code, got_argument) = error(&schema, field, arguments).await;
            assert_eq!(got_message, *message, "{field}({arguments})");
            assert_eq!(got_code, Value::from(*code), "{field}({arguments})");
            let argument = match *argument {
                "" => Value::Null,
                name => Value::from(name),
            };
            assert_eq!(got_argument, argument, "{field}({arguments})");
        }
    }
    // A refused request counts nothing, even though `totalCount` was selected.
    assert_eq!(calls.0.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn order_by_takes_the_ordering_names_only() {
    let (schema, _) = schema();
    let response = schema
        .execute("{ articles(orderBy: CREATED_AT) { totalCount } }")
        .await;
    assert_eq!(response.errors.len(), 1);
    assert!(
        response.errors[0].message.contains("ArticleOrder"),
        "{}",
        response.errors[0].message
    );
    let default = page(&schema, "articles", "first: 10, orderBy: DEFAULT").await;
    assert_eq!(default.ids, reference(ArticleOrder::Default)[..10]);
    let title = page(&schema, "articles", "first: 10, orderBy: TITLE").await;
    assert_eq!(title.ids, reference(ArticleOrder::Title)[..10]);
    assert_ne!(default.ids, title.ids);
    // As a variable too.
    let request = async_graphql::Request::new(
        "query($o: ArticleOrder) { articles(first: 3, orderBy: $o) { nodes { id } } }",
    )
    .variables(async_graphql::Variables::from_json(
        serde_json::json!({ "o": "TITLE" }),
    ));
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert_eq!(
        response.data.into_json().unwrap()["articles"]["nodes"][0]["id"],
        reference(ArticleOrder::Title)[0]
    );
}

#[tokio::test]
async fn total_count_runs_only_when_selected_and_once() {
    let (schema, calls) = schema();
    let _ = page(&schema, "countedArticles", "first: 3").await;
    assert_eq!(
        calls.0.load(Ordering::SeqCst),
        0,
        "not selected: not counted"
    );

    let response = schema
        .execute("{ countedArticles(first: 3) { totalCount nodes { id } } }")
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert_eq!(
        response.data.into_json().unwrap()["countedArticles"]["totalCount"],
        23
    );
    assert_eq!(calls.0.load(Ordering::SeqCst), 1, "selected: counted once");

    // Two aliases on one connection share one count.
    let response = schema
        .execute("{ countedArticles(first: 3) { a: totalCount b: totalCount } }")
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert_eq!(calls.0.load(Ordering::SeqCst), 2);

    // The slice form counts the slice, whatever the window.
    let response = schema
        .execute("{ articles(last: 2, orderBy: TITLE) { totalCount } }")
        .await;
    assert_eq!(
        response.data.into_json().unwrap()["articles"]["totalCount"],
        23
    );
}

#[tokio::test]
async fn generated_cursors_are_async_graphql_cursor_types() {
    let (schema, _) = schema();
    let page = page(&schema, "articles", "first: 1").await;
    let end = page.end.unwrap();
    let cursor = <ArticleCursor as CursorType>::decode_cursor(&end).unwrap();
    assert_eq!(cursor.id, page.ids[0]);
    assert_eq!(cursor.encode_cursor(), end);
    assert_eq!(cursor.encode(), end);
    let mismatch = <ArticleTitleCursor as CursorType>::decode_cursor(&end).unwrap_err();
    assert_eq!(mismatch, keypage::CursorError::OrderingMismatch);
}

#[test]
fn sdl() {
    let (schema, _) = schema();
    insta::assert_snapshot!(schema.sdl());
}
