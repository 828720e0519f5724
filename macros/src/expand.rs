//! The generated code, one function per generated item.

use proc_macro2::{Delimiter, Literal, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned as _;

use crate::ast::Input;
use crate::attr::SortOrder;
use crate::check::{self, Features, Model, Ordering};
use crate::ctxt::Ctxt;
use crate::fallback;

/// The whole expansion of `#[derive(Paginate)]` on `node`: the generated
/// items, or the errors plus fallback stubs.
pub fn derive(node: &DeriveInput) -> TokenStream {
    derive_with(node, Features::ENABLED)
}

/// [`derive`] for the integrations `features` (the tests expand with all of
/// them whatever this crate was built with).
pub fn derive_with(node: &DeriveInput, features: Features) -> TokenStream {
    let cx = Ctxt::new();
    let Some(input) = Input::from_syn(&cx, node) else {
        return cx
            .check()
            .err()
            .map(syn::Error::into_compile_error)
            .unwrap_or_default();
    };
    let model = check::validate(&cx, &input, features);
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

/// With `#[paginate(table = "...")]` and a sqlx feature of keypage:
/// `Article::table`, `Article::fetch_page`, `Article::fetch_page_by` and
/// `Article::total_count`.
fn sqlx_methods(model: &Model) -> TokenStream {
    let Some(table) = &model.table else {
        return TokenStream::new();
    };
    if !model.features.sqlx {
        return TokenStream::new();
    }
    let private = &model.private;
    let row = model.input.ident;
    let sqlx = quote!(#private::sqlx);
    // The bounds every fetching method shares: any executor, and the row
    // type reads itself from the database's rows.
    let from_row = quote! {
        A: #sqlx::Acquire<'c>,
        A::Database: #sqlx::SqlxDatabase,
        Self: for<'r> #sqlx::FromRow<'r, <A::Database as #sqlx::Database>::Row>
            + ::core::marker::Send
            + ::core::marker::Unpin,
    };
    quote! {
        #[automatically_derived]
        impl #row {
            /// This type's columns from its table (`#[paginate(table = "...")]`),
            /// to page with your own filters: add them with `filter` /
            /// `filter_some` and pass the result to `Select::fetch_page`,
            /// `Select::fetch_any`, `Select::count` or, with the `graphql`
            /// feature, to the connection request's `select`.
            ///
            /// The database `DB` is usually inferred from the pool it is
            /// used with.
            #[must_use]
            pub fn table<'f, DB: #sqlx::SqlxDatabase>() -> #sqlx::Select<'f, DB> {
                #sqlx::Select::of_table(#table, <Self as #private::Paginate>::COLUMNS)
            }

            /// Fetches the page `args` asks for, in the default ordering,
            /// from this type's table, in one statement: the struct's columns
            /// with the keyset condition, `ORDER BY` and `LIMIT first + 1`,
            /// and, when `after` (forward) or `before` (backward) is given,
            /// a `LIMIT 1` probe for the other side's flag in the same
            /// `UNION ALL`. Never a `COUNT`; see `total_count`.
            ///
            /// `conn` is a pool, a connection or a `&mut Transaction`. The
            /// type must also derive `sqlx::FromRow` for the database's rows,
            /// with columns named as in `#[paginate(column = "...")]`.
            ///
            /// The database orders the rows, under the columns' own
            /// collations. An index matching the ordering (e.g.
            /// `(created_at DESC, id DESC)`) makes every page an index seek.
            ///
            /// # Errors
            ///
            /// `FetchError::Page` for invalid `args` (show it to the client),
            /// `FetchError::UnsupportedValue` for a cursor holding a key value
            /// this database cannot store (only a forged cursor can),
            /// `FetchError::Database` when a query fails,
            /// `FetchError::KeyStorage` when a key column stores its values
            /// in another form than keypage binds for the field's type (the
            /// message names the key and the storage to use),
            /// `FetchError::NotPastCursor` when the database returned the
            /// cursor's own row.
            pub async fn fetch_page<'c, A>(
                conn: A,
                args: &#private::PageArgs,
            ) -> ::core::result::Result<#private::Page<Self>, #sqlx::FetchError>
            where
                #from_row
            {
                #sqlx::fetch_page::<<Self as #private::Paginate>::Cursor, A>(conn, args).await
            }

            /// Like `fetch_page`, in the ordering `order` chosen at run time.
            ///
            /// # Errors
            ///
            /// As `fetch_page`; a cursor minted by another ordering than
            /// `order` is refused as `FetchError::Page`.
            pub async fn fetch_page_by<'c, A>(
                conn: A,
                order: <Self as #private::Paginate>::Order,
                args: &#private::PageArgs,
            ) -> ::core::result::Result<#private::Page<Self>, #sqlx::FetchError>
            where
                #from_row
            {
                #sqlx::fetch_page_by::<Self, A>(conn, order, args).await
            }

            /// `totalCount`: `COUNT(*)` over this type's table. Runs only
            /// when called: `fetch_page` never counts.
            ///
            /// # Errors
            ///
            /// `FetchError::Database` when the query fails.
            pub async fn total_count<'c, A>(
                conn: A,
            ) -> ::core::result::Result<i64, #sqlx::FetchError>
            where
                A: #sqlx::Acquire<'c>,
                A::Database: #sqlx::SqlxDatabase,
            {
                #sqlx::count::<Self, A>(conn).await
            }
        }
    }
}

/// With keypage's `graphql` feature: `ArticleConnection`,
/// `Article::connection` and `CursorType` for the cursors (the order enum
/// derives async-graphql's `Enum` in [`order_enum`]). Shared with the
/// fallback, so a resolver naming them gets no follow-on errors.
pub fn graphql_items(model: &Model) -> TokenStream {
    if !model.features.graphql {
        return TokenStream::new();
    }
    let private = &model.private;
    let vis = model.input.vis;
    let row = model.input.ident;
    let name = &model.input.name;
    let connection = format_ident!(
        "{}Connection",
        model.input.name,
        span = proc_macro2::Span::call_site()
    );
    let connection_doc = docs(&format!(
        "The Relay connection of `{name}` for async-graphql (GraphQL types \
         `{name}Connection` and `{name}Edge`), as `{name}::connection` returns it."
    ));
    let order = &model.order_enum;
    let cursors = model.orderings.iter().map(|o| &o.cursor);
    quote! {
        #connection_doc
        #vis type #connection = #private::Connection<#row>;

        #[doc(hidden)]
        const _: () = {
            #[automatically_derived]
            impl #row {
                /// The Relay connection request for `order` (the default
                /// ordering when `None`) and `args`, validated: finish it
                /// with `over_slice`, `select` or `fetch` (see `keypage::graphql`).
                #[must_use]
                #vis fn connection(
                    order: ::core::option::Option<#order>,
                    args: #private::PageArgs,
                ) -> #private::ConnectionRequest<Self> {
                    #private::ConnectionRequest::new(order, args)
                }
            }

            #(
                #[automatically_derived]
                impl #private::async_graphql::connection::CursorType for #cursors {
                    type Error = #private::CursorError;

                    fn decode_cursor(
                        s: &::core::primitive::str,
                    ) -> ::core::result::Result<Self, #private::CursorError> {
                        <Self as #private::Cursor>::decode(s)
                    }

                    fn encode_cursor(&self) -> #private::String {
                        <Self as #private::Cursor>::encode(self)
                    }
                }
            )*
        };
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
        let mut doc = format!("The `{}` key ({}", key.field.name, key.sort.keyword());
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

/// `ArticleOrder`: one variant per ordering, to choose one at run time;
/// with keypage's `graphql` feature also the GraphQL enum `ArticleOrder`
/// (async-graphql's own `Enum` derive, so it is an input and an output
/// type). Its docs are the GraphQL descriptions too.
pub fn order_enum(model: &Model) -> TokenStream {
    let private = &model.private;
    let vis = model.input.vis;
    let ident = &model.order_enum;
    let doc = docs(&format!(
        "The orderings of `{}`; `{}` is the default.",
        model.input.name, model.orderings[0].name,
    ));
    let graphql = model.features.graphql;
    let variants = model.orderings.iter().enumerate().map(|(i, ordering)| {
        let variant = &ordering.variant;
        let doc = docs(&ordering.describe());
        let default = (i == 0).then(|| quote!(#[default]));
        let name = &ordering.name;
        let graphql = graphql.then(|| quote!(#[graphql(name = #name)]));
        quote! {
            #doc
            #default
            #graphql
            #variant,
        }
    });
    let graphql = graphql.then(|| {
        let krate = format!("{private}::async_graphql").replace(' ', "");
        let name = ident.to_string();
        quote! {
            #[derive(#private::async_graphql::Enum)]
            #[graphql(crate = #krate, name = #name)]
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
        #graphql
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
    let private = &model.private;
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
            write: fn(&mut #private::CursorWriter, &__T),
            write_key: fn(
                &mut #private::CursorWriter,
                &'static ::core::primitive::str,
                &__T,
            ) -> ::core::result::Result<(), #private::KeyTooLong>,
            max_len: ::core::primitive::usize,
            read: fn(
                &mut #private::CursorReader,
            ) -> ::core::result::Result<__T, #private::CursorError>,
            compare: fn(&#private::KeySpec, &__T, &__T) -> ::core::cmp::Ordering,
            to_value: fn(&__T) -> #private::Value,
        }
        const fn __key_ops<__T: #private::CursorValue>() -> __KeyOps<__T> {
            __KeyOps {
                write: #private::CursorWriter::write::<__T>,
                write_key: #private::CursorWriter::write_key::<__T>,
                max_len: <__T as #private::CursorValue>::MAX_ENCODED_LEN,
                read: #private::CursorReader::read::<__T>,
                compare: #private::KeySpec::compare::<__T>,
                to_value: <__T as #private::CursorValue>::to_value,
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
    let private = &model.private;
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
        let sort = match key.sort {
            SortOrder::Asc => quote!(#private::SortOrder::Asc),
            SortOrder::Desc => quote!(#private::SortOrder::Desc),
        };
        let nulls = match key.nulls {
            None => quote!(::core::option::Option::None),
            Some(crate::attr::Nulls::First) => {
                quote!(::core::option::Option::Some(
                    #private::Nulls::First
                ))
            }
            Some(crate::attr::Nulls::Last) => {
                quote!(::core::option::Option::Some(
                    #private::Nulls::Last
                ))
            }
        };
        quote! {
            #private::KeySpec::new(#field, #column, #sort, #nulls)
        }
    });
    let specs: Vec<TokenStream> = specs.collect();
    for key in &ordering.keys {
        parts.push(key.field.name.clone());
        parts.push(type_string(key.field.ty));
        parts.push(key.sort.keyword().to_owned());
        parts.push(key.nulls.map_or("", |n| n.keyword()).to_owned());
    }
    quote! {
        const #fingerprint_ident: ::core::primitive::u32 =
            #private::fingerprint(&[#(#parts),*]);
        const #max_len_ident: ::core::primitive::usize =
            #private::max_cursor_len(&[#(#ops.max_len),*]);
        static #keys_ident: [#private::KeySpec; #len_lit] = [#(#specs),*];
        static #ordering_ident: #private::OrderingSpec =
            #private::OrderingSpec::new(#type_name, #name, &#keys_ident, #fingerprint_ident);
    }
}

/// `impl Cursor`: the keys written and read in key order behind the
/// ordering's fingerprint; `try_encode` checks each key's length, `decode`
/// refuses input longer than the ordering's longest cursor.
fn impl_cursor(model: &Model, ordering: &Ordering) -> TokenStream {
    let private = &model.private;
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
        impl #private::Cursor for #ident {
            const MAX_LEN: ::core::primitive::usize = #max_len;

            fn encode(&self) -> #private::String {
                let mut __writer = #private::CursorWriter::new(#fingerprint);
                #((#ops.write)(&mut __writer, &self.#fields);)*
                __writer.finish()
            }

            fn try_encode(
                &self,
            ) -> ::core::result::Result<
                #private::String,
                #private::KeyTooLong,
            > {
                let mut __writer = #private::CursorWriter::new(#fingerprint);
                #((#ops.write_key)(&mut __writer, #names, &self.#fields)?;)*
                ::core::result::Result::Ok(__writer.finish())
            }

            fn decode(
                __s: &::core::primitive::str,
            ) -> ::core::result::Result<Self, #private::CursorError> {
                let mut __reader =
                    #private::CursorReader::open_within(__s, #fingerprint, #max_len)?;
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
    let private = &model.private;
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
        impl #private::Keyset for #ident {
            type Row = #row;

            const ORDERING: &'static #private::OrderingSpec = &#spec;

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

            fn values(&self) -> #private::Vec<#private::Value> {
                #private::Vec::from([
                    #((#ops.to_value)(&self.#fields),)*
                ])
            }
        }
    }
}

/// `impl Paginate`: the orderings, limits and columns of the row type.
fn impl_paginate(model: &Model) -> TokenStream {
    let private = &model.private;
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
                <__V as #private::OrderVisitor<Self>>::visit::<#cursor>(__visitor)
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl #private::Paginate for #row {
            type Cursor = #default_cursor;
            type Order = #order;
            const ORDERINGS: &'static [&'static #private::OrderingSpec] = &[#(&#specs),*];
            const MAX_PAGE_SIZE: ::core::primitive::u32 = #max;
            const DEFAULT_PAGE_SIZE: ::core::primitive::u32 = #default;
            const MAX_OFFSET: ::core::primitive::u32 = #max_offset;
            const TABLE: ::core::option::Option<&'static ::core::primitive::str> = #table;
            const COLUMNS: &'static [&'static ::core::primitive::str] = &[#(#columns),*];

            fn with_order<__V: #private::OrderVisitor<Self>>(
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
    let private = &model.private;
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
        let private_at_ty = respan(private, ty.span());
        let ty_check = quote_spanned! {ty.span()=>
            const _: fn() = || {
                fn parent_key<__T: #private_at_ty::CursorValue>() {}
                parent_key::<#ty>();
            };
        };
        quote! {
            #doc
            #vis const fn #method() -> #private::Relation<Self, #ty> {
                #ty_check
                #private::Relation::__from_derive(#name, #column)
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
            #vis const fn #method() -> #private::KeyColumn<Self, #ty> {
                #private::KeyColumn::__from_derive(#name, #column, #get)
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
                args: &#private::PageArgs,
            ) -> ::core::result::Result<
                #private::Page<&'a Self>,
                #private::PageError,
            > {
                #private::paginate_slice::<#cursor>(items, args)
            }

            #doc_slice_by
            #vis fn paginate_slice_by<'a>(
                items: &'a [Self],
                order: #order,
                args: &#private::PageArgs,
            ) -> ::core::result::Result<
                #private::Page<&'a Self>,
                #private::PageError,
            > {
                #private::paginate_slice_by::<Self>(items, order, args)
            }
        }
    }
}

/// `tokens` with every token at `span`, so a bound through the private
/// path is reported where the bound is written (the field's type).
fn respan(tokens: &TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(&group.stream(), span));
                inner.set_span(span);
                tree = TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
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
        let all = Features {
            graphql: true,
            sqlx: true,
        };
        insta::assert_snapshot!(pretty(derive_with(&input, all)));
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
