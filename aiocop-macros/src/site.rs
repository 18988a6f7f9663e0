//! The static description of a monitored function that the generated code registers.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

use crate::args::MonitorArgs;

/// Name of the generated constant holding the site.
pub(crate) fn site_ident() -> Ident {
    Ident::new("__AIOCOP_SITE", Span::call_site())
}

/// The registered item `__AIOCOP_SITE`, the function's `MonitoredFunction`.
pub(crate) fn site_items(args: &MonitorArgs, fn_name: &Ident, line: usize) -> TokenStream {
    let ident = site_ident();
    let name = match &args.name {
        Some(lit) => lit.value(),
        None => fn_name.to_string().trim_start_matches("r#").to_owned(),
    };
    let line = line as u32;
    let mut options = quote!(::aiocop::__private::MonitorOptions::DEFAULT);
    if let Some(ms) = args.threshold_ms {
        options = quote!(#options.with_threshold(::core::time::Duration::from_millis(#ms)));
    }
    if args.strict {
        options = quote!(#options.with_strict(true));
    }
    if !args.allow.is_empty() {
        let allow = &args.allow;
        options = quote!(#options.with_allow(&[#(#allow),*]));
    }
    quote! {
        ::aiocop::__aiocop_register!(monitored: #ident = ::aiocop::__private::MonitoredFunction::new(
            ::aiocop::__private::FunctionInfo::new(#name, ::core::module_path!(), ::core::file!(), #line),
            #options,
        ));
    }
}
