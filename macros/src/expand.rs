//! The generated code, one function per generated item.

use proc_macro2::{Delimiter, Literal, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned as _;

use crate::ast::Input;
use crate::attr::SortOrder;
use crate::check::{self, Model, Ordering};
use crate::ctxt::Ctxt;
use crate::fallback;

/// The whole expansion of `#[derive(Paginate)]` on `node`: the generated
/// items, or the errors plus fallback stubs.
pub fn derive(node: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let Some(input) = Input::from_syn(&cx, node) else {
        return cx
            .check()
            .err()
            .map(syn::Error::into_compile_error)
            .unwrap_or_default();
    };
    let model = check::validate(&cx, &input);
    match cx.check() {
        Ok(()) => impl_struct(&model),
        Err(err) => {
            let mut tokens = err.into_compile_error();
            // Stubs for a generic struct would need the generics they lack.
            if !input.is_generic() {
                tokens.extend(fallback::expand(&model));
            }
            tokens
        }
    }
}

fn impl_struct(model: &Model) -> TokenStream {
    let cursor_structs = model.orderings.iter().map(|o| cursor_struct(model, o));
    let order_enum = order_enum(model);
    let key_ops = key_ops(model);
    let ordering_statics = model.orderings.iter().map(|o| ordering_statics(model, o));
    let cursor_impls = model.orderings.iter().map(|o| impl_cursor(model, o));
    let keyset_impls = model.orderings.iter().map(|o| impl_keyset(model, o));
    let body = common_items(model);
    let graphql = graphql_items(model);
    quote! {
        #(#cursor_structs)*
        #order_enum
        #graphql
        #[doc(hidden)]
        #[allow(unused_qualifications)]
        const _: () = {
            #key_ops
            #(#ordering_statics)*
            #(#cursor_impls)*
            #(#keyset_impls)*
            #body
        };
    }
}

/// `#[doc = "..."]` lines for `text`, one per line, so rustdoc and
/// pretty-printers see ordinary `///` comments.
fn docs(text: &str) -> TokenStream {
    text.lines()
        .map(|line| {
            let line = format!(" {line}");
            let line = line.trim_end();
            quote!(#[doc = #line])
        })
        .collect()
}

/// The items that do not depend on the keys, shared with the fallback:
/// the order enum's methods, `impl Paginate` and the inherent methods.
pub fn common_items(model: &Model) -> TokenStream {
    let order_enum_impl = impl_order_enum(model);
    let paginate_impl = impl_paginate(model);
    let inherent_impl = impl_inherent(model);
    let sqlx_methods = sqlx_methods(model);
    quote! {
        #order_enum_impl
        #paginate_impl
        #inherent_impl
        #sqlx_methods
    }
}

/// With `#[paginate(table = "...")]`: `Article::table`, `Article::fetch_page`,
/// `Article::fetch_page_by` and `Article::total_count`, as one call of a
/// runtime macro that expands to them when a sqlx feature of keypage is on
/// and to nothing otherwise (the derive cannot see keypage's features).
fn sqlx_methods(model: &Model) -> TokenStream {
    let Some(table) = &model.table else {
        return TokenStream::new();
    };
    let row = model.input.ident;
    quote! {
        ::keypage::__private::__keypage_sqlx_methods!(#row, #table);
    }
}

/// The GraphQL items (`ArticleConnection`, `Article::connection`, the order
/// enum as a GraphQL enum, `CursorType` for the cursors), as one call of a
/// runtime macro that expands to them when keypage's `graphql` feature is
/// on and to nothing otherwise: the derive cannot see keypage's features.
/// Shared with the fallback, so a resolver naming them gets no follow-on
/// errors.
pub fn graphql_items(model: &Model) -> TokenStream {
    let vis = model.input.vis;
    let row = model.input.ident;
    let name = &model.input.name;
    let connection = format_ident!(
        "{}Connection",
        model.input.name,
        span = proc_macro2::Span::call_site()
    );
    let connection_doc = format!(
        " The Relay connection of `{name}` for async-graphql (GraphQL types \
         `{name}Connection` and `{name}Edge`), as `{name}::connection` returns it."
    );
    let order = &model.order_enum;
    let order_doc = format!(
        "The orderings of `{name}`; `{}` is the default.",
        model.orderings[0].name,
    );
    let variants = model.orderings.iter().map(|ordering| {
        let variant = &ordering.variant;
        let name = &ordering.name;
        let keys = ordering.describe();
        quote!(#variant = #name: #keys,)
    });
    let cursors = model.orderings.iter().map(|o| &o.cursor);
    quote! {
        ::keypage::__private::__keypage_graphql! {
            row: #row,
            vis: #vis,
            connection: #connection = #connection_doc,
            order: #order = #order_doc {
                #(#variants)*
            },
            cursors: [#(#cursors),*],
        }
    }
}

/// `ArticleCursor`: the key values of one row in one ordering.
fn cursor_struct(model: &Model, ordering: &Ordering) -> TokenStream {
    let vis = model.input.vis;
    let ident = &ordering.cursor;
    let doc = docs(&format!(
        "The position of a row of `{}` in the ordering `{}` (`{}`): its key values.\n\n\
         Generated by `#[derive(keypage::Paginate)]`. `keypage::Cursor` turns it into an opaque \
         cursor string and back; `keypage::Keyset` reads it off a row.",
        model.input.name,
        ordering.name,
        ordering.describe(),
    ));
    let fields = ordering.keys.iter().map(|key| {
        let field = key.field.ident;
        let ty = key.field.ty;
        let mut doc = format!("The `{}` key ({}", key.field.name, key.order.keyword());
        if let Some(nulls) = key.nulls {
            doc.push_str(", nulls ");
            doc.push_str(nulls.keyword());
        }
        doc.push_str(").");
        let doc = docs(&doc);
        quote! {
            #doc
            #vis #field: #ty,
        }
    });
    quote! {
        #doc
        // Whether the keys are `Eq` is unknown here (`f64` keys are not).
        #[allow(clippy::derive_partial_eq_without_eq)]
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
        #vis struct #ident {
            #(#fields)*
        }
    }
}

/// `ArticleOrder`: one variant per ordering, to choose one at run time.
pub fn order_enum(model: &Model) -> TokenStream {
    let vis = model.input.vis;
    let ident = &model.order_enum;
    let doc = docs(&format!(
        "The orderings of `{name}`, to choose one at run time, e.g. with \
         `{name}::paginate_slice_by`.\n\nGenerated by `#[derive(keypage::Paginate)]`; \
         the default is the ordering of `order_by`.",
        name = model.input.name,
    ));
    let variants = model.orderings.iter().enumerate().map(|(i, ordering)| {
        let variant = &ordering.variant;
        let doc = docs(&format!("`{}`: `{}`.", ordering.name, ordering.describe()));
        let default = (i == 0).then(|| quote!(#[default]));
        quote! {
            #doc
            #default
            #variant,
        }
    });
    quote! {
        #doc
        #[derive(
            ::core::clone::Clone,
            ::core::marker::Copy,
            ::core::fmt::Debug,
            ::core::cmp::PartialEq,
            ::core::cmp::Eq,
            ::core::hash::Hash,
            ::core::default::Default,
        )]
        #vis enum #ident {
            #(#variants)*
        }
    }
}

fn impl_order_enum(model: &Model) -> TokenStream {
    let vis = model.input.vis;
    let ident = &model.order_enum;
    let variants: Vec<_> = model.orderings.iter().map(|o| &o.variant).collect();
    let names = model.orderings.iter().map(|o| &o.name);
    quote! {
        #[automatically_derived]
        impl #ident {
            /// Every ordering, the default first.
            #vis const ALL: &'static [Self] = &[#(Self::#variants),*];

            /// The ordering's name, as a GraphQL enum value (`"DEFAULT"`, ...).
            #[must_use]
            #vis const fn name(self) -> &'static ::core::primitive::str {
                match self {
                    #(Self::#variants => #names,)*
                }
            }
        }
    }
}

/// The `CursorValue` operations of each key field's type, taken once per
/// field in a `const` spanned on the field's type. A type that is not a
/// `CursorValue` then gets exactly one error, on the field, with the trait's
/// `on_unimplemented` message; the code using the key goes through these
/// function pointers, which need no bound, so it adds no follow-on errors.
fn key_ops(model: &Model) -> TokenStream {
    let mut seen = Vec::new();
    let mut consts = TokenStream::new();
    for key in model.orderings.iter().flat_map(|o| &o.keys) {
        if seen.contains(&key.field.name) {
            continue;
        }
        seen.push(key.field.name.clone());
        let ident = key_ops_ident(model, key.field);
        let ty = key.field.ty;
        consts.extend(quote_spanned! {ty.span()=>
            const #ident: __KeyOps<#ty> = __key_ops::<#ty>();
        });
    }
    quote! {
        struct __KeyOps<__T> {
            write: fn(&mut ::keypage::__private::CursorWriter, &__T),
            write_key: fn(
                &mut ::keypage::__private::CursorWriter,
                &'static ::core::primitive::str,
                &__T,
            ) -> ::core::result::Result<(), ::keypage::__private::KeyTooLong>,
            max_len: ::core::primitive::usize,
            read: fn(
                &mut ::keypage::__private::CursorReader,
            ) -> ::core::result::Result<__T, ::keypage::__private::CursorError>,
            compare: fn(&::keypage::__private::KeySpec, &__T, &__T) -> ::core::cmp::Ordering,
            to_value: fn(&__T) -> ::keypage::__private::Value,
        }
        const fn __key_ops<__T: ::keypage::__private::CursorValue>() -> __KeyOps<__T> {
            __KeyOps {
                write: ::keypage::__private::CursorWriter::write::<__T>,
                write_key: ::keypage::__private::CursorWriter::write_key::<__T>,
                max_len: <__T as ::keypage::__private::CursorValue>::MAX_ENCODED_LEN,
                read: ::keypage::__private::CursorReader::read::<__T>,
                compare: ::keypage::__private::KeySpec::compare::<__T>,
                to_value: <__T as ::keypage::__private::CursorValue>::to_value,
            }
        }
        #consts
    }
}

/// `__KEY_CREATED_AT`: the `key_ops` const of a field; `__KEY_<index>` for
/// names that would not map one-to-one to upper case (`a_b` next to `A_B`,
/// non-ASCII names).
fn key_ops_ident(model: &Model, field: &crate::ast::Field) -> syn::Ident {
    let plain = field
        .name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if plain {
        format_ident!("__KEY_{}", field.name.to_ascii_uppercase())
    } else {
        let index = model
            .input
            .fields
            .iter()
            .position(|f| f.name == field.name)
            .unwrap_or_default();
        format_ident!("__KEY_{}", index)
    }
}

/// The names of an ordering's statics: `__KEYS_TITLE`, `__ORDERING_TITLE`,
/// `__FINGERPRINT_TITLE` (ordering names are `[A-Z][A-Z0-9_]*`).
pub fn statics_idents(ordering: &Ordering) -> (syn::Ident, syn::Ident, syn::Ident) {
    (
        format_ident!("__KEYS_{}", ordering.name),
        format_ident!("__ORDERING_{}", ordering.name),
        format_ident!("__FINGERPRINT_{}", ordering.name),
    )
}

/// `__MAX_LEN_TITLE`: the longest cursor of the ordering.
fn max_len_ident(ordering: &Ordering) -> syn::Ident {
    format_ident!("__MAX_LEN_{}", ordering.name)
}

/// The ordering's `KeySpec`s, `OrderingSpec`, fingerprint and longest
/// cursor (from the key types' `MAX_ENCODED_LEN`, summed by the runtime).
fn ordering_statics(model: &Model, ordering: &Ordering) -> TokenStream {
    let (keys_ident, ordering_ident, fingerprint_ident) = statics_idents(ordering);
    let max_len_ident = max_len_ident(ordering);
    let ops = ordering.keys.iter().map(|k| key_ops_ident(model, k.field));
    let type_name = &model.input.name;
    let name = &ordering.name;
    let len_lit = Literal::usize_unsuffixed(ordering.keys.len());
    let mut parts = vec![type_name.clone()];
    let specs = ordering.keys.iter().map(|key| {
        let field = &key.field.name;
        let column = key.field.column();
        let order = match key.order {
            SortOrder::Asc => quote!(::keypage::__private::SortOrder::Asc),
            SortOrder::Desc => quote!(::keypage::__private::SortOrder::Desc),
        };
        let nulls = match key.nulls {
            None => quote!(::core::option::Option::None),
            Some(crate::attr::Nulls::First) => {
                quote!(::core::option::Option::Some(
                    ::keypage::__private::Nulls::First
                ))
            }
            Some(crate::attr::Nulls::Last) => {
                quote!(::core::option::Option::Some(
                    ::keypage::__private::Nulls::Last
                ))
            }
        };
        quote! {
            ::keypage::__private::KeySpec {
                field: #field,
                column: #column,
                order: #order,
                nulls: #nulls,
            }
        }
    });
    let specs: Vec<TokenStream> = specs.collect();
    for key in &ordering.keys {
        parts.push(key.field.name.clone());
        parts.push(type_string(key.field.ty));
        parts.push(key.order.keyword().to_owned());
        parts.push(key.nulls.map_or("", |n| n.keyword()).to_owned());
    }
    quote! {
        const #fingerprint_ident: ::core::primitive::u32 =
            ::keypage::__private::fingerprint(&[#(#parts),*]);
        const #max_len_ident: ::core::primitive::usize =
            ::keypage::__private::max_cursor_len(&[#(#ops.max_len),*]);
        static #keys_ident: [::keypage::__private::KeySpec; #len_lit] = [#(#specs),*];
        static #ordering_ident: ::keypage::__private::OrderingSpec =
            ::keypage::__private::OrderingSpec {
                type_name: #type_name,
                name: #name,
                keys: &#keys_ident,
                fingerprint: #fingerprint_ident,
            };
    }
}

/// `impl Cursor`: the keys written and read in key order behind the
/// ordering's fingerprint; `try_encode` checks each key's length, `decode`
/// refuses input longer than the ordering's longest cursor.
fn impl_cursor(model: &Model, ordering: &Ordering) -> TokenStream {
    let ident = &ordering.cursor;
    let (_, _, fingerprint) = statics_idents(ordering);
    let max_len = max_len_ident(ordering);
    let fields: Vec<_> = ordering.keys.iter().map(|k| k.field.ident).collect();
    let names = ordering.keys.iter().map(|k| &k.field.name);
    let ops: Vec<_> = ordering
        .keys
        .iter()
        .map(|k| key_ops_ident(model, k.field))
        .collect();
    quote! {
        #[automatically_derived]
        impl ::keypage::__private::Cursor for #ident {
            const MAX_LEN: ::core::primitive::usize = #max_len;

            fn encode(&self) -> ::keypage::__private::String {
                let mut __writer = ::keypage::__private::CursorWriter::new(#fingerprint);
                #((#ops.write)(&mut __writer, &self.#fields);)*
                __writer.finish()
            }

            fn try_encode(
                &self,
            ) -> ::core::result::Result<
                ::keypage::__private::String,
                ::keypage::__private::KeyTooLong,
            > {
                let mut __writer = ::keypage::__private::CursorWriter::new(#fingerprint);
                #((#ops.write_key)(&mut __writer, #names, &self.#fields)?;)*
                ::core::result::Result::Ok(__writer.finish())
            }

            fn decode(
                __s: &::core::primitive::str,
            ) -> ::core::result::Result<Self, ::keypage::__private::CursorError> {
                let mut __reader =
                    ::keypage::__private::CursorReader::open_within(__s, #fingerprint, #max_len)?;
                let __cursor = #ident {
                    #(#fields: (#ops.read)(&mut __reader)?,)*
                };
                __reader.finish()?;
                ::core::result::Result::Ok(__cursor)
            }
        }
    }
}

/// `impl Keyset`: how rows and cursors compare in the ordering.
fn impl_keyset(model: &Model, ordering: &Ordering) -> TokenStream {
    let row = model.input.ident;
    let ident = &ordering.cursor;
    let (keys, spec, _) = statics_idents(ordering);
    let fields: Vec<_> = ordering.keys.iter().map(|k| k.field.ident).collect();
    let ops: Vec<_> = ordering
        .keys
        .iter()
        .map(|k| key_ops_ident(model, k.field))
        .collect();
    let compare = |a: TokenStream, b: TokenStream| {
        let mut chain = TokenStream::new();
        for (i, (field, ops)) in fields.iter().zip(&ops).enumerate() {
            let index = Literal::usize_unsuffixed(i);
            let cmp = quote!((#ops.compare)(&#keys[#index], &#a.#field, &#b.#field));
            chain = if i == 0 {
                cmp
            } else {
                quote!(#chain.then_with(|| #cmp))
            };
        }
        chain
    };
    let cmp_row = compare(quote!(__row), quote!(__cursor));
    let cmp_rows = compare(quote!(__a), quote!(__b));
    quote! {
        #[automatically_derived]
        impl ::keypage::__private::Keyset for #ident {
            type Row = #row;

            const ORDERING: &'static ::keypage::__private::OrderingSpec = &#spec;

            #[inline]
            fn from_row(__row: &#row) -> Self {
                #ident {
                    #(#fields: ::core::clone::Clone::clone(&__row.#fields),)*
                }
            }

            #[inline]
            fn cmp_row(__row: &#row, __cursor: &Self) -> ::core::cmp::Ordering {
                #cmp_row
            }

            #[inline]
            fn cmp_rows(__a: &#row, __b: &#row) -> ::core::cmp::Ordering {
                #cmp_rows
            }

            fn values(&self) -> ::keypage::__private::Vec<::keypage::__private::Value> {
                ::keypage::__private::Vec::from([
                    #((#ops.to_value)(&self.#fields),)*
                ])
            }
        }
    }
}

/// `impl Paginate`: the orderings, limits and columns of the row type.
fn impl_paginate(model: &Model) -> TokenStream {
    let row = model.input.ident;
    let order = &model.order_enum;
    let default_cursor = &model.orderings[0].cursor;
    let specs = model.orderings.iter().map(|o| statics_idents(o).1);
    let max = Literal::u32_unsuffixed(model.max_page_size);
    let default = Literal::u32_unsuffixed(model.default_page_size);
    let max_offset = Literal::u32_unsuffixed(model.max_offset);
    let table = match &model.table {
        Some(table) => quote!(::core::option::Option::Some(#table)),
        None => quote!(::core::option::Option::None),
    };
    let columns = model.input.fields.iter().map(crate::ast::Field::column);
    let arms = model.orderings.iter().map(|o| {
        let variant = &o.variant;
        let cursor = &o.cursor;
        quote! {
            #order::#variant => {
                <__V as ::keypage::__private::OrderVisitor<Self>>::visit::<#cursor>(__visitor)
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl ::keypage::__private::Paginate for #row {
            type Cursor = #default_cursor;
            type Order = #order;
            const ORDERINGS: &'static [&'static ::keypage::__private::OrderingSpec] = &[#(&#specs),*];
            const MAX_PAGE_SIZE: ::core::primitive::u32 = #max;
            const DEFAULT_PAGE_SIZE: ::core::primitive::u32 = #default;
            const MAX_OFFSET: ::core::primitive::u32 = #max_offset;
            const TABLE: ::core::option::Option<&'static ::core::primitive::str> = #table;
            const COLUMNS: &'static [&'static ::core::primitive::str] = &[#(#columns),*];

            fn with_order<__V: ::keypage::__private::OrderVisitor<Self>>(
                __order: #order,
                __visitor: __V,
            ) -> __V::Output {
                match __order {
                    #(#arms)*
                }
            }
        }
    }
}

/// `Article::paginate_slice` and `Article::paginate_slice_by`.
fn impl_inherent(model: &Model) -> TokenStream {
    let vis = model.input.vis;
    let row = model.input.ident;
    let name = &model.input.name;
    let order = &model.order_enum;
    let default = &model.orderings[0];
    let cursor = &default.cursor;
    let doc_slice = docs(&format!(
        "Pages `items` in the default ordering, `{}` (`{}`).\n\n\
         `items` need not be sorted, and the row of a cursor need not still be among them. \
         To page in another ordering, use `{name}::paginate_slice_by`.\n\n# Errors\n\n\
         `keypage::PageError` when `args` are invalid: `first`/`last` negative, above \
         `max_page_size` or both given, or a cursor that is malformed or belongs to another \
         ordering.",
        default.name,
        default.describe(),
    ));
    let doc_slice_by = docs(&format!(
        "Pages `items` in the ordering `order`, e.g. `{order}::{}`.\n\n# Errors\n\n\
         As `{name}::paginate_slice`: invalid `args`, including a cursor minted by another \
         ordering than `order`.",
        model
            .orderings
            .last()
            .map_or(&default.variant, |o| &o.variant),
    ));
    let relations = model.input.fields.iter().filter(|f| f.attrs.parent.is_some()).map(|field| {
        let ty = field.value_type();
        let method = format_ident!("by_{}", field.name);
        let (name, column) = (&field.name, field.column());
        let doc = docs(&format!(
            "The relation of `{row}` rows to their parent through `{name}` (`#[paginate(parent)]`, \
             column `{column}`): a nested connection's loader pages each parent's rows with \
             `{column} = <the parent's key>` (`keypage::graphql::ChildPages`, \
             `keypage::sql::sqlx::Select::fetch_children`)."
        ));
        // The parent's key is bound as a `CursorValue`: a type that is not
        // one is an error on the field's type.
        let ty_check = quote_spanned! {ty.span()=>
            const _: fn() = || {
                fn parent_key<__T: ::keypage::__private::CursorValue>() {}
                parent_key::<#ty>();
            };
        };
        quote! {
            #doc
            #vis const fn #method() -> ::keypage::__private::sql::Relation<Self, #ty> {
                #ty_check
                ::keypage::__private::sql::Relation::__from_derive(#name, #column)
            }
        }
    });
    let mut key_fields: Vec<&crate::ast::Field> = Vec::new();
    for key in model.orderings.iter().flat_map(|o| &o.keys) {
        if !key_fields.iter().any(|f| f.name == key.field.name) {
            key_fields.push(key.field);
        }
    }
    let columns = key_fields.iter().map(|field| {
        let ty = field.value_type();
        let ident = field.ident;
        let method = format_ident!("{}_column", field.name);
        let (name, column) = (&field.name, field.column());
        let get = if field.is_option() {
            quote!(|row| row.#ident.as_ref())
        } else {
            quote!(|row| ::core::option::Option::Some(&row.#ident))
        };
        let doc = docs(&format!(
            "The sort key `{name}` (column `{column}`), for a range filter on it: \
             `Select::range({row}::{method}(), range)` in SQL, \
             `{row}::{method}().contains(&range, row)` over a slice."
        ));
        quote! {
            #doc
            #[must_use]
            #vis const fn #method() -> ::keypage::__private::KeyColumn<Self, #ty> {
                ::keypage::__private::KeyColumn::__from_derive(#name, #column, #get)
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl #row {
            #(#relations)*
            #(#columns)*

            #doc_slice
            #vis fn paginate_slice<'a>(
                items: &'a [Self],
                args: &::keypage::__private::PageArgs,
            ) -> ::core::result::Result<
                ::keypage::__private::Page<&'a Self>,
                ::keypage::__private::PageError,
            > {
                ::keypage::__private::paginate_slice::<#cursor>(items, args)
            }

            #doc_slice_by
            #vis fn paginate_slice_by<'a>(
                items: &'a [Self],
                order: #order,
                args: &::keypage::__private::PageArgs,
            ) -> ::core::result::Result<
                ::keypage::__private::Page<&'a Self>,
                ::keypage::__private::PageError,
            > {
                ::keypage::__private::paginate_slice_by::<Self>(items, order, args)
            }
        }
    }
}

/// A type as text for the fingerprint, independent of how the compiler
/// spaces tokens: a space only between two words (`dyn Trait`), none
/// around punctuation (`Option<String>`, `::core::primitive::i64`).
pub fn type_string(ty: &syn::Type) -> String {
    fn walk(tokens: TokenStream, out: &mut String) {
        let mut prev_word = false;
        for tree in tokens {
            match tree {
                TokenTree::Group(group) => {
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::None => ("", ""),
                    };
                    out.push_str(open);
                    walk(group.stream(), out);
                    out.push_str(close);
                    prev_word = false;
                }
                TokenTree::Ident(ident) => {
                    if prev_word {
                        out.push(' ');
                    }
                    out.push_str(&ident.to_string());
                    prev_word = true;
                }
                TokenTree::Literal(lit) => {
                    if prev_word {
                        out.push(' ');
                    }
                    out.push_str(&lit.to_string());
                    prev_word = true;
                }
                TokenTree::Punct(punct) => {
                    out.push(punct.as_char());
                    // `'a` is a punct and a word; keep `'a str` apart.
                    prev_word = false;
                }
            }
        }
    }
    let mut out = String::new();
    walk(ty.to_token_stream(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pretty(tokens: TokenStream) -> String {
        let file: syn::File = syn::parse2(tokens).expect("the expansion parses as a file");
        prettyplease::unparse(&file)
    }

    #[test]
    fn article() {
        let input: DeriveInput = syn::parse_quote! {
            #[derive(keypage::Paginate)]
            #[paginate(order_by = "created_at desc, id desc", max_page_size = 100, default_page_size = 20, table = "articles")]
            #[paginate(ordering(name = "TITLE", order_by = "title asc nulls last, id asc"))]
            pub struct Article {
                #[paginate(unique)]
                id: i64,
                title: Option<String>,
                #[paginate(column = "created")]
                created_at: i64,
            }
        };
        insta::assert_snapshot!(pretty(derive(&input)));
    }

    #[test]
    fn types_as_text() {
        let ty = |s: &str| type_string(&syn::parse_str(s).unwrap());
        assert_eq!(ty("Option < String >"), "Option<String>");
        assert_eq!(ty(":: core :: primitive :: i64"), "::core::primitive::i64");
        assert_eq!(ty("Box<dyn Fn(u8) -> u8>"), "Box<dyn Fn(u8)->u8>");
        assert_eq!(ty("[u8; 4]"), "[u8;4]");
    }
}
