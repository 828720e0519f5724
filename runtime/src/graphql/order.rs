//! The order enum (`ArticleOrder`) as a GraphQL enum type.

use async_graphql::registry::{MetaEnumValue, MetaType, MetaTypeId, Registry};
use async_graphql::resolver_utils::EnumType;
use async_graphql::{Enum, InputType};

/// One GraphQL value of an order enum: the ordering's name and its
/// `order_by` text as the description.
#[derive(Debug, Clone, Copy)]
pub struct OrderValue {
    /// `DEFAULT`, `TITLE`, ...
    pub name: &'static str,
    /// The keys, e.g. `created_at desc, id desc`.
    pub description: &'static str,
}

/// A placeholder whose registered type, made by async-graphql's own
/// derive, is the template for order enums.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "KeypageOrderTemplate")]
enum Template {
    Value,
}

/// Registers the order enum `E` (the derive's `create_type_info`): a
/// GraphQL enum named `E::type_name()` with `values`, in order.
///
/// The type is the one async-graphql's derive would make, patched: it is
/// cloned from a derived placeholder and only its name, description and
/// values are set, so fields that later 7.x releases add to `MetaType`
/// (7.2 added `requires_scopes`) keep their defaults instead of breaking
/// this code.
pub fn register_order_enum<E: EnumType + InputType>(
    registry: &mut Registry,
    description: &'static str,
    values: &'static [OrderValue],
) -> String {
    registry.create_input_type::<E, _>(MetaTypeId::Enum, |_| {
        let mut scratch = Registry::default();
        let _ = <Template as InputType>::create_type_info(&mut scratch);
        let Some(mut meta) = scratch.types.remove("KeypageOrderTemplate") else {
            unreachable!("the placeholder enum registers itself under its name")
        };
        if let MetaType::Enum {
            name,
            description: meta_description,
            enum_values,
            rust_typename,
            ..
        } = &mut meta
        {
            let template = enum_values.shift_remove("VALUE");
            *name = E::type_name().into_owned();
            *meta_description = Some(description.to_owned());
            *rust_typename = Some(core::any::type_name::<E>());
            for value in values {
                let mut item: MetaEnumValue = match &template {
                    Some(template) => template.clone(),
                    None => unreachable!("the placeholder enum has the value `VALUE`"),
                };
                item.name = value.name.to_owned();
                item.description = Some(value.description.to_owned());
                let _ = enum_values.insert(value.name.to_owned(), item);
            }
        }
        meta
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_an_enum_with_one_value() {
        let mut registry = Registry::default();
        let _ = <Template as InputType>::create_type_info(&mut registry);
        let Some(MetaType::Enum { enum_values, .. }) = registry.types.get("KeypageOrderTemplate")
        else {
            panic!("not registered as an enum");
        };
        assert_eq!(enum_values.keys().collect::<Vec<_>>(), ["VALUE"]);
        // Only used through the registry.
        assert!(Template::Value == Template::Value);
    }
}
