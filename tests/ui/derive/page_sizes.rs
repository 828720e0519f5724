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

#[derive(keypage::Paginate)]
#[paginate(order_by = "id", max_offset = -1)]
struct Note {
    id: i64,
}

#[derive(keypage::Paginate)]
#[paginate(order_by = "id", max_offset = 2147483648)]
struct Label {
    id: i64,
}

#[derive(keypage::Paginate)]
#[paginate(order_by = "id", max_offset = "500")]
struct Badge {
    id: i64,
}

// Zero is allowed: no offsets at all.
#[derive(keypage::Paginate)]
#[paginate(order_by = "id", max_offset = 0)]
struct Topic {
    id: i64,
}

fn main() {}
