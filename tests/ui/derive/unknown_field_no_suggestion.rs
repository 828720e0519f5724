#[derive(keypage::Paginate)]
#[paginate(order_by = "author, id")]
struct Article {
    id: i64,
    title: String,
    created_at: i64,
}

fn main() {}
