#[derive(keypage::Paginate)]
#[paginate(order_by = "id")]
enum Article {
    A { id: i64 },
}

#[derive(keypage::Paginate)]
#[paginate(order_by = "id")]
struct Tuple(i64);

#[derive(keypage::Paginate)]
#[paginate(order_by = "id")]
struct Unit;

#[derive(keypage::Paginate)]
#[paginate(order_by = "id")]
union Union {
    id: i64,
}

fn main() {}
