#[derive(keypage::Paginate)]
#[paginate(order_by = "slug")]
struct Article {
    #[paginate(unique)]
    slug: Option<String>,
}

fn main() {}
