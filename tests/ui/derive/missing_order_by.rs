#[derive(keypage::Paginate)]
struct Article {
    id: i64,
}

#[derive(keypage::Paginate)]
#[paginate(max_page_size = 50)]
struct Comment {
    id: i64,
}

fn main() {}
