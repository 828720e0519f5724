#[derive(keypage::Paginate)]
#[paginate(order_by = "id", table = "articles; drop table users")]
struct Article {
    id: i64,
    #[paginate(column = "created at")]
    created_at: i64,
}

#[derive(keypage::Paginate)]
#[paginate(order_by = "id", table = "a.b.c")]
struct Comment {
    id: i64,
    #[paginate(column = "id")]
    legacy_id: i64,
}

fn main() {}
