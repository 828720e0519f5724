#[derive(keypage::Paginate)]
#[paginate(order_by = "id", max_page = 10, tabel = "articles")]
#[paginate(ordering(nme = "TITLE", order_by = "title, id"))]
struct Article {
    #[paginate(uniqe)]
    id: i64,
    #[paginate(colum = "t")]
    title: String,
}

fn main() {}
