//! `#[aiocop::allow_blocking(reason = "...")]`: documents why an item may block. The linter skips
//! the item; at run time, calls made while an allowed function runs are not recorded.

use proc_macro2::TokenStream;
use quote::quote;

use crate::args::AllowBlockingArgs;
use crate::item::FnItem;

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    AllowBlockingArgs::parse(args)?;
    // On anything but a function (a module, an impl block) the attribute only informs the linter.
    let Ok(FnItem {
        attrs,
        vis,
        sig,
        body: Ok(body),
    }) = syn::parse2::<FnItem>(item.clone())
    else {
        return Ok(item);
    };
    let stmts = &body.stmts;
    if sig.asyncness.is_some() {
        let fake = crate::monitor::fake_return(&sig.output);
        return Ok(quote! {
            #(#attrs)*
            #vis #sig {
                ::aiocop::__private::AllowBlocking::new(async move {
                    #fake
                    #(#stmts)*
                })
                .await
            }
        });
    }
    Ok(quote! {
        #(#attrs)*
        #vis #sig {
            let __aiocop_allowed = ::aiocop::__private::AllowBlockingGuard::new();
            #(#stmts)*
        }
    })
}
