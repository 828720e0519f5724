use async_graphql::{Object, SimpleObject};
use keypage::graphql::ConnectionRequest;

#[derive(keypage::Paginate, SimpleObject, Clone)]
#[paginate(order_by = "id asc")]
struct Article {
    #[paginate(unique)]
    id: i64,
}

struct A;

#[keypage::connections]
#[Object]
impl A {
    async fn on_self(#[connection] &self) -> i32 {
        1
    }

    async fn with_arguments(
        &self,
        #[connection(first)] page: ConnectionRequest<Article>,
    ) -> async_graphql::Result<ArticleConnection> {
        page.over_slice(&[])
    }

    async fn described(
        &self,
        #[connection]
        #[graphql(desc = "the page")]
        page: ConnectionRequest<Article>,
    ) -> async_graphql::Result<ArticleConnection> {
        page.over_slice(&[])
    }

    async fn twice(
        &self,
        #[connection] page: ConnectionRequest<Article>,
        #[connection] again: ConnectionRequest<Article>,
    ) -> async_graphql::Result<ArticleConnection> {
        drop(again);
        page.over_slice(&[])
    }
}

struct E;

#[keypage::connections]
#[Object]
impl E {
    async fn clash(
        &self,
        #[connection] page: ConnectionRequest<Article>,
        first: Option<i32>,
    ) -> async_graphql::Result<ArticleConnection> {
        drop(first);
        page.over_slice(&[])
    }
}

struct B;

#[keypage::connections]
#[Object]
impl B {
    async fn plain(&self) -> i32 {
        1
    }
}

struct C;

#[keypage::connections(krate = "keypage")]
#[Object]
impl C {
    async fn page(&self, #[connection] page: ConnectionRequest<Article>) -> async_graphql::Result<ArticleConnection> {
        page.over_slice(&[])
    }
}

struct D;

#[keypage::connections]
#[Object]
impl D {
    async fn page(&self, #[connection] page: keypage::PageArgs) -> i32 {
        page.first.unwrap_or(0)
    }
}

fn main() {}
