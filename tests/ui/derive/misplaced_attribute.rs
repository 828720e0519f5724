#[derive(keypage::Paginate)]
#[paginate(order_by = "id", unique)]
struct Article {
    #[paginate(table = "articles")]
    id: i64,
}

fn main() {}
