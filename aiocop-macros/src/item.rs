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
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        let body = if input.peek(Token![;]) {
            Err(input.parse()?)
        } else {
            Ok(input.parse()?)
        };
        Ok(FnItem {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

/// Parses `item` as a function, or explains that `attribute` applies only to functions.
pub(crate) fn parse_fn(item: proc_macro2::TokenStream, what: &str) -> syn::Result<FnItem> {
    syn::parse2::<FnItem>(item.clone()).map_err(|_| {
        let first = item.into_iter().next();
        let span = first
            .map(|t| t.span())
            .unwrap_or_else(proc_macro2::Span::call_site);
        syn::Error::new(span, format!("{what} applies only to functions"))
    })
}
