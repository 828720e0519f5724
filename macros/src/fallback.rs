//! What the derive emits next to its errors: the types and impls user code
//! names (`ArticleCursor`, `ArticleOrder`, `impl Paginate`,
//! `Article::paginate_slice`), with bodies that are never run, so a mistake
//! in the attribute is reported once instead of again at every use
//! (thiserror `fallback.rs`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::check::Model;
use crate::expand;

pub fn expand(model: &Model) -> TokenStream {
    let private = &model.private;
    let vis = model.input.vis;
    let row = model.input.ident;
    let type_name = &model.input.name;
    let order_enum = expand::order_enum(model);
    let mut cursors = TokenStream::new();
    let mut impls = TokenStream::new();
    for ordering in &model.orderings {
        let cursor = &ordering.cursor;
        let (_, spec, _) = expand::statics_idents(ordering);
        let name = &ordering.name;
        cursors.extend(quote! {
            #[doc(hidden)]
            #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
            #vis struct #cursor {}
        });
        impls.extend(quote! {
            static #spec: #private::OrderingSpec =
                #private::OrderingSpec::new(#type_name, #name, &[], 0);

            impl #private::Cursor for #cursor {
                fn encode(&self) -> #private::String {
                    ::core::unreachable!()
                }
                fn decode(
                    _: &::core::primitive::str,
                ) -> ::core::result::Result<Self, #private::CursorError> {
                    ::core::unreachable!()
                }
            }

            impl #private::Keyset for #cursor {
                type Row = #row;
                const ORDERING: &'static #private::OrderingSpec = &#spec;
                fn from_row(_: &#row) -> Self {
                    ::core::unreachable!()
                }
                fn cmp_row(_: &#row, _: &Self) -> ::core::cmp::Ordering {
                    ::core::unreachable!()
                }
                fn cmp_rows(_: &#row, _: &#row) -> ::core::cmp::Ordering {
                    ::core::unreachable!()
                }
                fn values(&self) -> #private::Vec<#private::Value> {
                    ::core::unreachable!()
                }
            }
        });
    }
    let common = expand::common_items(model);
    let graphql = expand::graphql_items(model);
    quote! {
        #cursors
        #order_enum
        #graphql
        #[doc(hidden)]
        #[allow(unused_qualifications)]
        const _: () = {
            #impls
            #common
        };
    }
}
