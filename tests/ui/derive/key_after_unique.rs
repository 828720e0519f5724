#[derive(keypage::Paginate)]
#[paginate(order_by = "id, created_at desc")]
struct Article {
    id: i64,
    created_at: i64,
}

fn main() {}
