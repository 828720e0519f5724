#[derive(keypage::Paginate)]
#[paginate(order_by = "id")]
#[paginate(order_by = "id desc", max_page_size = 10, max_page_size = 20)]
struct Article {
    #[paginate(unique, unique)]
    id: i64,
}

fn main() {}
