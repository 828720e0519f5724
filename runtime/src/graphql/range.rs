//! [`KeyRange`] as a GraphQL input object: `IntRange`, `StringRange`,
//! `DateTimeRange`, ... with the fields `gt`, `gte`, `lt`, `lte`.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::registry::{Deprecation, MetaInputValue, MetaType, MetaTypeId, Registry};
use async_graphql::{InputType, InputValueError, InputValueResult, Name, Value};

use crate::filter::KeyRange;

/// The input fields, with their descriptions.
const FIELDS: [(&str, &str); 4] = [
    ("gt", "Only values strictly greater than this."),
    ("gte", "Only values greater than or equal to this."),
    ("lt", "Only values strictly less than this."),
    ("lte", "Only values less than or equal to this."),
];

/// `<Scalar>Range`, named after the key's GraphQL type, so `KeyRange<i32>`
/// and `KeyRange<i64>`, both over `Int`, are one input type `IntRange`
/// (registered without a Rust type name, which async-graphql would
/// otherwise see as two types claiming one name). That also means
/// async-graphql does not catch a type of your own named `IntRange`
/// (`StringRange`, ...) in the same schema: one replaces the other, so
/// leave these names to keypage.
impl<T: InputType> InputType for KeyRange<T> {
    type RawValueType = Self;

    fn type_name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Range", T::type_name()))
    }

    fn create_type_info(registry: &mut Registry) -> String {
        registry.create_input_type::<Self, _>(MetaTypeId::InputObject, |registry| {
            let ty = <Option<T> as InputType>::create_type_info(registry);
            let input_fields: IndexMap<String, MetaInputValue> = (FIELDS.iter())
                .map(|&(name, description)| {
                    let field = MetaInputValue {
                        name: name.to_owned(),
                        description: Some(description.to_owned()),
                        ty: ty.clone(),
                        deprecation: Deprecation::NoDeprecated,
                        default_value: None,
                        visible: None,
                        inaccessible: false,
                        tags: Vec::new(),
                        is_secret: false,
                        directive_invocations: Vec::new(),
                    };
                    (name.to_owned(), field)
                })
                .collect();
            MetaType::InputObject {
                name: Self::type_name().into_owned(),
                description: Some(format!(
                    "A range of `{}` values: every bound given applies; none keeps every row, a bound drops rows without a value.",
                    T::type_name()
                )),
                input_fields,
                visible: None,
                inaccessible: false,
                tags: Vec::new(),
                rust_typename: None,
                oneof: false,
                directive_invocations: Vec::new(),
            }
        })
    }

    fn parse(value: Option<Value>) -> InputValueResult<Self> {
        let Some(Value::Object(mut object)) = value else {
            return Err(InputValueError::expected_type(value.unwrap_or_default()));
        };
        let mut bound = |name: &str| {
            <Option<T> as InputType>::parse(object.shift_remove(name))
                .map_err(InputValueError::propagate)
        };
        Ok(KeyRange {
            gt: bound("gt")?,
            gte: bound("gte")?,
            lt: bound("lt")?,
            lte: bound("lte")?,
        })
    }

    fn to_value(&self) -> Value {
        let object = (self.bounds())
            .map(|(comparison, bound)| (Name::new(comparison.name()), bound.to_value()))
            .collect();
        Value::Object(object)
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }
}
