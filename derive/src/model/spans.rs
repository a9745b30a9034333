//! Where generated code points when it fails to compile.
//!
//! Two tools, for two kinds of mistakes:
//!
//! - [`type_span`]: a span that resolves like the macro's own tokens but points at a field's
//!   type, so a field type that is not a `FieldType` is reported at the user's type. Every
//!   such use names the trait's item (`<T as FieldType>::decode`), which gives the same error
//!   each time, and rustc prints identical errors once.
//! - [`RelationEnds`]: for a foreign key whose target is not a model. rustc already reports
//!   the field itself (`ForeignKey<Author>` needs `Author: Model`); generated code that names
//!   the relation is spanned from the first to the last token of that type, so its own errors
//!   land on exactly the same span. rustc keeps one error per span and predicate within an
//!   item, and prints identical errors once, so the user sees the one on the field.

use proc_macro2::{Group, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::Type;
use syn::spanned::Spanned;

/// A span that resolves like the macro's own tokens but points at `ty`, so a trait bound that
/// fails on a field type (`FieldType`, `AutoKey`) is reported at the user's type.
pub(super) fn type_span(ty: &Type) -> Span {
    Span::call_site().located_at(ty.span())
}

/// The first and last tokens of a relation type as the user wrote it (`ForeignKey<Author>`).
#[derive(Debug, Clone, Copy)]
pub(super) struct RelationEnds {
    first: Span,
    last: Span,
}

/// A piece of generated code that names a relation: kata's tokens, or the user's type as
/// written (which keeps its spans).
pub(super) enum Part {
    /// kata's tokens.
    Ours(TokenStream),
    /// The user's tokens.
    User(TokenStream),
}

impl RelationEnds {
    /// The ends of `ty`.
    pub(super) fn of(ty: &Type) -> Self {
        let mut tokens = ty.to_token_stream().into_iter();
        let first = tokens.next().map_or_else(Span::call_site, |token| token.span());
        let last = tokens.last().map_or(first, |token| token.span());
        RelationEnds { first, last }
    }

    /// The parts in order, kata's tokens moved onto the user's type: the last part's (if it is
    /// kata's) to the type's last token, every other to its first. Whatever the parser builds
    /// from them (a path, a type, a call, an item) then starts at the type's first token and
    /// ends at its last: its span is the user's type, whichever sub-span rustc picks.
    pub(super) fn build(self, parts: impl IntoIterator<Item = Part>) -> TokenStream {
        let parts: Vec<Part> = parts.into_iter().collect();
        let count = parts.len();
        let mut out = TokenStream::new();
        for (i, part) in parts.into_iter().enumerate() {
            match part {
                Part::Ours(tokens) => {
                    out.extend(respan(tokens, if i + 1 == count { self.last } else { self.first }));
                }
                Part::User(tokens) => out.extend(tokens),
            }
        }
        out
    }

    /// Kata's `tokens`, all on the type's first token.
    pub(super) fn at_first(self, tokens: TokenStream) -> TokenStream {
        respan(tokens, self.first)
    }

    /// Kata's `tokens`, all on the type's last token.
    pub(super) fn at_last(self, tokens: TokenStream) -> TokenStream {
        respan(tokens, self.last)
    }

    /// `{ inner }` with its braces on the type's last token; `inner` keeps its spans.
    pub(super) fn block(self, inner: TokenStream) -> TokenStream {
        let mut group = Group::new(proc_macro2::Delimiter::Brace, inner);
        group.set_span(self.last);
        TokenTree::Group(group).into()
    }

    /// `tokens`, kata's own, on the type's last token but the first one (a leading `::` is one
    /// token), on its first: a path, a call or any expression they form starts at the type's
    /// first token and ends at its last, and so does every path or call it starts with.
    pub(super) fn ours(self, tokens: TokenStream) -> TokenStream {
        let mut trees = tokens.into_iter();
        let mut out = TokenStream::new();
        for tree in trees.by_ref() {
            let glued = matches!(&tree, TokenTree::Punct(punct) if punct.spacing() == Spacing::Joint);
            out.extend(respan(tree.into(), self.first));
            if !glued {
                break;
            }
        }
        out.extend(respan(trees.collect(), self.last));
        out
    }
}

/// Kata's `tokens` at `span`, inside groups too.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                TokenTree::Group(new)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}
