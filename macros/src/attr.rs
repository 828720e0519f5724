//! Parsing of `#[paginate(..)]` attributes into typed values, including the
//! `order_by` mini-language. Checks that need one attribute only happen here;
//! checks that relate several (fields named in `order_by`, page sizes
//! against each other) are in `check.rs`.

use proc_macro2::{TokenStream, TokenTree};
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::{Lit, LitInt, LitStr, Token};

use crate::ctxt::Ctxt;
use crate::suggest;

/// The direction of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    /// The word used in `order_by` and in the fingerprint.
    pub fn keyword(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }
}

/// Where NULLs of a nullable key go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    First,
    Last,
}

impl Nulls {
    /// The word used in `order_by` and in the fingerprint.
    pub fn keyword(self) -> &'static str {
        match self {
            Nulls::First => "first",
            Nulls::Last => "last",
        }
    }
}

/// One key of an `order_by` string, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderKey {
    /// The field name.
    pub field: String,
    /// `asc` unless `desc` was written.
    pub sort: SortOrder,
    /// `Some` when `nulls first|last` was written.
    pub nulls: Option<Nulls>,
}

/// An `order_by = "..."` value: the literal (for error spans, since stable
/// Rust has no spans inside a string) and the keys read from it.
pub struct OrderBy {
    pub lit: LitStr,
    pub keys: Vec<OrderKey>,
}

/// `#[paginate(ordering(name = "...", order_by = "..."))]`.
pub struct NamedOrdering {
    /// The `ordering` word, spanned for errors about the whole ordering.
    pub path: syn::Path,
    pub name: Option<LitStr>,
    pub order_by: Option<OrderBy>,
    /// Whether `name`/`order_by` were written (maybe malformed) or an
    /// unknown key was reported: then a missing value is not reported again.
    pub name_written: bool,
    pub order_by_written: bool,
}

/// The struct's `#[paginate(..)]` options.
#[derive(Default)]
pub struct Container {
    /// The default ordering.
    pub order_by: Option<OrderBy>,
    /// The named orderings, in declaration order.
    pub orderings: Vec<NamedOrdering>,
    pub max_page_size: Option<(u32, LitInt)>,
    pub default_page_size: Option<(u32, LitInt)>,
    /// The largest `offset` a page may pass over.
    pub max_offset: Option<(u32, LitInt)>,
    pub table: Option<LitStr>,
    /// `crate = "..."`: the path of the `keypage` crate (or of
    /// `keypage_runtime`, for the runtime's own code), as parsed.
    pub krate: Option<syn::Path>,
    /// The name of the default ordering (`DEFAULT` unless given).
    pub order_name: Option<LitStr>,
    /// The first `#[paginate]` attribute, to point at when `order_by` is missing.
    pub first_attr: Option<syn::Attribute>,
    /// Whether `order_by` was written (maybe malformed, or misspelt as an
    /// unknown key): then its absence is not reported again.
    pub order_by_written: bool,
}

/// A field's `#[paginate(..)]` options.
#[derive(Default)]
pub struct FieldAttrs {
    /// The `unique` word, when given.
    pub unique: Option<syn::Path>,
    pub column: Option<LitStr>,
    /// The `parent` word, when given: the field holds a parent's key.
    pub parent: Option<syn::Path>,
}

const CONTAINER_KEYS: &[&str] = &[
    "order_by",
    "ordering",
    "max_page_size",
    "default_page_size",
    "max_offset",
    "table",
    "order_name",
    "crate",
];
const ORDERING_KEYS: &[&str] = &["name", "order_by"];
const FIELD_KEYS: &[&str] = &["unique", "column", "parent"];

/// The largest page size or offset: `first`/`last`/`offset` are GraphQL
/// `Int`s, 32-bit signed.
const INT_MAX: u32 = i32::MAX as u32;

impl Container {
    /// Reads every `#[paginate(..)]` on the struct, reporting problems to `cx`
    /// and keeping what could be read.
    pub fn from_attrs(cx: &Ctxt, attrs: &[syn::Attribute]) -> Container {
        let mut out = Container::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("paginate")) {
            if out.first_attr.is_none() {
                out.first_attr = Some(attr.clone());
            }
            let result = attr.parse_nested_meta(|meta| {
                let key = meta_key(&meta);
                match key.as_str() {
                    "order_by" => {
                        out.order_by_written = true;
                        if let Some(lit) = string_value(cx, &meta, &key)? {
                            let order_by = order_by_from_lit(cx, lit);
                            set_once(cx, &meta, &mut out.order_by, order_by);
                        }
                    }
                    "ordering" => {
                        if let Some(ordering) = named_ordering(cx, &meta)? {
                            out.orderings.push(ordering);
                        }
                    }
                    "max_page_size" | "default_page_size" => {
                        if let Some(size) = int_value(cx, &meta, &key, 1, "100")? {
                            let slot = if key == "max_page_size" {
                                &mut out.max_page_size
                            } else {
                                &mut out.default_page_size
                            };
                            set_once(cx, &meta, slot, size);
                        }
                    }
                    "max_offset" => {
                        if let Some(n) = int_value(cx, &meta, &key, 0, "1000")? {
                            set_once(cx, &meta, &mut out.max_offset, n);
                        }
                    }
                    "table" => {
                        if let Some(lit) = string_value(cx, &meta, &key)? {
                            if !is_table_name(&lit.value()) {
                                cx.error_spanned_by(
                                    &lit,
                                    format!(
                                        "`{}` is not a valid table name; expected an identifier \
                                         (`[A-Za-z_][A-Za-z0-9_]*`) or `schema.table`",
                                        lit.value()
                                    ),
                                );
                            }
                            set_once(cx, &meta, &mut out.table, lit);
                        }
                    }
                    "crate" => {
                        if let Some(lit) = string_value(cx, &meta, &key)? {
                            match crate_path(&lit) {
                                Ok(path) => set_once(cx, &meta, &mut out.krate, path),
                                Err(err) => cx.syn_error(err),
                            }
                        }
                    }
                    "order_name" => {
                        if let Some(lit) = string_value(cx, &meta, &key)? {
                            check_ordering_name(cx, &lit);
                            set_once(cx, &meta, &mut out.order_name, lit);
                        }
                    }
                    _ if FIELD_KEYS.contains(&key.as_str()) => {
                        cx.error_spanned_by(
                            &meta.path,
                            format!(
                                "`{key}` is not expected here; `#[paginate({key})]` belongs on a field"
                            ),
                        );
                        skip_value(meta.input)?;
                    }
                    _ => {
                        // A misspelt `order_by` is reported here, not also as missing.
                        out.order_by_written |= suggest::closest(&key, ["order_by"]).is_some();
                        cx.error_spanned_by(
                            &meta.path,
                            format!(
                                "unknown paginate attribute `{key}`{}",
                                suggest::did_you_mean(&key, CONTAINER_KEYS.iter().copied())
                            ),
                        );
                        skip_value(meta.input)?;
                    }
                }
                Ok(())
            });
            if let Err(err) = result {
                cx.syn_error(err);
            }
        }
        out
    }
}

impl FieldAttrs {
    /// Reads every `#[paginate(..)]` on a field.
    pub fn from_attrs(cx: &Ctxt, attrs: &[syn::Attribute]) -> FieldAttrs {
        let mut out = FieldAttrs::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("paginate")) {
            let result = attr.parse_nested_meta(|meta| {
                let key = meta_key(&meta);
                match key.as_str() {
                    "unique" | "parent" => {
                        let slot = if key == "unique" {
                            &mut out.unique
                        } else {
                            &mut out.parent
                        };
                        if meta.input.is_empty() || meta.input.peek(Token![,]) {
                            set_once(cx, &meta, slot, meta.path.clone());
                        } else {
                            cx.error_spanned_by(
                                &meta.path,
                                format!("`{key}` takes no value; write `#[paginate({key})]`"),
                            );
                            skip_value(meta.input)?;
                        }
                    }
                    "column" => {
                        if let Some(lit) = string_value(cx, &meta, &key)? {
                            if !is_identifier(&lit.value()) {
                                cx.error_spanned_by(
                                    &lit,
                                    format!(
                                        "`{}` is not a valid column name; expected an identifier \
                                         (`[A-Za-z_][A-Za-z0-9_]*`)",
                                        lit.value()
                                    ),
                                );
                            }
                            set_once(cx, &meta, &mut out.column, lit);
                        }
                    }
                    _ if CONTAINER_KEYS.contains(&key.as_str()) => {
                        cx.error_spanned_by(
                            &meta.path,
                            format!(
                                "`{key}` is not expected here; `#[paginate({key} = ...)]` belongs on the struct"
                            ),
                        );
                        skip_value(meta.input)?;
                    }
                    _ => {
                        cx.error_spanned_by(
                            &meta.path,
                            format!(
                                "unknown paginate field attribute `{key}`{}",
                                suggest::did_you_mean(&key, FIELD_KEYS.iter().copied())
                            ),
                        );
                        skip_value(meta.input)?;
                    }
                }
                Ok(())
            });
            if let Err(err) = result {
                cx.syn_error(err);
            }
        }
        out
    }
}

/// `ordering(name = "...", order_by = "...")`.
fn named_ordering(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<NamedOrdering>> {
    if !meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            "expected `ordering(name = \"...\", order_by = \"...\")`",
        );
        skip_value(meta.input)?;
        return Ok(None);
    }
    let mut ordering = NamedOrdering {
        path: meta.path.clone(),
        name: None,
        order_by: None,
        name_written: false,
        order_by_written: false,
    };
    meta.parse_nested_meta(|inner| {
        let key = meta_key(&inner);
        match key.as_str() {
            "name" => {
                ordering.name_written = true;
                if let Some(lit) = string_value(cx, &inner, &key)? {
                    check_ordering_name(cx, &lit);
                    set_once(cx, &inner, &mut ordering.name, lit);
                }
            }
            "order_by" => {
                ordering.order_by_written = true;
                if let Some(lit) = string_value(cx, &inner, &key)? {
                    let order_by = order_by_from_lit(cx, lit);
                    set_once(cx, &inner, &mut ordering.order_by, order_by);
                }
            }
            _ => {
                // A misspelt key is reported here, not also as missing.
                ordering.name_written |= suggest::closest(&key, ["name"]).is_some();
                ordering.order_by_written |= suggest::closest(&key, ["order_by"]).is_some();
                cx.error_spanned_by(
                    &inner.path,
                    format!(
                        "unknown `ordering` attribute `{key}`; expected `name` or `order_by`{}",
                        suggest::did_you_mean(&key, ORDERING_KEYS.iter().copied())
                    ),
                );
                skip_value(inner.input)?;
            }
        }
        Ok(())
    })?;
    Ok(Some(ordering))
}

/// The attribute key as written (`order_by`), or its tokens for odd paths.
fn meta_key(meta: &ParseNestedMeta) -> String {
    meta.path.get_ident().map_or_else(
        || {
            quote::ToTokens::to_token_stream(&meta.path)
                .to_string()
                .replace(' ', "")
        },
        |ident| syn::ext::IdentExt::unraw(ident).to_string(),
    )
}

/// Stores `value` unless the key was already given, which is an error.
fn set_once<T>(cx: &Ctxt, meta: &ParseNestedMeta, slot: &mut Option<T>, value: T) {
    if slot.is_some() {
        cx.error_spanned_by(
            &meta.path,
            format!("duplicate paginate attribute `{}`", meta_key(meta)),
        );
    } else {
        *slot = Some(value);
    }
}

/// Consumes the rest of one attribute entry (`= value` or `(...)`), so
/// parsing can go on with the next one after an error.
fn skip_value(input: ParseStream) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// The tokens after `key =` up to the next comma. Reports a missing `=`.
fn value_tokens(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    key: &str,
    example: &str,
) -> syn::Result<Option<TokenStream>> {
    if !meta.input.peek(Token![=]) {
        cx.error_spanned_by(
            &meta.path,
            format!("`{key}` needs a value: `{key} = {example}`"),
        );
        skip_value(meta.input)?;
        return Ok(None);
    }
    let input = meta.value()?;
    let mut tokens = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        tokens.extend([input.parse::<TokenTree>()?]);
    }
    if tokens.is_empty() {
        cx.error_spanned_by(
            &meta.path,
            format!("`{key}` needs a value: `{key} = {example}`"),
        );
        return Ok(None);
    }
    Ok(Some(tokens))
}

/// `key = "string"`.
fn string_value(cx: &Ctxt, meta: &ParseNestedMeta, key: &str) -> syn::Result<Option<LitStr>> {
    let Some(tokens) = value_tokens(cx, meta, key, "\"...\"")? else {
        return Ok(None);
    };
    if let Ok(Lit::Str(lit)) = syn::parse2::<Lit>(tokens.clone()) {
        return Ok(Some(lit));
    }
    cx.error_spanned_by(
        &tokens,
        format!("`{key}` takes a string literal, e.g. `{key} = \"...\"`"),
    );
    Ok(None)
}

/// `max_page_size = 100`, `default_page_size = 20` (`min` 1) or
/// `max_offset = 1000` (`min` 0): an integer in `min..=i32::MAX` (page sizes
/// and offsets are GraphQL `Int`s). `example` is the value the error's
/// example shows.
fn int_value(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    key: &str,
    min: u32,
    example: &str,
) -> syn::Result<Option<(u32, LitInt)>> {
    let Some(tokens) = value_tokens(cx, meta, key, example)? else {
        return Ok(None);
    };
    let Ok(Lit::Int(lit)) = syn::parse2::<Lit>(tokens.clone()) else {
        cx.error_spanned_by(
            &tokens,
            format!("`{key}` takes an integer literal, e.g. `{key} = {example}`"),
        );
        return Ok(None);
    };
    match lit.base10_parse::<i128>() {
        Ok(n) if (i128::from(min)..=i128::from(INT_MAX)).contains(&n) => {
            Ok(Some((u32::try_from(n).unwrap_or(INT_MAX), lit)))
        }
        _ => {
            cx.error_spanned_by(
                &tokens,
                format!(
                    "`{key}` must be between {min} and {INT_MAX}, got {}",
                    lit.base10_digits()
                ),
            );
            Ok(None)
        }
    }
}

fn order_by_from_lit(cx: &Ctxt, lit: LitStr) -> OrderBy {
    let (keys, errors) = parse_order_by(&lit.value());
    for message in errors {
        cx.error_spanned_by(&lit, message);
    }
    OrderBy { lit, keys }
}

/// Reads an `order_by` string: comma-separated keys, each
/// `field [asc|desc] [nulls first|last]`, keywords in any case.
///
/// Returns the keys it could read and one message per problem. A key with a
/// bad direction or null placement is still returned (with the default), so
/// later checks do not report follow-on errors about it.
pub fn parse_order_by(s: &str) -> (Vec<OrderKey>, Vec<String>) {
    let mut keys = Vec::new();
    let mut errors = Vec::new();
    if s.trim().is_empty() {
        errors.push(
            "`order_by` is empty; list the keys, e.g. `order_by = \"created_at desc, id desc\"`"
                .to_owned(),
        );
        return (keys, errors);
    }
    for part in s.split(',') {
        let mut words = part.split_whitespace();
        let Some(field) = words.next() else {
            errors.push(format!(
                "`order_by` has an empty key in `{}`; separate keys with single commas",
                s.trim()
            ));
            continue;
        };
        let mut key = OrderKey {
            field: field.to_owned(),
            sort: SortOrder::Asc,
            nulls: None,
        };
        let mut next = words.next();
        if let Some(word) = next {
            if word.eq_ignore_ascii_case("asc") {
                next = words.next();
            } else if word.eq_ignore_ascii_case("desc") {
                key.sort = SortOrder::Desc;
                next = words.next();
            } else if !word.eq_ignore_ascii_case("nulls") {
                errors.push(format!(
                    "unknown direction `{word}` for key `{field}` in `order_by`; expected `asc` or `desc`{}",
                    suggest::did_you_mean(&word.to_ascii_lowercase(), ["desc", "asc", "nulls"])
                ));
                keys.push(key);
                continue;
            }
        }
        if let Some(word) = next {
            if word.eq_ignore_ascii_case("nulls") {
                match words.next() {
                    Some(p) if p.eq_ignore_ascii_case("first") => key.nulls = Some(Nulls::First),
                    Some(p) if p.eq_ignore_ascii_case("last") => key.nulls = Some(Nulls::Last),
                    Some(p) => {
                        errors.push(format!(
                            "unknown null placement `nulls {p}` for key `{field}` in `order_by`; expected `nulls first` or `nulls last`"
                        ));
                        keys.push(key);
                        continue;
                    }
                    None => {
                        errors.push(format!(
                            "`nulls` needs a placement for key `{field}` in `order_by`; expected `nulls first` or `nulls last`"
                        ));
                        keys.push(key);
                        continue;
                    }
                }
            } else {
                errors.push(format!(
                    "unexpected `{word}` after key `{field}` in `order_by`; expected `nulls first`, `nulls last` or a comma"
                ));
                keys.push(key);
                continue;
            }
        }
        let rest: Vec<&str> = words.collect();
        if !rest.is_empty() {
            errors.push(format!(
                "unexpected `{}` after key `{field}` in `order_by`; separate keys with commas",
                rest.join(" ")
            ));
        }
        keys.push(key);
    }
    (keys, errors)
}

/// `[A-Za-z_][A-Za-z0-9_]*`: the column names keypage renders unquoted-safe.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An identifier, or `schema.identifier`.
fn is_table_name(s: &str) -> bool {
    match s.split_once('.') {
        Some((schema, table)) => is_identifier(schema) && is_identifier(table),
        None => is_identifier(s),
    }
}

/// Ordering names become GraphQL enum values: `[A-Z][A-Z0-9_]*`.
pub fn is_ordering_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn check_ordering_name(cx: &Ctxt, lit: &LitStr) {
    let name = lit.value();
    if !is_ordering_name(&name) {
        let upper: String = name
            .chars()
            .map(|c| {
                if c == '-' || c == ' ' {
                    '_'
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect();
        let hint = if is_ordering_name(&upper) {
            format!("; did you mean `{upper}`?")
        } else {
            String::new()
        };
        cx.error_spanned_by(
            lit,
            format!(
                "ordering name `{name}` is not SCREAMING_SNAKE_CASE (`[A-Z][A-Z0-9_]*`); \
                 it becomes a GraphQL enum value{hint}"
            ),
        );
    }
}

/// The path of `crate = "..."`: where keypage is reachable (`"::keypage"`,
/// a re-export), as the derive and `#[keypage::connections]` take it.
pub fn crate_path(lit: &LitStr) -> syn::Result<syn::Path> {
    lit.parse_with(syn::Path::parse_mod_style).map_err(|_| {
        syn::Error::new_spanned(
            lit,
            format!(
                "`{}` is not a path; `crate` takes the path keypage is reachable at, e.g. \
                 `crate = \"::keypage\"`",
                lit.value()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(field: &str, sort: SortOrder, nulls: Option<Nulls>) -> OrderKey {
        OrderKey {
            field: field.to_owned(),
            sort,
            nulls,
        }
    }

    #[test]
    fn reads_keys_directions_and_nulls() {
        let (keys, errors) = parse_order_by("created_at desc, title ASC NULLS first,id");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            keys,
            [
                key("created_at", SortOrder::Desc, None),
                key("title", SortOrder::Asc, Some(Nulls::First)),
                key("id", SortOrder::Asc, None),
            ]
        );
    }

    #[test]
    fn nulls_without_direction() {
        let (keys, errors) = parse_order_by("  title nulls Last ,\tid   desc ");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            keys,
            [
                key("title", SortOrder::Asc, Some(Nulls::Last)),
                key("id", SortOrder::Desc, None),
            ]
        );
    }

    #[test]
    fn empty() {
        for s in ["", "   "] {
            let (keys, errors) = parse_order_by(s);
            assert!(keys.is_empty());
            assert_eq!(errors.len(), 1);
            assert!(errors[0].contains("is empty"), "{errors:?}");
        }
    }

    #[test]
    fn empty_key() {
        let (keys, errors) = parse_order_by("id,, title");
        assert_eq!(keys.len(), 2);
        assert!(errors[0].contains("empty key"), "{errors:?}");
        let (_, errors) = parse_order_by("id,");
        assert!(errors[0].contains("empty key"), "{errors:?}");
    }

    #[test]
    fn bad_direction_keeps_the_key_and_suggests() {
        let (keys, errors) = parse_order_by("created_at dsc, id");
        assert_eq!(
            keys,
            [
                key("created_at", SortOrder::Asc, None),
                key("id", SortOrder::Asc, None)
            ]
        );
        assert_eq!(
            errors,
            [
                "unknown direction `dsc` for key `created_at` in `order_by`; expected `asc` or `desc`; did you mean `desc`?"
            ]
        );
    }

    #[test]
    fn bad_null_placement() {
        let (keys, errors) = parse_order_by("title desc nulls top, id");
        assert_eq!(keys.len(), 2);
        assert!(
            errors[0].contains("unknown null placement `nulls top` for key `title`"),
            "{errors:?}"
        );
        let (_, errors) = parse_order_by("title nulls");
        assert!(
            errors[0].contains("`nulls` needs a placement for key `title`"),
            "{errors:?}"
        );
    }

    #[test]
    fn trailing_words() {
        let (_, errors) = parse_order_by("title asc first");
        assert!(
            errors[0].contains("unexpected `first` after key `title`"),
            "{errors:?}"
        );
        let (_, errors) = parse_order_by("title asc nulls last id");
        assert!(
            errors[0].contains("unexpected `id` after key `title`"),
            "{errors:?}"
        );
        let (_, errors) = parse_order_by("title id");
        assert!(errors[0].contains("unknown direction `id`"), "{errors:?}");
    }

    #[test]
    fn names() {
        assert!(is_identifier("created_at"));
        assert!(is_identifier("_x1"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier("a-b"));
        assert!(!is_identifier(""));
        assert!(is_table_name("public.articles"));
        assert!(!is_table_name("a.b.c"));
        assert!(!is_table_name("articles;"));
        assert!(is_ordering_name("TITLE"));
        assert!(is_ordering_name("BY_DATE_2"));
        assert!(!is_ordering_name("Title"));
        assert!(!is_ordering_name("_TITLE"));
        assert!(!is_ordering_name(""));
    }
}
