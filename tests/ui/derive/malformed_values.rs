#[derive(keypage::Paginate)]
#[paginate(order_by = created_at, max_page_size = "100", default_page_size = -1)]
#[paginate(table, order_name = NEWEST)]
#[paginate(ordering = "TITLE")]
struct Article {
    #[paginate(unique = true)]
    id: i64,
    #[paginate(column = 5)]
    created_at: i64,
}

fn main() {}
