// `parent` takes no value and cannot be an `Option<Option<_>>` (the type
// check, whose message lists features' types, is in `features/`).
#[derive(keypage::Paginate)]
#[paginate(order_by = "id")]
struct Post {
    #[paginate(unique)]
    id: i64,
    #[paginate(parent = "owners")]
    owner: i64,
    #[paginate(parent)]
    editor: Option<Option<i64>>,
}

fn main() {}
