#[derive(keypage::Paginate)]
#[paginate(order_by = "id")]
struct Article<T> {
    id: i64,
    body: T,
}

#[derive(keypage::Paginate)]
#[paginate(order_by = "id")]
struct Borrowed<'a> {
    id: i64,
    title: &'a str,
}

fn main() {}
