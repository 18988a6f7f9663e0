//! The function item an attribute is applied to: a free fn, a method, or a trait method.

use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Block, Signature, Token, Visibility};

pub(crate) struct FnItem {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    pub(crate) body: Result<Block, Token![;]>,
}

impl Parse for FnItem {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        let body = if input.peek(Token![;]) {
            Err(input.parse()?)
        } else {
            let content;
            let brace_token = syn::braced!(content in input);
            // `#![allow(..)]` at the top of the body applies to the function: kept as an outer
            // attribute, since the body is moved into a block where inner attributes are not
            // allowed.
            for mut inner in content.call(Attribute::parse_inner)? {
                inner.style = syn::AttrStyle::Outer;
                attrs.push(inner);
            }
            let stmts = content.call(Block::parse_within)?;
            Ok(Block { brace_token, stmts })
        };
        Ok(FnItem {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

/// Parses `item` as a function, or explains that `what` applies only to functions, pointing at
/// what the item is instead.
pub(crate) fn parse_fn(item: proc_macro2::TokenStream, what: &str) -> syn::Result<FnItem> {
    syn::parse2::<FnItem>(item.clone()).map_err(|_| {
        use syn::spanned::Spanned;
        let (span, hint) = match syn::parse2::<syn::Item>(item.clone()) {
            Ok(syn::Item::Impl(imp)) => (
                imp.impl_token.span,
                format!("; put {what} on each function of this impl"),
            ),
            Ok(syn::Item::Trait(tr)) => (
                tr.trait_token.span,
                format!("; put {what} on each function of this trait that has a body"),
            ),
            Ok(syn::Item::Mod(m)) => (m.mod_token.span, String::new()),
            Ok(other) => (other.span(), String::new()),
            Err(_) => (
                item.into_iter()
                    .next()
                    .map(|t| t.span())
                    .unwrap_or_else(proc_macro2::Span::call_site),
                String::new(),
            ),
        };
        syn::Error::new(span, format!("{what} applies only to functions{hint}"))
    })
}

/// The identifiers of a path's segments, generic arguments left out: `std::fs::read::<&str>` is
/// `["std", "fs", "read"]`.
pub(crate) fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}
