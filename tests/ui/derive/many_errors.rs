// Every problem of one struct is reported in one compile, and user code
// naming the generated items gets no follow-on errors.
#[derive(keypage::Paginate)]
#[paginate(order_by = "create_at desc, title nulls last", max_page_size = 10, default_page_size = 20)]
#[paginate(ordering(name = "TITLE", order_by = "title sideways, id"))]
#[paginate(ordering(name = "TITLE", order_by = "id"), color = "red")]
struct Article {
    id: i64,
    title: String,
    #[paginate(column = "1created")]
    created_at: i64,
}

fn uses_the_generated_items(rows: &[Article]) {
    let _ = Article::paginate_slice(rows, &keypage::PageArgs::first(1));
    let _ = Article::paginate_slice_by(rows, ArticleOrder::Default, &keypage::PageArgs::first(1));
    let _: Option<ArticleCursor> = None;
    let _: Option<ArticleTitleCursor> = None;
}

fn main() {}
