//! The resolver parameter `#[keypage::connections]` expands into the Relay
//! arguments.

use async_graphql::InputType;

use crate::args::PageArgs;
use crate::graphql::ConnectionRequest;
use crate::keyset::Paginate;

/// A resolver parameter made from a connection field's arguments: what a
/// parameter marked `#[connection]` in a `#[keypage::connections]` impl
/// must be. The attribute declares `first`, `after`, `last`, `before` and
/// `orderBy: Self::Order` in its place and builds it with
/// [`from_connection_args`](Self::from_connection_args).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not made from connection arguments",
    label = "a `#[connection]` parameter",
    note = "mark a `keypage::graphql::ConnectionRequest<Row>`, for a `Row` deriving `Paginate`"
)]
pub trait FromConnectionArgs: Sized {
    /// The type of the `orderBy` argument.
    type Order: InputType;

    /// The parameter for `order_by` (the default ordering when `None`) and
    /// the page arguments.
    fn from_connection_args(order_by: Option<Self::Order>, args: PageArgs) -> Self;
}

/// `orderBy` is the row's order enum; the request is validated as
/// [`ConnectionRequest::new`] validates it.
impl<R> FromConnectionArgs for ConnectionRequest<R>
where
    R: Paginate,
    R::Order: InputType + Default,
{
    type Order = R::Order;

    fn from_connection_args(order_by: Option<R::Order>, args: PageArgs) -> Self {
        ConnectionRequest::new(order_by, args)
    }
}
