#[derive(keypage::Paginate)]
#[paginate(order_by = "title, id")]
struct Article {
    id: i64,
    title: Option<Option<String>>,
}

fn main() {}
