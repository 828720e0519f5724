#[derive(keypage::Paginate)]
#[paginate(order_by = "created_at desc")]
struct Article {
    id: i64,
    created_at: i64,
}

#[derive(keypage::Paginate)]
#[paginate(order_by = "created_at desc")]
struct Event {
    created_at: i64,
    name: String,
}

fn main() {}
