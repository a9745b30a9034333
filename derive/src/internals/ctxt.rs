//! An error context: every check records its errors here instead of returning early, so one
//! compile reports every mistake in a model at once, each at the user's token.

use std::cell::RefCell;
use std::fmt::Display;
use std::thread;

use proc_macro2::Span;
use quote::ToTokens;

/// Collects the errors found while parsing and checking a macro input.
///
/// [`Ctxt::check`] must be called before the context is dropped (a forgotten check is a bug in
/// the macro, so dropping an unchecked context panics, as serde's does).
#[derive(Debug, Default)]
pub(crate) struct Ctxt {
    /// `None` once `check` has consumed the errors.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    /// An empty context.
    pub(crate) fn new() -> Self {
        Ctxt { errors: RefCell::new(Some(Vec::new())) }
    }

    /// Records an error spanning the tokens of `obj`.
    pub(crate) fn error_spanned_by<A: ToTokens, T: Display>(&self, obj: A, message: T) {
        self.syn_error(syn::Error::new_spanned(obj.into_token_stream(), message));
    }

    /// Records an error at `span`.
    pub(crate) fn error_at<T: Display>(&self, span: Span, message: T) {
        self.syn_error(syn::Error::new(span, message));
    }

    /// Records an error that syn produced (a parse error, for instance).
    pub(crate) fn syn_error(&self, err: syn::Error) {
        self.errors.borrow_mut().as_mut().expect("Ctxt used after check()").push(err);
    }

    /// Consumes the context: `Ok` if nothing was recorded, otherwise all the errors combined
    /// into one `syn::Error` (each keeps its own span).
    pub(crate) fn check(self) -> syn::Result<()> {
        let mut errors = self.errors.borrow_mut().take().expect("Ctxt::check called twice").into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for err in errors {
            combined.combine(err);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !thread::panicking() && self.errors.borrow().is_some() {
            panic!("forgot to call Ctxt::check");
        }
    }
}
