//! async-graphql 7 integration (feature `graphql`): Relay connections with
//! validated arguments, coded errors and a lazy `totalCount`.
//!
//! With the feature on, `#[derive(Paginate)]` on `Article` also generates:
//!
//! * `impl async_graphql::connection::CursorType` for every cursor type
//!   (`ArticleCursor`, `ArticleTitleCursor`), with
//!   [`CursorError`](crate::CursorError) as the error;
//! * `ArticleOrder` as a GraphQL input enum named `ArticleOrder`, one value
//!   per ordering (`DEFAULT`, or the `order_name`, and each
//!   `ordering(name = ..)`) described by its `order_by` keys; take it as an
//!   `orderBy: ArticleOrder` argument (`Option<ArticleOrder>`, `None` being
//!   the default ordering);
//! * `type ArticleConnection = keypage::graphql::Connection<Article>`: the
//!   GraphQL types `ArticleConnection` (`pageInfo`, `edges`, `nodes`,
//!   `totalCount`) and `ArticleEdge` (`cursor`, `node`);
//! * `Article::connection(order_by, args)`, a [`ConnectionRequest`] that a
//!   resolver finishes in one call: [`over_slice`](ConnectionRequest::over_slice)
//!   for an in-memory collection, `select` for a SQL table through a sqlx
//!   pool (with a SQL feature), [`fetch`](ConnectionRequest::fetch) for
//!   any data source, optionally with
//!   [`total_count`](ConnectionRequest::total_count) first.
//!
//! Every [`PageError`](crate::PageError) reaches the client as a GraphQL
//! error whose message names the argument and the allowed range, with
//! `extensions.code` one of `FIRST_AND_LAST`, `PAGE_SIZE_OUT_OF_RANGE`,
//! `OFFSET_OUT_OF_RANGE`, `INVALID_CURSOR`, `CURSOR_ORDER_MISMATCH`,
//! `CURSOR_FILTER_MISMATCH`, `KEY_TOO_LONG`, and `extensions.argument` the
//! argument at fault (see [`ErrorExtensions`](async_graphql::ErrorExtensions)
//! on `PageError` to convert one yourself). A database failure is only
//! `internal error`, code `INTERNAL`, its cause kept as the error's
//! `source` for the server's log; errors of your own data sources go
//! through [`IntoGraphqlError`], which has no blanket implementation for
//! `Display` types, so none of their text reaches the client by accident.
//!
//! The order enum is an input type only: async-graphql's `OutputType`
//! changes shape with its `boxed-trait` feature, which code generated into
//! the user's crate cannot see.

mod connection;
mod error;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod nested;
mod order;
mod range;

pub use async_graphql;

pub use crate::query::{AnyKeysetQuery, QueryVisitor};
pub use connection::{
    Connection, ConnectionName, ConnectionRequest, EdgeName, SharedCounts, TotalCount,
    TotalCountMode,
};
pub use error::IntoGraphqlError;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub use nested::{ChildCounts, ChildKey, ChildPage, ChildPages, LoadOne, ParentKey};
#[doc(hidden)]
pub use order::{OrderValue, register_order_enum};

/// Not public API: the GraphQL items `#[derive(Paginate)]` adds, as
/// `::keypage::__private::__keypage_graphql! { .. }`. Without the `graphql`
/// feature the macro expands to nothing, so the derive emits it
/// unconditionally.
#[doc(hidden)]
#[macro_export]
macro_rules! __keypage_graphql {
    (
        row: $row:ident,
        vis: $vis:vis,
        connection: $connection:ident = $connection_doc:literal,
        order: $order:ident = $order_doc:literal {
            $($variant:ident = $name:literal : $keys:literal,)+
        },
        cursors: [$($cursor:ident),+ $(,)?],
    ) => {
        #[doc = $connection_doc]
        $vis type $connection = $crate::graphql::Connection<$row>;

        const _: () = {
            impl $row {
                /// The Relay connection request for `order` (the default
                /// ordering when `None`) and `args`, validated: finish it
                /// with `over_slice`, `select` or `fetch` (see `keypage::graphql`).
                #[must_use]
                $vis fn connection(
                    order: ::core::option::Option<$order>,
                    args: $crate::PageArgs,
                ) -> $crate::graphql::ConnectionRequest<Self> {
                    $crate::graphql::ConnectionRequest::new(order, args)
                }
            }

            #[automatically_derived]
            impl $crate::graphql::async_graphql::resolver_utils::EnumType for $order {
                fn items() -> &'static [$crate::graphql::async_graphql::resolver_utils::EnumItem<Self>] {
                    &[$($crate::graphql::async_graphql::resolver_utils::EnumItem {
                        name: $name,
                        value: $order::$variant,
                    }),+]
                }
            }

            #[automatically_derived]
            impl $crate::graphql::async_graphql::InputType for $order {
                type RawValueType = Self;

                fn type_name() -> ::std::borrow::Cow<'static, ::core::primitive::str> {
                    ::std::borrow::Cow::Borrowed(::core::stringify!($order))
                }

                fn create_type_info(
                    registry: &mut $crate::graphql::async_graphql::registry::Registry,
                ) -> ::std::string::String {
                    $crate::graphql::register_order_enum::<Self>(registry, $order_doc, &[
                        $($crate::graphql::OrderValue { name: $name, description: $keys }),+
                    ])
                }

                fn parse(
                    value: ::core::option::Option<$crate::graphql::async_graphql::Value>,
                ) -> $crate::graphql::async_graphql::InputValueResult<Self> {
                    $crate::graphql::async_graphql::resolver_utils::parse_enum(
                        value.unwrap_or_default(),
                    )
                }

                fn to_value(&self) -> $crate::graphql::async_graphql::Value {
                    $crate::graphql::async_graphql::resolver_utils::enum_value(*self)
                }

                fn as_raw_value(&self) -> ::core::option::Option<&Self> {
                    ::core::option::Option::Some(self)
                }
            }

            $(
                #[automatically_derived]
                impl $crate::graphql::async_graphql::connection::CursorType for $cursor {
                    type Error = $crate::CursorError;

                    fn decode_cursor(
                        s: &::core::primitive::str,
                    ) -> ::core::result::Result<Self, $crate::CursorError> {
                        <Self as $crate::Cursor>::decode(s)
                    }

                    fn encode_cursor(&self) -> ::std::string::String {
                        <Self as $crate::Cursor>::encode(self)
                    }
                }
            )+
        };
    };
}
