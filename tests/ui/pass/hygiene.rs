// The generated code names everything by absolute path, so a module that
// shadows prelude and primitive names with its own items still compiles.
#![allow(dead_code, non_camel_case_types)]

mod shadowing {
    pub struct Option;
    pub struct Result;
    pub struct Some;
    pub struct None;
    pub struct Ok;
    pub struct Vec;
    pub struct String;
    pub struct Clone;
    pub struct Debug;
    pub struct PartialEq;
    pub struct Default;
    pub struct Ordering;
    pub struct u32;
    pub struct str;
    pub mod core {}
    pub mod std {}
    pub mod keypage_runtime {}
    pub trait Cursor {}
    pub trait Keyset {}
    pub trait Paginate {}

    #[derive(::keypage::Paginate)]
    #[paginate(order_by = "created_at desc, id desc", table = "articles")]
    #[paginate(ordering(name = "TITLE", order_by = "title nulls first, id"))]
    pub struct Article {
        #[paginate(unique)]
        pub id: i64,
        pub title: ::std::option::Option<::std::string::String>,
        pub created_at: i64,
    }
}

fn main() {
    use shadowing::{Article, ArticleOrder};
    let rows = vec![Article { id: 1, title: None, created_at: 5 }];
    let page = Article::paginate_slice(&rows, &keypage::PageArgs::first(1)).unwrap();
    assert_eq!(page.edges.len(), 1);
    let page = Article::paginate_slice_by(&rows, ArticleOrder::Title, &keypage::PageArgs::last(1)).unwrap();
    assert_eq!(page.edges.len(), 1);
}
