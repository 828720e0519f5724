//! `keypage::client` against the example server over real HTTP on
//! 127.0.0.1: whole walks forward and backward, in both orderings, equal
//! the connection row for row; nodes typed through serde, also with types
//! shaped as graphql_client generates them; a refused page size.

#![cfg(feature = "client")]

use std::time::Duration;

use futures::TryStreamExt as _;
use keypage::client::{Client, ClientError};
use serde::Deserialize;

#[path = "support/example_server.rs"]
mod example_server;

const ARTICLES: i64 = 2_345;
const BUDGET: Duration = Duration::from_secs(120);

const QUERY: &str =
    "query($first: Int, $after: String, $last: Int, $before: String, $order: ArticleOrder) {
  articles(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
    totalCount
    nodes { id title createdAt author { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Article {
    id: i64,
    title: String,
    created_at: i64,
    author: Author,
}

#[derive(Debug, Deserialize)]
struct Author {
    name: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walks_equal_the_connection_in_both_directions() {
    tokio::time::timeout(BUDGET, async {
        let server = example_server::start(ARTICLES).await;
        let client = Client::new(&server.url).unwrap();
        for (order, expected) in [("NEWEST", &server.newest), ("TITLE", &server.title)] {
            let forward: Vec<Article> = client
                .walk(QUERY)
                .variable("order", order)
                .page_size(100)
                .nodes()
                .try_collect()
                .await
                .unwrap();
            assert!(
                forward
                    .iter()
                    .all(|a| !a.title.is_empty() && !a.author.name.is_empty() && a.created_at > 0)
            );
            let ids: Vec<i64> = forward.iter().map(|a| a.id).collect();
            assert!(&ids == expected, "{order} forward: not the connection");

            // Backwards the nodes come last first.
            let mut backward: Vec<i64> = client
                .walk(QUERY)
                .variable("order", order)
                .page_size(99)
                .backward()
                .nodes::<Article>()
                .map_ok(|a| a.id)
                .try_collect()
                .await
                .unwrap();
            backward.reverse();
            assert!(
                &backward == expected,
                "{order} backward: not the connection"
            );
        }

        let pages: Vec<_> = client
            .walk(QUERY)
            .variable("order", "NEWEST")
            .page_size(1000 / 10)
            .pages::<Article>()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(pages.len(), (ARTICLES as usize).div_ceil(100));
        assert!(
            pages
                .iter()
                .all(|p| p.total_count == Some(ARTICLES as u64) && p.errors.is_empty())
        );
        assert_eq!(
            pages.iter().map(|p| p.number).collect::<Vec<_>>(),
            (1..=pages.len() as u64).collect::<Vec<_>>()
        );
    })
    .await
    .expect("took too long");
}

/// Types as graphql_client's `#[derive(GraphQLQuery)]` generates them for
/// `QUERY` (module per query, `Variables`, `ResponseData`, one struct per
/// selection set), written out by hand: graphql_client's derive needs the
/// schema file and its compile cost, and the walker needs only serde.
#[allow(non_camel_case_types, dead_code, clippy::upper_case_acronyms)]
mod articles_query {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize)]
    pub enum ArticleOrder {
        NEWEST,
        TITLE,
    }

    #[derive(Serialize)]
    pub struct Variables {
        pub first: Option<i64>,
        pub after: Option<String>,
        pub last: Option<i64>,
        pub before: Option<String>,
        pub order: Option<ArticleOrder>,
    }

    #[derive(Deserialize)]
    pub struct ResponseData {
        pub articles: ArticlesQueryArticles,
    }

    #[derive(Deserialize)]
    pub struct ArticlesQueryArticles {
        #[serde(rename = "totalCount")]
        pub total_count: i64,
        pub nodes: Vec<ArticlesQueryArticlesNodes>,
        #[serde(rename = "pageInfo")]
        pub page_info: ArticlesQueryArticlesPageInfo,
    }

    #[derive(Deserialize)]
    pub struct ArticlesQueryArticlesNodes {
        pub id: i64,
        pub title: String,
        #[serde(rename = "createdAt")]
        pub created_at: i64,
        pub author: ArticlesQueryArticlesNodesAuthor,
    }

    #[derive(Deserialize)]
    pub struct ArticlesQueryArticlesNodesAuthor {
        pub name: String,
    }

    #[derive(Deserialize)]
    pub struct ArticlesQueryArticlesPageInfo {
        #[serde(rename = "hasNextPage")]
        pub has_next_page: bool,
        #[serde(rename = "endCursor")]
        pub end_cursor: Option<String>,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn works_with_graphql_client_shaped_types() {
    tokio::time::timeout(BUDGET, async {
        let server = example_server::start(ARTICLES).await;
        let client = Client::new(&server.url).unwrap();
        let variables = articles_query::Variables {
            first: None,
            after: None,
            last: None,
            before: None,
            order: Some(articles_query::ArticleOrder::TITLE),
        };
        let pages: Vec<_> = client
            .walk(QUERY)
            .variables(&variables)
            .page_size(500 / 5)
            .pages::<articles_query::ArticlesQueryArticlesNodes>()
            .try_collect()
            .await
            .unwrap();
        let mut ids = Vec::new();
        for page in &pages {
            let data: articles_query::ResponseData = page.data_as().unwrap();
            assert_eq!(data.articles.total_count, ARTICLES);
            assert_eq!(data.articles.nodes.len(), page.nodes.len());
            assert_eq!(
                data.articles.page_info.has_next_page,
                page.number < pages.len() as u64
            );
            assert_eq!(
                data.articles.page_info.end_cursor,
                page.page_info.end_cursor
            );
            ids.extend(page.nodes.iter().map(|n| n.id));
        }
        assert!(
            ids == server.title,
            "graphql_client-shaped walk: not the connection"
        );
    })
    .await
    .expect("took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_page_size_is_named() {
    tokio::time::timeout(BUDGET, async {
        let server = example_server::start(300).await;
        let client = Client::new(&server.url).unwrap();
        for walk in [
            client.walk(QUERY).page_size(101),
            client.walk(QUERY).page_size(101).backward(),
        ] {
            let error = walk
                .nodes::<Article>()
                .try_collect::<Vec<_>>()
                .await
                .unwrap_err();
            let ClientError::PageSizeRefused {
                size,
                ref argument,
                ref message,
            } = error
            else {
                panic!("not a refused page size: {error}");
            };
            assert_eq!(size, 101);
            assert!(argument == "first" || argument == "last", "{argument}");
            assert!(message.contains("101"), "{message}");
            assert!(error.to_string().contains("page size 101"), "{error}");
        }
    })
    .await
    .expect("took too long");
}

/// A server that signs its cursors: the client walks it as any other (a
/// cursor is opaque to it), and a cursor the server did not sign, resumed
/// from, is refused with `INVALID_CURSOR`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walks_a_server_that_signs_its_cursors() {
    tokio::time::timeout(BUDGET, async {
        let keys = keypage::signed::CursorKeys::new(1, [42; 32])
            .unwrap()
            .expire_after(Duration::from_secs(600));
        let server = example_server::start_with_keys(700, Some(keys.clone())).await;
        let client = Client::new(&server.url).unwrap();
        let pages: Vec<keypage::client::Page<Article>> = client
            .walk(QUERY)
            .variable("order", "NEWEST")
            .page_size(50)
            .pages()
            .try_collect()
            .await
            .unwrap();
        let ids: Vec<i64> = pages
            .iter()
            .flat_map(|p| p.nodes.iter().map(|a| a.id))
            .collect();
        assert!(ids == server.newest, "signed walk: not the connection");
        let end = pages[0].page_info.end_cursor.clone().expect("a cursor");
        let plain = keys.verify(&end).expect("signed by the server's key");

        let error = client
            .walk(QUERY)
            .variable("order", "NEWEST")
            .page_size(50)
            .starting_at(plain)
            .nodes::<Article>()
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        let ClientError::Graphql { ref errors, .. } = error else {
            panic!("not the server's error: {error}");
        };
        let code = errors[0].extensions.as_ref().map(|e| e["code"].clone());
        assert_eq!(code, Some(serde_json::json!("INVALID_CURSOR")), "{error}");
        assert!(errors[0].message.contains("not signed"), "{error}");
    })
    .await
    .expect("took too long");
}
