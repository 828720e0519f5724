// A range filter is only on a sort key: a field of no ordering has no
// `_column()`, so `Select::range` on it cannot be written.
#[derive(keypage::Paginate)]
#[paginate(order_by = "created_at desc, id desc")]
struct Article {
    #[paginate(unique)]
    id: i64,
    title: String,
    created_at: i64,
}

fn main() {
    let _ = Article::created_at_column();
    let _ = Article::title_column();
}
