//! The derive behind [keypage](https://docs.rs/keypage); depend on the
//! `keypage` crate, which re-exports it together with the runtime the
//! generated code calls.
//!
//! Layout (see the project's STYLE.md): `ast` reads the input, `attr` parses
//! `#[paginate(..)]`, `check` relates attributes and fields and builds the
//! model, `expand` generates code from it, `fallback` emits stubs next to
//! errors, `ctxt` collects errors, `suggest` proposes close names;
//! `connections` is the `#[keypage::connections]` attribute.

mod ast;
mod attr;
mod check;
#[cfg(feature = "graphql")]
mod connections;
mod ctxt;
mod expand;
mod fallback;
mod suggest;

use proc_macro::TokenStream;

/// Derives keyset pagination for a struct with named fields; see the
/// `keypage` crate for the attribute reference.
#[proc_macro_derive(Paginate, attributes(paginate))]
pub fn derive_paginate(input: TokenStream) -> TokenStream {
    match syn::parse::<syn::DeriveInput>(input) {
        Ok(input) => expand::derive(&input).into(),
        Err(err) => err.into_compile_error().into(),
    }
}

/// On an async-graphql `#[Object]` or `#[ComplexObject]` impl (and above
/// that attribute): the resolver parameter marked `#[connection]`, a
/// `keypage::graphql::ConnectionRequest<Article>`, becomes the connection
/// field's Relay arguments `first`, `after`, `last`, `before` and
/// `orderBy`; see `keypage::graphql`.
#[cfg(feature = "graphql")]
#[proc_macro_attribute]
pub fn connections(args: TokenStream, item: TokenStream) -> TokenStream {
    connections::expand(args.into(), item.into()).into()
}
