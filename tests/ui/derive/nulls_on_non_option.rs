#[derive(keypage::Paginate)]
#[paginate(order_by = "title nulls first, id")]
struct Article {
    id: i64,
    title: String,
}

fn main() {}
