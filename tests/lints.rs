//! The generated code is warning-free under strict lints (checked by
//! `cargo clippy --all-targets -- -D warnings` for the clippy ones).

#![deny(
    warnings,
    missing_docs,
    missing_debug_implementations,
    unused_qualifications,
    unused_results,
    unreachable_pub,
    trivial_casts,
    trivial_numeric_casts,
    unused_import_braces,
    variant_size_differences,
    single_use_lifetimes,
    elided_lifetimes_in_paths,
    let_underscore_drop,
    clippy::all,
    clippy::pedantic,
    clippy::nursery
)]

/// A public row type.
#[derive(keypage::Paginate, Debug)]
#[paginate(order_by = "created_at desc, id desc", table = "public.articles")]
#[paginate(ordering(name = "TITLE", order_by = "title desc nulls first, id"))]
#[paginate(ordering(name = "BY_SCORE_2", order_by = "score, id desc"))]
pub struct Article {
    /// Unique.
    #[paginate(unique)]
    pub id: u64,
    /// Nullable.
    pub title: Option<String>,
    /// A timestamp.
    #[paginate(column = "created")]
    pub created_at: i64,
    /// A float.
    pub score: f64,
    /// Not a key.
    pub body: Vec<u8>,
}

/// A private row type: nothing generated for it is used, and none of it may
/// warn.
#[derive(keypage::Paginate)]
#[paginate(order_by = "r#type, key", max_page_size = 10, default_page_size = 10)]
struct Private {
    #[paginate(unique)]
    key: String,
    r#type: char,
}

mod inner {
    // The lint is about the user's `pub(crate)`, which the generated code copies.
    #![allow(clippy::redundant_pub_crate)]

    /// A crate-visible row type.
    #[derive(keypage::Paginate, Debug)]
    #[paginate(order_by = "id")]
    pub(crate) struct Crated {
        pub(crate) id: i32,
    }
}

#[test]
fn compiles_without_warnings() {
    let rows = [inner::Crated { id: 1 }];
    let page = inner::Crated::paginate_slice(&rows, &keypage::PageArgs::first(1)).unwrap();
    assert_eq!(page.edges.len(), 1);
    let private = Private {
        key: String::new(),
        r#type: 'x',
    };
    assert_eq!((private.key.as_str(), private.r#type), ("", 'x'));
}
