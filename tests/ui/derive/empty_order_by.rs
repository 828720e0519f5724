#[derive(keypage::Paginate)]
#[paginate(order_by = "  ")]
struct Article {
    id: i64,
}

#[derive(keypage::Paginate)]
#[paginate(order_by = "id,")]
struct Comment {
    id: i64,
}

fn main() {}
