#[derive(keypage::Paginate)]
#[paginate(order_by = "created_at dsc, id")]
struct Article {
    id: i64,
    created_at: i64,
}

fn main() {}
