//! `#[aiocop::blocking]` on a same-crate sync function declares it a blocking operation (the
//! runtime records every call to it); the linter reports calls to it from async code the same way.

use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Lit, Meta, MetaNameValue, Token};

use super::config::named_weight;
use super::resolve::{Resolver, path_segments};
use crate::catalog::WEIGHT_MODERATE;

/// What `#[aiocop::blocking(weight = .., name = "..")]` declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Declared {
    /// The event name given with `name = "..."`, if any.
    pub(crate) name: Option<String>,
    pub(crate) weight: u32,
}

/// The `#[aiocop::blocking]` attribute among `attrs` (also imported under another path).
pub(crate) fn declared_blocking(attrs: &[Attribute], resolver: &Resolver<'_>) -> Option<Declared> {
    let attr = attrs.iter().find(|attr| {
        resolver
            .resolve(&path_segments(attr.path()))
            .is_some_and(|p| p.len() == 2 && p[0] == "aiocop" && p[1] == "blocking")
    })?;
    let mut declared = Declared {
        name: None,
        weight: WEIGHT_MODERATE,
    };
    let Meta::List(list) = &attr.meta else {
        return Some(declared);
    };
    // Arguments the macro rejects make the code fail to compile; here they keep the defaults.
    let Ok(args) = list.parse_args_with(Punctuated::<MetaNameValue, Token![,]>::parse_terminated)
    else {
        return Some(declared);
    };
    for arg in args {
        match (
            arg.path.get_ident().map(|i| i.to_string()).as_deref(),
            &arg.value,
        ) {
            (Some("name"), Expr::Lit(l)) => {
                if let Lit::Str(s) = &l.lit {
                    declared.name = Some(s.value());
                }
            }
            (Some("weight"), Expr::Path(p)) => {
                if let Some(w) = p
                    .path
                    .get_ident()
                    .and_then(|i| named_weight(&i.to_string()))
                {
                    declared.weight = w;
                }
            }
            (Some("weight"), Expr::Lit(l)) => {
                if let Lit::Int(i) = &l.lit
                    && let Ok(w) = i.base10_parse()
                {
                    declared.weight = w;
                }
            }
            _ => {}
        }
    }
    Some(declared)
}
