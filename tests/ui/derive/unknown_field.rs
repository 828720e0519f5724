#[derive(keypage::Paginate)]
#[paginate(order_by = "create_at desc, id desc")]
struct Article {
    id: i64,
    created_at: i64,
}

fn main() {}
