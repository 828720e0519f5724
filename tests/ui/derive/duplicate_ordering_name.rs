#[derive(keypage::Paginate)]
#[paginate(order_by = "id")]
#[paginate(ordering(name = "TITLE", order_by = "title, id"))]
#[paginate(ordering(name = "TITLE", order_by = "title desc, id desc"))]
#[paginate(ordering(name = "DEFAULT", order_by = "id desc"))]
struct Article {
    id: i64,
    title: String,
}

fn main() {}
