use async_graphql::{Object, SimpleObject};
use keypage::graphql::ConnectionRequest;

#[derive(keypage::Paginate, SimpleObject, Clone)]
#[paginate(order_by = "id asc")]
struct Article {
    #[paginate(unique)]
    id: i64,
}

struct Query;

#[Object]
#[keypage::connections]
impl Query {
    async fn articles(
        &self,
        #[connection] page: ConnectionRequest<Article>,
    ) -> async_graphql::Result<ArticleConnection> {
        page.over_slice(&[])
    }
}

fn main() {}
