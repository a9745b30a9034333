//! `#[kata::test]`: runs an `async fn(db: Db)` as a `#[test]`, once per configured backend,
//! each time on a fresh database.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, FnArg, ItemFn, Lit, LitStr, Meta, Token};

use crate::internals::Ctxt;
use crate::internals::symbol::BACKENDS;

/// The backend names `backends = "..."` accepts (`kata::Backend::name`).
const BACKEND_NAMES: &[&str] = &["sqlite", "postgres", "mysql"];

/// Expands `#[kata::test(args)]` on `item`. All the errors found come back together.
pub(crate) fn expand_test(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let backends = parse_args(&cx, args);
    let func = match syn::parse2::<ItemFn>(item) {
        Ok(func) => {
            check_signature(&cx, &func);
            Some(func)
        }
        Err(err) => {
            cx.syn_error(err);
            None
        }
    };
    cx.check()?;
    match func {
        Some(func) => Ok(generate(&func, backends.as_ref())),
        // A parse failure was recorded above, so check() has already returned.
        None => Err(syn::Error::new(Span::call_site(), "#[kata::test] could not read this function")),
    }
}

/// What `#[kata::test]` emits when it fails: the errors, and the function unchanged (when it
/// parses) so that the imports it uses do not turn into "unused import" warnings as well.
pub(crate) fn with_errors(err: syn::Error, item: TokenStream) -> TokenStream {
    let errors = err.into_compile_error();
    match syn::parse2::<ItemFn>(item) {
        Ok(func) => quote! {
            #errors
            #[allow(dead_code)]
            #func
        },
        Err(_) => errors,
    }
}

/// `backends = "postgres,mysql"`, normalised to `postgres,mysql`.
fn parse_args(cx: &Ctxt, args: TokenStream) -> Option<LitStr> {
    let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
        Ok(metas) => metas,
        Err(err) => {
            cx.syn_error(err);
            return None;
        }
    };
    let mut backends: Option<LitStr> = None;
    let mut seen_backends = false;
    for meta in metas {
        let path = meta.path();
        if path != BACKENDS {
            let name = path.to_token_stream().to_string().replace(' ', "");
            cx.error_spanned_by(path, format!("unknown #[kata::test] argument `{name}`; expected: backends"));
            continue;
        }
        if seen_backends {
            cx.error_spanned_by(path, "duplicate #[kata::test] argument `backends`");
            continue;
        }
        seen_backends = true;
        let Meta::NameValue(nv) = &meta else {
            cx.error_spanned_by(&meta, "`backends` needs a value: `backends = \"postgres,mysql\"`");
            continue;
        };
        let Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) = &nv.value else {
            cx.error_spanned_by(
                &nv.value,
                "expected a string literal for `backends`, e.g. `backends = \"postgres,mysql\"`",
            );
            continue;
        };
        if let Some(normalised) = parse_backend_list(cx, lit) {
            backends = Some(LitStr::new(&normalised, lit.span()));
        }
    }
    backends
}

/// Checks every name in `"postgres, mysql"` and returns them joined by commas.
fn parse_backend_list(cx: &Ctxt, lit: &LitStr) -> Option<String> {
    let text = lit.value();
    let names: Vec<&str> = text.split(',').map(str::trim).collect();
    let mut ok = true;
    for name in &names {
        if !BACKEND_NAMES.contains(name) {
            ok = false;
            let problem = if name.is_empty() {
                "empty backend name".to_owned()
            } else {
                format!("unknown backend `{name}`")
            };
            cx.error_spanned_by(
                lit,
                format!(
                    "{problem} in `backends`; expected a comma-separated list of: {}",
                    BACKEND_NAMES.join(", ")
                ),
            );
        }
    }
    ok.then(|| names.join(","))
}

/// An `async fn` with exactly one parameter (the `Db`) and no generics.
fn check_signature(cx: &Ctxt, func: &ItemFn) {
    let sig = &func.sig;
    let name = sig.ident.unraw();
    if sig.asyncness.is_none() {
        cx.error_spanned_by(
            sig.fn_token,
            format!("#[kata::test] needs an `async fn`: write `async fn {name}(db: Db)`"),
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        cx.error_spanned_by(&sig.generics, "#[kata::test] functions cannot be generic");
    }
    let message = format!(
        "#[kata::test] functions take exactly one parameter, the database: \
         `async fn {name}(db: Db)`"
    );
    match (sig.inputs.len(), sig.inputs.first()) {
        (1, Some(FnArg::Typed(_))) => {}
        (0, _) => cx.error_at(sig.paren_token.span.join(), message),
        _ => cx.error_spanned_by(&sig.inputs, message),
    }
    if let Some(variadic) = &sig.variadic {
        cx.error_spanned_by(variadic, "#[kata::test] functions cannot be variadic");
    }
}

fn generate(func: &ItemFn, backends: Option<&LitStr>) -> TokenStream {
    let attrs = &func.attrs;
    let vis = &func.vis;
    let sig = &func.sig;
    let name = &sig.ident;
    let name_str = sig.ident.unraw().to_string();
    let output = &sig.output;
    let body = &func.block;
    // check_signature has made sure of one typed parameter.
    let param = &sig.inputs;
    let backends = match backends {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #(#attrs)*
        #[::core::prelude::v1::test]
        #vis fn #name() {
            async fn __kata_test_body(#param) #output #body
            ::kata::__private::testing::run(
                ::core::concat!(::core::module_path!(), "::", #name_str),
                #backends,
                |db| ::std::boxed::Box::pin(__kata_test_body(db)),
            );
        }
    }
}

#[cfg(test)]
mod tests;
