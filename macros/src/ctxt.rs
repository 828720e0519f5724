//! Error collection: every problem in a derive input is reported in one
//! compile, not one per compile (serde `internals/ctxt.rs`).

use core::cell::RefCell;
use core::fmt::Display;

use quote::ToTokens;

/// Gathers the errors found while parsing and checking one derive input.
///
/// [`Ctxt::check`] must be called before the context is dropped; dropping an
/// unchecked context is a bug in the macro (errors would be lost), so it
/// panics, as serde's does.
pub struct Ctxt {
    /// `None` once [`Ctxt::check`] has taken the errors.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Reports `msg` on the tokens of `obj` (its whole span on stable).
    pub fn error_spanned_by<A: ToTokens, T: Display>(&self, obj: A, msg: T) {
        self.syn_error(syn::Error::new_spanned(obj.into_token_stream(), msg));
    }

    /// Reports an error from syn (a parse error of an attribute).
    pub fn syn_error(&self, err: syn::Error) {
        if let Some(errors) = self.errors.borrow_mut().as_mut() {
            errors.push(err);
        }
    }

    /// All reported errors combined into one, in the order they were found.
    pub fn check(self) -> Result<(), syn::Error> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        let mut iter = errors.into_iter();
        let Some(mut combined) = iter.next() else {
            return Ok(());
        };
        for rest in iter {
            combined.combine(rest);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("keypage-macros bug: Ctxt dropped without check()");
        }
    }
}
