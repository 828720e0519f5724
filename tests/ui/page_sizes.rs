#[derive(keypage::Paginate)]
#[paginate(order_by = "id", max_page_size = 50, default_page_size = 80)]
struct Article {
    id: i64,
}

#[derive(keypage::Paginate)]
#[paginate(order_by = "id", max_page_size = 10)]
struct Comment {
    id: i64,
}

#[derive(keypage::Paginate)]
#[paginate(order_by = "id", max_page_size = 0)]
struct Tag {
    id: i64,
}

fn main() {}
