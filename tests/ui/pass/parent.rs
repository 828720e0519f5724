// `#[paginate(parent)]` on a key-typed field, nullable or not, with or
// without a column name: `by_<field>()` is the relation, typed by the
// parent's key (the `Option`'s inner type).
#[derive(keypage::Paginate)]
#[paginate(order_by = "id")]
struct Post {
    #[paginate(unique)]
    id: i64,
    #[paginate(parent)]
    owner: i64,
    #[paginate(parent, column = "editor_slug")]
    editor: Option<String>,
}

fn main() {
    const OWNER: keypage::sql::Relation<Post, i64> = Post::by_owner();
    let editor: keypage::sql::Relation<Post, String> = Post::by_editor();
    assert_eq!((OWNER.field(), OWNER.column()), ("owner", "owner"));
    assert_eq!((editor.field(), editor.column()), ("editor", "editor_slug"));
}
