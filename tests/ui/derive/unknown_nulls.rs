#[derive(keypage::Paginate)]
#[paginate(order_by = "title desc nulls top, id")]
struct Article {
    id: i64,
    title: Option<String>,
}

fn main() {}
