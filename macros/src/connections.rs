//! `#[keypage::connections]`: on an async-graphql `#[Object]` or
//! `#[ComplexObject]` impl, a resolver parameter marked `#[connection]`
//! becomes the connection field's Relay arguments.
//!
//! It must sit above async-graphql's attribute: attributes expand outermost
//! first, so async-graphql then reads the arguments this one declared.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{FnArg, ImplItem, ImplItemFn, ItemImpl, Meta, Token};

use crate::attr;
use crate::check::private_path;
use crate::ctxt::Ctxt;

/// The Rust names of the arguments declared for a marked parameter.
const ARGUMENT_IDENTS: [&str; 5] = ["first", "after", "last", "before", "order_by"];

/// The marker on the parameter.
const MARKER: &str = "connection";

/// The arguments declared in the marked parameter's place, in the order the
/// Relay specification lists them: (GraphQL name, Rust type, description).
/// The descriptions are async-graphql's own connection arguments'.
const PAGE_ARGUMENTS: [(&str, &str, &str); 4] = [
    (
        "first",
        "i32",
        "Returns the first _n_ elements from the list.",
    ),
    (
        "after",
        "String",
        "Returns the elements in the list that come after the specified cursor.",
    ),
    (
        "last",
        "i32",
        "Returns the last _n_ elements from the list.",
    ),
    (
        "before",
        "String",
        "Returns the elements in the list that come before the specified cursor.",
    ),
];

/// Expands the attribute: `args` is empty or `crate = "path"`.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let krate = crate_path(&cx, args);
    let private = private_path(krate.as_ref());
    let mut item: ItemImpl = match syn::parse2(item) {
        Ok(item) => item,
        Err(err) => {
            cx.syn_error(err);
            return cx
                .check()
                .map_or_else(|e| e.into_compile_error(), |()| TokenStream::new());
        }
    };
    if !item.attrs.iter().any(is_async_graphql) {
        // Below async-graphql's attribute, which has read the signatures
        // already: leave them, so its errors are only about the marked type.
        cx.error_spanned_by(
            quote::quote_spanned!(Span::call_site()=> connections),
            "`#[keypage::connections]` goes above async-graphql's `#[Object]` or \
             `#[ComplexObject]`, which then reads the arguments it declares",
        );
        for impl_item in &mut item.items {
            if let ImplItem::Fn(method) = impl_item {
                for input in &mut method.sig.inputs {
                    let attrs = match input {
                        FnArg::Typed(typed) => &mut typed.attrs,
                        FnArg::Receiver(receiver) => &mut receiver.attrs,
                    };
                    attrs.retain(|attr| !attr.path().is_ident(MARKER));
                }
            }
        }
        let errors = cx.check().err().map(syn::Error::into_compile_error);
        return quote!(#errors #item);
    }
    let mut marked = 0;
    for impl_item in &mut item.items {
        if let ImplItem::Fn(method) = impl_item {
            marked += expand_method(&cx, method, &private);
        }
    }
    if marked == 0 {
        cx.error_spanned_by(
            &item.self_ty,
            "no resolver parameter here is marked `#[connection]`; mark the parameter the \
             connection arguments make, e.g. `#[connection] page: ConnectionRequest<Article>`",
        );
    }
    let errors = cx.check().err().map(syn::Error::into_compile_error);
    quote!(#errors #item)
}

/// `crate = "path"`, the path keypage is reachable at.
fn crate_path(cx: &Ctxt, args: TokenStream) -> Option<syn::Path> {
    if args.is_empty() {
        return None;
    }
    let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
        Ok(metas) => metas,
        Err(err) => {
            cx.syn_error(err);
            return None;
        }
    };
    let mut krate = None;
    for meta in metas {
        let path = match &meta {
            Meta::NameValue(nv) if nv.path.is_ident("crate") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(lit),
                    ..
                }) => attr::crate_path(lit),
                other => Err(syn::Error::new_spanned(
                    other,
                    "`crate` takes a string, e.g. `crate = \"::keypage\"`",
                )),
            },
            _ => Err(syn::Error::new_spanned(
                &meta,
                "unknown argument; `#[keypage::connections]` takes only `crate = \"...\"`",
            )),
        };
        match path {
            Ok(_) if krate.is_some() => cx.error_spanned_by(&meta, "`crate` is set twice"),
            Ok(path) => krate = Some(path),
            Err(err) => cx.syn_error(err),
        }
    }
    krate
}

/// Replaces each marked parameter of `method` by the connection arguments
/// and binds it at the top of the body; returns how many were marked.
///
/// The arguments' Rust names are `first`, `after`, `last`, `before` and
/// `order_by`, so an async-graphql `complexity` expression can name them.
fn expand_method(cx: &Ctxt, method: &mut ImplItemFn, private: &TokenStream) -> usize {
    let mut marked = 0;
    let any_marked = (method.sig.inputs.iter()).any(|input| !marker_positions(input).is_empty());
    for input in &method.sig.inputs {
        if let FnArg::Typed(typed) = input
            && let syn::Pat::Ident(ident) = &*typed.pat
            && any_marked
            && marker_positions(input).is_empty()
            && ARGUMENT_IDENTS.contains(&&*ident.ident.to_string())
        {
            cx.error_spanned_by(
                &ident.ident,
                format!(
                    "`{}` is declared by the `#[connection]` parameter (the connection \
                     arguments are `first`, `after`, `last`, `before` and `order_by`); \
                     rename this one",
                    ident.ident
                ),
            );
        }
    }
    let mut inputs = Punctuated::<FnArg, Token![,]>::new();
    let mut bindings = Vec::new();
    for input in std::mem::take(&mut method.sig.inputs) {
        let markers = marker_positions(&input);
        if markers.is_empty() {
            inputs.push(input);
            continue;
        }
        marked += 1;
        let typed = match input {
            FnArg::Typed(typed) => typed,
            FnArg::Receiver(mut receiver) => {
                cx.error_spanned_by(
                    &receiver.attrs[markers[0]],
                    "`#[connection]` marks the parameter the connection arguments make, not \
                     `self`",
                );
                receiver.attrs.retain(|attr| !attr.path().is_ident(MARKER));
                inputs.push(FnArg::Receiver(receiver));
                continue;
            }
        };
        for (i, attr) in typed.attrs.iter().enumerate() {
            if markers.contains(&i) {
                if i != markers[0] {
                    cx.error_spanned_by(attr, "`#[connection]` is set twice on this parameter");
                } else if !matches!(attr.meta, Meta::Path(_)) {
                    cx.error_spanned_by(&attr.meta, "`#[connection]` takes no arguments");
                }
            } else {
                cx.error_spanned_by(
                    attr,
                    "a `#[connection]` parameter is not a GraphQL argument itself, so it takes \
                     no other attribute; its arguments are `first`, `after`, `last`, `before` \
                     and `orderBy`",
                );
            }
        }
        let pat = &typed.pat;
        let ty = &typed.ty;
        if marked > 1 {
            cx.error_spanned_by(
                &typed.attrs[markers[0]],
                "a resolver has one `#[connection]` parameter: a second would declare \
                 `first`, `after`, `last`, `before` and `orderBy` again",
            );
            // Bound all the same, so the body reports nothing more.
            bindings.push(quote! {
                let #pat: #ty = <#ty as #private::FromConnectionArgs>::from_connection_args(
                    ::core::option::Option::None,
                    ::core::default::Default::default(),
                );
            });
            continue;
        }
        let mut names = Vec::new();
        for (name, rust, desc) in PAGE_ARGUMENTS {
            let ident = format_ident!("{}", name);
            let rust = match rust {
                "i32" => quote!(::core::primitive::i32),
                _ => quote!(#private::String),
            };
            inputs.push(syn::parse_quote! {
                #[graphql(name = #name, desc = #desc)]
                #ident: ::core::option::Option<#rust>
            });
            names.push(ident);
        }
        inputs.push(syn::parse_quote! {
            #[graphql(
                name = "orderBy",
                desc = "The order of the elements; the default ordering when absent."
            )]
            order_by: ::core::option::Option<
                <#ty as #private::FromConnectionArgs>::Order
            >
        });
        let [first, after, last, before] = [&names[0], &names[1], &names[2], &names[3]];
        bindings.push(quote! {
            let #pat: #ty = <#ty as #private::FromConnectionArgs>::from_connection_args(
                order_by,
                #private::PageArgs { #first, #after, #last, #before },
            );
        });
    }
    method.sig.inputs = inputs;
    if !bindings.is_empty() {
        // Five arguments in place of one: clippy's count is not the user's.
        method
            .attrs
            .push(syn::parse_quote!(#[allow(clippy::too_many_arguments)]));
        let stmts = std::mem::take(&mut method.block.stmts);
        method.block = syn::parse_quote!({
            #(#bindings)*
            #(#stmts)*
        });
    }
    marked
}

/// Where `#[connection]` sits among the parameter's attributes.
fn marker_positions(input: &FnArg) -> Vec<usize> {
    let attrs = match input {
        FnArg::Typed(typed) => &typed.attrs,
        FnArg::Receiver(receiver) => &receiver.attrs,
    };
    (attrs.iter().enumerate())
        .filter(|(_, attr)| attr.path().is_ident(MARKER))
        .map(|(i, _)| i)
        .collect()
}

/// Whether `attr` is async-graphql's `Object`, `ComplexObject` or
/// `Subscription` attribute, by its last path segment (the way it is
/// imported is not known here).
fn is_async_graphql(attr: &syn::Attribute) -> bool {
    (attr.path().segments.last()).is_some_and(|s| {
        ["Object", "ComplexObject", "Subscription"].contains(&&*s.ident.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expansion of a resolver with a filter of its own beside the
    /// marked parameter, and one without a marker.
    #[test]
    fn resolver() {
        let item = quote! {
            #[Object]
            impl Query {
                #[graphql(complexity = "first.unwrap_or(20) as usize * child_complexity")]
                async fn articles(
                    &self,
                    ctx: &Context<'_>,
                    #[connection] page: ConnectionRequest<Article>,
                    author_id: Option<i64>,
                ) -> Result<ArticleConnection> {
                    page.select(ctx.data::<SqlitePool>()?, Article::table()).await
                }

                async fn plain(&self) -> i32 {
                    1
                }
            }
        };
        let file: syn::File = syn::parse2(expand(TokenStream::new(), item)).unwrap();
        insta::assert_snapshot!(prettyplease::unparse(&file));
    }
}
