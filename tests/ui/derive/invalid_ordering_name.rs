#[derive(keypage::Paginate)]
#[paginate(order_by = "id", order_name = "newest")]
#[paginate(ordering(name = "by-title", order_by = "title, id"))]
#[paginate(ordering(name = "Title", order_by = "title, id"))]
struct Article {
    id: i64,
    title: String,
}

fn main() {}
