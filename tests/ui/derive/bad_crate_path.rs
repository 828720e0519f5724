#[derive(keypage::Paginate)]
#[paginate(order_by = "id asc", crate = "not a path")]
struct Article {
    #[paginate(unique)]
    id: i64,
}

fn main() {}
