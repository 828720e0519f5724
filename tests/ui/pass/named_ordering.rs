// Named orderings: their cursor types, enum variants and names, chosen at
// compile time and at run time.
use keypage::{Cursor, Keyset, PageArgs, Paginate};

#[derive(keypage::Paginate, Clone, Debug)]
#[paginate(order_by = "created_at desc, id desc", order_name = "NEWEST")]
#[paginate(ordering(name = "TITLE", order_by = "title asc nulls last, id asc"))]
#[paginate(ordering(name = "BY_SCORE_2", order_by = "score desc, id"))]
pub struct Article {
    #[paginate(unique)]
    id: i64,
    title: Option<String>,
    created_at: i64,
    score: f64,
}

fn main() {
    let rows = vec![
        Article { id: 1, title: Some("b".into()), created_at: 10, score: 0.5 },
        Article { id: 2, title: None, created_at: 20, score: 1.5 },
        Article { id: 3, title: Some("a".into()), created_at: 20, score: 0.5 },
    ];
    assert_eq!(ArticleOrder::ALL, [ArticleOrder::Newest, ArticleOrder::Title, ArticleOrder::ByScore2]);
    let names: Vec<&str> = ArticleOrder::ALL.iter().map(|o| o.name()).collect();
    assert_eq!(names, ["NEWEST", "TITLE", "BY_SCORE_2"]);

    let page = keypage::paginate_slice::<ArticleByScore2Cursor>(&rows, &PageArgs::first(3)).unwrap();
    assert_eq!(page.nodes().map(|a| a.id).collect::<Vec<_>>(), [2, 1, 3]);
    let page = Article::paginate_slice_by(&rows, ArticleOrder::Title, &PageArgs::first(3)).unwrap();
    assert_eq!(page.nodes().map(|a| a.id).collect::<Vec<_>>(), [3, 1, 2]);
    let page = Article::paginate_slice(&rows, &PageArgs::first(3)).unwrap();
    assert_eq!(page.nodes().map(|a| a.id).collect::<Vec<_>>(), [3, 2, 1]);

    let cursor = ArticleTitleCursor::from_row(&rows[0]);
    assert_eq!(ArticleTitleCursor::decode(&cursor.encode()).unwrap(), cursor);
    assert_eq!(<Article as Paginate>::ORDERINGS.len(), 3);

    // Every sort key of any ordering has a column for range filters; an
    // `Option<T>` key's range is over `T`, its NULLs only in the unbounded one.
    let title: keypage::KeyColumn<Article, String> = Article::title_column();
    let a_to_b = keypage::KeyRange::default().gte("a".to_owned()).lt("c".to_owned());
    assert_eq!(rows.iter().filter(|r| title.contains(&a_to_b, r)).count(), 2);
    let high = keypage::KeyRange::default().gt(1.0);
    assert_eq!(rows.iter().filter(|r| Article::score_column().contains(&high, r)).count(), 1);
    assert_eq!((Article::created_at_column().column(), Article::id_column().field()), ("created_at", "id"));
}
