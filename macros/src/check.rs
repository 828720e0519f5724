//! Checks that relate several attributes or fields, and the validated model
//! `expand.rs` generates code from. Each rule says why above its code.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Ident, LitStr};

use crate::ast::{Field, Input, Nullability};
use crate::attr::{Nulls, OrderBy, SortOrder};
use crate::ctxt::Ctxt;
use crate::suggest;

/// The default page-size limits (issue 3).
pub const DEFAULT_MAX_PAGE_SIZE: u32 = 100;
pub const DEFAULT_DEFAULT_PAGE_SIZE: u32 = 20;
/// The default `max_offset`: ten pages of the default largest size.
pub const DEFAULT_MAX_OFFSET: u32 = 1_000;
/// The default ordering's name unless `order_name` gives one.
pub const DEFAULT_ORDER_NAME: &str = "DEFAULT";

/// What the derive generates code from. Built even when errors were
/// reported (then holding what could be resolved), so `fallback.rs` can
/// name the types the user's code refers to.
pub struct Model<'a> {
    pub input: &'a Input<'a>,
    /// The default ordering first, then the named ones in declaration order.
    pub orderings: Vec<Ordering<'a>>,
    pub max_page_size: u32,
    pub default_page_size: u32,
    pub max_offset: u32,
    pub table: Option<String>,
    /// `ArticleOrder`.
    pub order_enum: Ident,
    /// The path every generated item reaches the runtime through:
    /// `::keypage::__private_v0_1_0`, or `<crate>::__private_v0_1_0` with
    /// `#[paginate(crate = "...")]`.
    pub private: TokenStream,
    /// Which of keypage's integrations to generate items for.
    pub features: Features,
}

/// keypage's features the generated items depend on, forwarded to this
/// crate by the runtime's (`graphql`; `sqlite`, `postgres` and `mysql` as
/// `sqlx`), so the derive emits exactly the items the runtime can serve.
#[derive(Clone, Copy, Debug)]
pub struct Features {
    /// `ArticleConnection`, `Article::connection`, the order enum as a
    /// GraphQL enum, `CursorType` for the cursors.
    pub graphql: bool,
    /// `Article::table`, `fetch_page`, `fetch_page_by`, `total_count`.
    pub sqlx: bool,
}

impl Features {
    /// The features this crate was built with.
    pub const ENABLED: Features = Features {
        graphql: cfg!(feature = "graphql"),
        sqlx: cfg!(feature = "sqlx"),
    };
}

/// The runtime's private module, versioned as this crate is (the runtime
/// and this crate are pinned to the same exact version): code expanded by
/// one keypage version cannot silently call into another's internals.
pub const PRIVATE_MODULE: &str = concat!(
    "__private_v",
    env!("CARGO_PKG_VERSION_MAJOR"),
    "_",
    env!("CARGO_PKG_VERSION_MINOR"),
    "_",
    env!("CARGO_PKG_VERSION_PATCH"),
);

/// One ordering.
pub struct Ordering<'a> {
    /// The GraphQL-style name (`DEFAULT`, `TITLE`).
    pub name: String,
    /// Its variant of the order enum (`Default`, `Title`).
    pub variant: Ident,
    /// Its cursor type (`ArticleCursor`, `ArticleTitleCursor`).
    pub cursor: Ident,
    pub keys: Vec<Key<'a>>,
}

/// One resolved key of an ordering.
pub struct Key<'a> {
    pub field: &'a Field<'a>,
    pub sort: SortOrder,
    /// `Some` exactly when the field is an `Option` (`last` unless written).
    pub nulls: Option<Nulls>,
}

impl Ordering<'_> {
    /// The keys as an `order_by` string in canonical form, for docs.
    pub fn describe(&self) -> String {
        self.keys
            .iter()
            .map(|key| {
                let mut s = format!("{} {}", key.field.name, key.sort.keyword());
                if let Some(nulls) = key.nulls {
                    s.push_str(" nulls ");
                    s.push_str(nulls.keyword());
                }
                s
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `::keypage::__private_v0_1_0`, or the `crate = "..."` path's.
pub fn private_path(krate: Option<&syn::Path>) -> TokenStream {
    let module = Ident::new(PRIVATE_MODULE, Span::call_site());
    match krate {
        Some(krate) => quote!(#krate::#module),
        None => quote!(::keypage::#module),
    }
}

/// Checks `input` and builds the model, reporting every problem to `cx`.
pub fn validate<'a>(cx: &Ctxt, input: &'a Input<'a>, features: Features) -> Model<'a> {
    check_generics(cx, input);
    check_fields(cx, input);
    let (max_page_size, default_page_size) = page_sizes(cx, input);
    let mut model = Model {
        input,
        orderings: Vec::new(),
        max_page_size,
        default_page_size,
        max_offset: (input.attrs.max_offset.as_ref()).map_or(DEFAULT_MAX_OFFSET, |(n, _)| *n),
        table: input.attrs.table.as_ref().map(LitStr::value),
        order_enum: format_ident!("{}Order", input.name, span = Span::call_site()),
        private: private_path(input.attrs.krate.as_ref()),
        features,
    };

    let attrs = &input.attrs;
    // The default ordering always exists, so the generated enum and
    // `ArticleCursor` do too; without `order_by` its keys stay empty.
    if !attrs.order_by_written {
        let message = "missing `#[paginate(order_by = \"...\")]`: the default ordering, \
                       e.g. `#[paginate(order_by = \"created_at desc, id desc\")]`";
        match &attrs.first_attr {
            Some(attr) => cx.error_spanned_by(attr, message),
            None => cx.error_spanned_by(input.ident, message),
        }
    }
    // An invalid `order_name` was reported by attr.rs; carry on with the default.
    let default_name = attrs
        .order_name
        .as_ref()
        .map(LitStr::value)
        .filter(|name| crate::attr::is_ordering_name(name))
        .unwrap_or_else(|| DEFAULT_ORDER_NAME.to_owned());
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut variants: BTreeMap<String, String> = BTreeMap::new();
    names.insert(default_name.clone());
    let default_variant = camel_case(&default_name);
    variants.insert(default_variant.clone(), default_name.clone());
    model.orderings.push(Ordering {
        variant: Ident::new(&default_variant, Span::call_site()),
        name: default_name,
        cursor: format_ident!("{}Cursor", input.name, span = Span::call_site()),
        keys: attrs
            .order_by
            .as_ref()
            .map(|order_by| resolve_keys(cx, input, order_by))
            .unwrap_or_default(),
    });

    for ordering in &attrs.orderings {
        let keys = match &ordering.order_by {
            Some(order_by) => resolve_keys(cx, input, order_by),
            None if ordering.order_by_written => Vec::new(),
            None => {
                cx.error_spanned_by(
                    &ordering.path,
                    "this ordering has no `order_by`; write `ordering(name = \"...\", order_by = \"...\")`",
                );
                Vec::new()
            }
        };
        let Some(name_lit) = &ordering.name else {
            if ordering.name_written {
                continue;
            }
            cx.error_spanned_by(
                &ordering.path,
                "this ordering has no `name`; write `ordering(name = \"...\", order_by = \"...\")`",
            );
            continue;
        };
        let name = name_lit.value();
        // Invalid names were reported by attr.rs; leave the ordering out.
        if !crate::attr::is_ordering_name(&name) {
            continue;
        }
        // Names are the GraphQL enum values and pick the ordering at run time.
        if !names.insert(name.clone()) {
            cx.error_spanned_by(
                name_lit,
                format!("two orderings are named `{name}`; ordering names must be unique"),
            );
            continue;
        }
        let variant = camel_case(&name);
        if let Some(other) = variants.insert(variant.clone(), name.clone()) {
            cx.error_spanned_by(
                name_lit,
                format!(
                    "orderings `{other}` and `{name}` would both be the variant `{variant}` of `{}Order`; rename one",
                    input.name
                ),
            );
            continue;
        }
        model.orderings.push(Ordering {
            cursor: format_ident!("{}{}Cursor", input.name, variant, span = Span::call_site()),
            variant: Ident::new(&variant, Span::call_site()),
            name,
            keys,
        });
    }
    model
}

/// The cursor types hold the keys by value and cannot carry the struct's
/// parameters (yet); a where clause alone would not reach them either.
fn check_generics(cx: &Ctxt, input: &Input) {
    let generics = &input.original.generics;
    let message = "`#[derive(Paginate)]` does not support generic structs yet: \
                   the generated cursor types cannot carry type, lifetime or const parameters";
    if !generics.params.is_empty() {
        cx.error_spanned_by(generics, message);
    } else if let Some(where_clause) = &generics.where_clause {
        cx.error_spanned_by(where_clause, message);
    }
}

fn check_fields(cx: &Ctxt, input: &Input) {
    let mut columns: BTreeMap<String, &Field> = BTreeMap::new();
    for field in &input.fields {
        // A NULL is equal to every other NULL, so a nullable key cannot tell
        // two rows apart: it cannot be what makes the order total.
        if let Some(unique) = field.attrs.unique.as_ref().filter(|_| field.is_option()) {
            cx.error_spanned_by(
                unique,
                format!(
                    "`{}` is an `Option`, so it cannot be `unique`: rows whose key is NULL \
                     would tie; mark a non-optional field `#[paginate(unique)]`",
                    field.name
                ),
            );
        }
        // A parent's key is one value: `Option<Option<_>>` has two NULLs.
        if let (Some(parent), Nullability::OptionOption(_)) =
            (&field.attrs.parent, field.nullability)
        {
            cx.error_spanned_by(
                parent,
                format!(
                    "`{}` is an `Option<Option<_>>`, which cannot hold a parent's key; \
                     use `Option<T>` for a nullable foreign key",
                    field.name
                ),
            );
        }
        // Two fields in one column would make SQL rendering ambiguous.
        let column = field.column();
        if let Some(other) = columns.insert(column.clone(), field) {
            let at = field.attrs.column.as_ref().map_or_else(
                || quote::ToTokens::to_token_stream(field.ident),
                quote::ToTokens::to_token_stream,
            );
            cx.error_spanned_by(
                at,
                format!(
                    "fields `{}` and `{}` both use the column `{column}`",
                    other.name, field.name
                ),
            );
        }
    }
}

/// `max_page_size >= 1` is checked by attr.rs; here, that the default fits.
fn page_sizes(cx: &Ctxt, input: &Input) -> (u32, u32) {
    let max = input.attrs.max_page_size.as_ref();
    let default = input.attrs.default_page_size.as_ref();
    let max_value = max.map_or(DEFAULT_MAX_PAGE_SIZE, |(n, _)| *n);
    let default_value = default.map_or(DEFAULT_DEFAULT_PAGE_SIZE, |(n, _)| *n);
    if default_value > max_value {
        match (default, max) {
            (Some((_, lit)), _) => cx.error_spanned_by(
                lit,
                format!(
                    "`default_page_size` ({default_value}) is larger than `max_page_size` ({max_value}){}",
                    if max.is_none() { " (the default)" } else { "" }
                ),
            ),
            (None, Some((_, lit))) => cx.error_spanned_by(
                lit,
                format!(
                    "`max_page_size` ({max_value}) is smaller than the default `default_page_size` \
                     ({default_value}); set `default_page_size` too"
                ),
            ),
            (None, None) => {}
        }
    }
    (max_value, default_value.min(max_value))
}

/// Resolves the keys of one `order_by` against the fields.
fn resolve_keys<'a>(cx: &Ctxt, input: &'a Input<'a>, order_by: &OrderBy) -> Vec<Key<'a>> {
    let lit = &order_by.lit;
    let mut keys: Vec<Key<'a>> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut all_resolved = true;
    for key in &order_by.keys {
        // `r#type` and `type` both name the field `r#type`.
        let wanted = key.field.strip_prefix("r#").unwrap_or(&key.field);
        let Some(field) = input.fields.iter().find(|f| f.name == wanted) else {
            all_resolved = false;
            let names = input.fields.iter().map(|f| f.name.as_str());
            let hint = match suggest::closest(&key.field, names.clone()) {
                Some(close) => format!("; did you mean `{close}`?"),
                None => format!(
                    "; the fields of `{}` are {}",
                    input.name,
                    names
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            cx.error_spanned_by(
                lit,
                format!("unknown field `{}` in `order_by`{hint}", key.field),
            );
            continue;
        };
        // Listing a key twice adds nothing and is most likely a typo for
        // another key.
        if !seen.insert(field.name.as_str()) {
            cx.error_spanned_by(
                lit,
                format!("key `{}` appears twice in `order_by`", field.name),
            );
            continue;
        }
        // Only `Option` fields hold NULLs; a placement elsewhere is a mistake
        // about the field, not something to ignore.
        if let (Some(nulls), false) = (key.nulls, field.is_option()) {
            cx.error_spanned_by(
                lit,
                format!(
                    "`nulls {}` on key `{}` in `order_by`, but `{}` is not an `Option`; \
                     only `Option<_>` keys have NULLs to place",
                    nulls.keyword(),
                    field.name,
                    field.name
                ),
            );
        }
        // `None` and `Some(None)` would both be NULL in SQL and in the order.
        if let Nullability::OptionOption(inner) = field.nullability {
            cx.error_spanned_by(
                inner,
                format!(
                    "key `{}` is an `Option<Option<_>>`, which cannot be a pagination key: \
                     `None` and `Some(None)` would both be NULL; use a single `Option`",
                    field.name
                ),
            );
        }
        keys.push(Key {
            field,
            sort: key.sort,
            nulls: field
                .is_option()
                .then_some(key.nulls.unwrap_or(Nulls::Last)),
        });
    }
    if !all_resolved || keys.is_empty() {
        return keys;
    }
    // The order must be total, or rows that tie on every key could be
    // skipped or repeated between pages: so the keys end in a unique one.
    // Keys after the first unique key never decide anything.
    match keys.iter().position(|k| is_unique(k.field)) {
        Some(i) if i + 1 < keys.len() => {
            let extra: Vec<String> = keys[i + 1..]
                .iter()
                .map(|k| format!("`{}`", k.field.name))
                .collect();
            cx.error_spanned_by(
                lit,
                format!(
                    "{} after the unique key `{}` in `order_by` can never decide the order; remove {}",
                    if extra.len() == 1 { format!("key {}", extra[0]) } else { format!("keys {}", extra.join(", ")) },
                    keys[i].field.name,
                    if extra.len() == 1 { "it" } else { "them" },
                ),
            );
        }
        Some(_) => {}
        None => {
            let last = keys.last().map_or("", |k| k.field.name.as_str());
            let why = if last == "id" {
                "`id` is an `Option`, and rows whose key is NULL tie".to_owned()
            } else {
                format!("its last key, `{last}`, is not `#[paginate(unique)]`")
            };
            let fix = match input.fields.iter().find(|f| is_unique(f)) {
                Some(unique) => format!(
                    "append a unique key, e.g. `\"{}, {}\"`",
                    lit.value().trim().trim_end_matches(','),
                    unique.name
                ),
                None => "mark a field that identifies a row `#[paginate(unique)]` and end \
                         `order_by` with it"
                    .to_owned(),
            };
            cx.error_spanned_by(
                lit,
                format!(
                    "`order_by` must end with a unique key, or rows that tie would be skipped or \
                     repeated between pages; {why}: {fix}"
                ),
            );
        }
    }
    keys
}

/// A key that tells every two rows apart: marked `unique` or named `id`,
/// and not nullable (the `unique`-on-`Option` error is reported on its own,
/// so such a field still counts here to avoid a second error).
fn is_unique(field: &Field) -> bool {
    field.attrs.unique.is_some() || (field.name == "id" && !field.is_option())
}

/// `TITLE` → `Title`, `BY_CREATED_AT` → `ByCreatedAt`, `TOP10` → `Top10`.
pub fn camel_case(name: &str) -> String {
    name.split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first
                .into_iter()
                .chain(chars.map(|c| c.to_ascii_lowercase()))
                .collect::<String>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn camel() {
        assert_eq!(camel_case("DEFAULT"), "Default");
        assert_eq!(camel_case("TITLE"), "Title");
        assert_eq!(camel_case("BY_CREATED_AT"), "ByCreatedAt");
        assert_eq!(camel_case("TOP10"), "Top10");
        assert_eq!(camel_case("A__B_"), "AB");
    }
}
