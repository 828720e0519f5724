// `parent` takes no value, cannot be an `Option<Option<_>>`, and its type
// must be a key type (bound as a `CursorValue`).
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

#[derive(keypage::Paginate)]
#[paginate(order_by = "id")]
struct Tagged {
    #[paginate(unique)]
    id: i64,
    #[paginate(parent)]
    tags: Vec<u8>,
}

fn main() {}
