#[derive(Clone, Debug, PartialEq)]
struct Score(u32);

#[derive(keypage::Paginate)]
#[paginate(order_by = "score desc, id")]
struct Article {
    id: i64,
    score: Score,
}

fn main() {}
