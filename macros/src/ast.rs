//! The derive input as typed values: the struct, its named fields and their
//! attributes, each keeping the syn node it came from for error spans.

use syn::ext::IdentExt as _;
use syn::{Data, DeriveInput, Fields, GenericArgument, Ident, PathArguments, Type, Visibility};

use crate::attr::{Container, FieldAttrs};
use crate::ctxt::Ctxt;

/// A struct with named fields, the only input the derive accepts.
pub struct Input<'a> {
    pub original: &'a DeriveInput,
    pub ident: &'a Ident,
    /// The struct's name without `r#`, as used in names and fingerprints.
    pub name: String,
    pub vis: &'a Visibility,
    pub attrs: Container,
    /// In declaration order.
    pub fields: Vec<Field<'a>>,
}

/// One named field.
pub struct Field<'a> {
    pub ident: &'a Ident,
    /// The field name without `r#`: what `order_by` calls it.
    pub name: String,
    pub ty: &'a Type,
    pub attrs: FieldAttrs,
    /// What the type is, syntactically, with respect to `Option`.
    pub nullability: Nullability<'a>,
}

/// Whether a field is an `Option<_>`, read from its written type (a type
/// alias of `Option` is not seen through).
#[derive(Clone, Copy)]
pub enum Nullability<'a> {
    NotNull,
    /// `Option<T>`; `T` is kept for messages.
    Option,
    /// `Option<Option<T>>`: the inner `Option`, for error spans.
    OptionOption(&'a Type),
}

impl<'a> Input<'a> {
    /// Reads `node`. Returns `None`, with the error reported, when it is not
    /// a struct with named fields; the derive then emits no fallback code.
    pub fn from_syn(cx: &Ctxt, node: &'a DeriveInput) -> Option<Input<'a>> {
        let fields = match &node.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(fields) => fields,
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(
                        fields,
                        "`#[derive(Paginate)]` needs named fields, which `order_by` can name; \
                         tuple structs are not supported",
                    );
                    return None;
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        &node.ident,
                        "`#[derive(Paginate)]` needs a struct with named fields to order by; \
                         unit structs are not supported",
                    );
                    return None;
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "`#[derive(Paginate)]` only supports structs with named fields, not enums",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "`#[derive(Paginate)]` only supports structs with named fields, not unions",
                );
                return None;
            }
        };
        // The struct's attributes first, so errors come in reading order.
        let attrs = Container::from_attrs(cx, &node.attrs);
        let fields = fields
            .named
            .iter()
            .filter_map(|field| {
                let ident = field.ident.as_ref()?;
                Some(Field {
                    ident,
                    name: ident.unraw().to_string(),
                    ty: &field.ty,
                    attrs: FieldAttrs::from_attrs(cx, &field.attrs),
                    nullability: nullability(&field.ty),
                })
            })
            .collect();
        Some(Input {
            original: node,
            ident: &node.ident,
            name: node.ident.unraw().to_string(),
            vis: &node.vis,
            attrs,
            fields,
        })
    }

    /// Whether the struct has type, lifetime or const parameters or a where
    /// clause; the cursor types cannot carry them yet.
    pub fn is_generic(&self) -> bool {
        let generics = &self.original.generics;
        !generics.params.is_empty() || generics.where_clause.is_some()
    }
}

impl Field<'_> {
    /// The SQL column: `#[paginate(column = "...")]`, else the field name.
    pub fn column(&self) -> String {
        self.attrs
            .column
            .as_ref()
            .map_or_else(|| self.name.clone(), syn::LitStr::value)
    }

    pub fn is_option(&self) -> bool {
        !matches!(self.nullability, Nullability::NotNull)
    }

    /// The type of the values the field holds when not NULL: `T` of an
    /// `Option<T>`, else the field's type.
    pub fn value_type(&self) -> &Type {
        option_inner(self.ty).unwrap_or(self.ty)
    }
}

fn nullability(ty: &Type) -> Nullability<'_> {
    match option_inner(ty) {
        None => Nullability::NotNull,
        Some(inner) if option_inner(inner).is_some() => Nullability::OptionOption(inner),
        Some(_) => Nullability::Option,
    }
}

/// `T` when `ty` is written `Option<T>`, `core::option::Option<T>`, ...
fn option_inner(ty: &Type) -> Option<&Type> {
    let ty = ungroup(ty);
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    if args.args.len() != 1 {
        return None;
    }
    match args.args.first()? {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// Looks through the invisible groups `macro_rules!` wraps `$t:ty` in.
fn ungroup(mut ty: &Type) -> &Type {
    while let Type::Group(group) = ty {
        ty = &group.elem;
    }
    ty
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(ty: &str) -> &'static str {
        let ty: Type = syn::parse_str(ty).unwrap();
        match nullability(&ty) {
            Nullability::NotNull => "not null",
            Nullability::Option => "option",
            Nullability::OptionOption(_) => "option option",
        }
    }

    #[test]
    fn sees_option_by_its_written_type() {
        assert_eq!(kind("i64"), "not null");
        assert_eq!(kind("Option<String>"), "option");
        assert_eq!(kind("::core::option::Option<i64>"), "option");
        assert_eq!(kind("std::option::Option<Option<i64>>"), "option option");
        assert_eq!(kind("Vec<Option<i64>>"), "not null");
    }
}
