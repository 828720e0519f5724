#[derive(keypage::Paginate)]
#[paginate(order_by = "id")]
#[paginate(ordering(name = "BY_TITLE", order_by = "title, id"))]
#[paginate(ordering(name = "BY__TITLE", order_by = "title desc, id desc"))]
struct Article {
    id: i64,
    title: String,
}

fn main() {}
