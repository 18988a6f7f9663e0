//! Receivers of routed method calls: how each is looked at ([`Probing`], decided by its shape),
//! and the probe written around the call for it.
//!
//! The call itself stays as written. What changes is where the probe finds the receiver: read
//! again by reference, through the temporary it is projected from, by its type alone in a
//! never-taken branch, or passed through unchanged.

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use syn::{Expr, Ident};

use super::Rewriter;
use super::places::{
    is_array_expression, is_constant, is_place_expression, is_rooted_place, is_screaming,
    place_base, place_base_mut, plain_projections, repeatable, unparenthesized,
};
use super::render::source_text;
use crate::routes;

/// How the receiver of a routed method call is looked at.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Probing {
    /// Not at all: no std receiver of a blocking method has its shape (a number, `None`,
    /// `Some(3)`, an array), or it cannot be repeated in a never-taken branch (it awaits).
    Skip,
    /// A place rooted in a binding (`file`, `self.inner.file`, `*guard`, `v[0]`), by reference.
    ByReference,
    /// A place whose base is a temporary, reached through fields, dereferences and literal
    /// indexes (`self.codec.get_mut().inner`, `*v.as_ref()`, `m.lock().await.file`): the
    /// temporary passes through the probe, which reads the place from it by reference.
    ByBase,
    /// Any other place (`bufs[..n]`, `v[i + 1]`, `v[i * 2].1`, `make()[i]`), by its type alone:
    /// it is neither evaluated twice nor moved, copied or re-borrowed.
    ByType,
    /// A value (`File::open(p)?`, `make()`): passed through unchanged.
    Value,
}

/// How the receiver of a routed method call is probed (see [`Probing`]).
pub(super) fn probing(receiver: &Expr) -> Probing {
    let receiver = unparenthesized(receiver);
    if is_array_expression(receiver) {
        return Probing::Skip;
    }
    if is_constant(receiver) {
        return match receiver {
            // Typed as written (`&'static str`), and worth showing (`"host:80"`).
            Expr::Lit(lit) if matches!(lit.lit, syn::Lit::Str(_) | syn::Lit::ByteStr(_)) => {
                Probing::ByReference
            }
            // A constant or a static: a place read again by reference, as before.
            Expr::Path(path) if is_screaming(path) => Probing::ByReference,
            // Handed on unchanged: `&` keeps its promotion to `'static`, and a tuple may be
            // an address (`("localhost", 80).to_socket_addrs()`), whose port literal is typed
            // only by the call itself.
            Expr::Reference(_) | Expr::Tuple(_) => Probing::Value,
            // A number, `None`, `Some(3)`, a struct of constants: no std receiver of a
            // blocking method is one, and a probe would cost the constant its promotion to
            // `'static` (`Some(3).iter()` borrowed past its statement).
            _ => Probing::Skip,
        };
    }
    if is_rooted_place(receiver) {
        return Probing::ByReference;
    }
    if is_place_expression(receiver) {
        let base = place_base(receiver);
        if plain_projections(receiver) && !is_constant(base) && !matches!(base, Expr::Path(_)) {
            return Probing::ByBase;
        }
        // Repeated in a branch that is never taken: a dead `.await` there would still change
        // the future's type (its size, whether it is `Send`), and a dead assignment what the
        // liveness lints say.
        return if repeatable(receiver) {
            Probing::ByType
        } else {
            Probing::Skip
        };
    }
    Probing::Value
}

impl Rewriter {
    /// The call that `rebuild` makes from its receiver, with the probe of `method` on that
    /// receiver before it (through `then` or `pass_receiver` rather than in a block, so that the
    /// call's temporaries live as long as before). How the receiver is looked at depends on
    /// `probing`: a place rooted in a binding by reference; a place over a temporary by reference
    /// from that temporary, which passes through `pass_receiver`; any other place by its type,
    /// inferred from `copy` (the receiver as written) in a branch that is never taken; a value
    /// through `pass_receiver`, unbound, so that it is borrowed or moved by the method as before.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn probe_receiver(
        &self,
        receiver: &Expr,
        copy: &Expr,
        probing: Probing,
        method: &str,
        args: TokenStream,
        span: Span,
        rebuild: impl FnOnce(Expr) -> TokenStream,
    ) -> TokenStream {
        let module = Ident::new(method, Span::call_site());
        let by_traits = routes::method(method).is_some_and(|m| m.by_traits);
        // `recv` is `Recv<T>` for the traits; `by_type` the call of the `probe` function.
        let probe_of = |recv: TokenStream, by_type: TokenStream| {
            if self.deny {
                quote_spanned! {span=>
                    {
                        #[allow(unused_imports)]
                        use ::aiocop::__private::probe::methods::#module::{
                            DenyNo as _, DenyYes as _,
                        };
                        (&&#recv).__aiocop_deny(::aiocop::__private::probe::BlockingCallDenied)
                    }
                }
            } else if by_traits {
                quote_spanned! {span=>
                    {
                        #[allow(unused_imports)]
                        use ::aiocop::__private::probe::methods::#module::{No as _, Yes as _};
                        (&&#recv).__aiocop_probe(#args)
                    }
                }
            } else {
                by_type
            }
        };
        match probing {
            Probing::ByReference => {
                let probe = probe_of(
                    quote_spanned!(span=> ::aiocop::__private::probe::Recv::of(&#receiver)),
                    quote_spanned! {span=>
                        ::aiocop::__private::probe::methods::#module::probe(&#receiver, #args)
                    },
                );
                let call = rebuild(receiver.clone());
                quote_spanned! {span=>
                    ::aiocop::__private::probe::then(#probe, #call)
                }
            }
            Probing::ByType => {
                let ty = Ident::new("__aiocop_type", Span::mixed_site().located_at(span));
                let borrow = if self.bindings.raw_borrowable(unparenthesized(copy)) {
                    quote_spanned!(span=> &raw const)
                } else {
                    quote_spanned!(span=> &)
                };
                let source = source_text(copy);
                let probe = probe_of(
                    quote_spanned!(span=> ::aiocop::__private::probe::Recv::typed(#ty)),
                    quote_spanned! {span=>
                        ::aiocop::__private::probe::methods::#module::probe_type(
                            #ty, #args, #source,
                        )
                    },
                );
                let call = rebuild(receiver.clone());
                // Nothing in the never-taken branch runs, and none of its moves or borrows
                // reaches the call as written: the branch diverges.
                quote_spanned! {span=>
                    ::aiocop::__private::probe::then(
                        {
                            let #ty = ::core::marker::PhantomData;
                            #[allow(unreachable_code)]
                            if false {
                                ::aiocop::__private::probe::tie(&#ty, #borrow #copy);
                                ::aiocop::__private::probe::never()
                            }
                            #probe
                        },
                        #call,
                    )
                }
            }
            Probing::ByBase => {
                let bound = Ident::new("__aiocop_base", Span::mixed_site().located_at(span));
                // The place again, on the base the probe is handed: `(*base).inner`.
                let mut place = unparenthesized(receiver).clone();
                *place_base_mut(&mut place) = Expr::Verbatim(quote_spanned!(span=> (*#bound)));
                let probe = probe_of(
                    quote_spanned!(span=> ::aiocop::__private::probe::Recv::of(&#place)),
                    quote_spanned! {span=>
                        ::aiocop::__private::probe::methods::#module::probe(&#place, #args)
                    },
                );
                // The call as written, its base passed through the probe.
                let mut receiver = receiver.clone();
                let base = place_base_mut(&mut receiver);
                let value = std::mem::replace(base, Expr::Verbatim(TokenStream::new()));
                *base = Expr::Verbatim(quote_spanned! {span=>
                    ::aiocop::__private::probe::pass_receiver(#value, |#bound| {
                        #probe;
                    })
                });
                rebuild(receiver)
            }
            // (`Skip` never reaches here: its calls are left as written.)
            Probing::Value | Probing::Skip => {
                let bound = Ident::new("__aiocop_receiver", Span::mixed_site().located_at(span));
                let probe = probe_of(
                    quote_spanned!(span=> ::aiocop::__private::probe::Recv::of(#bound)),
                    quote_spanned! {span=>
                        ::aiocop::__private::probe::methods::#module::probe(#bound, #args)
                    },
                );
                // `(&*shared).read(..)`: the parentheses a method call needed are unneeded around
                // an argument, where `unused_parens` would warn about them.
                let receiver = unparenthesized(receiver);
                // Kept as tokens: re-parsing generated code would only cost compile time.
                rebuild(Expr::Verbatim(quote_spanned! {span=>
                    ::aiocop::__private::probe::pass_receiver(#receiver, |#bound| {
                        #probe;
                    })
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// How the receiver of `.read()` in `call` is probed.
    fn probing(call: &str) -> super::Probing {
        let expr: syn::Expr = syn::parse_str(call).expect("an expression");
        let syn::Expr::MethodCall(call) = expr else {
            panic!("not a method call: {call}");
        };
        super::probing(&call.receiver)
    }

    #[test]
    fn receivers_are_probed_where_they_stand() {
        use super::Probing::*;
        let cases = [
            // Places rooted in a binding, `self` or a static: by reference.
            ("file.read(b)", ByReference),
            ("self.inner.file.read(b)", ByReference),
            ("(*guard).read(b)", ByReference),
            ("files[0].read(b)", ByReference),
            ("STDIN.read(b)", ByReference),
            ("\"host:80\".read(b)", ByReference),
            // A temporary under fields, dereferences and literal indexes: the temporary passes
            // through, the place is read from it.
            ("self.codec.get_mut().inner.read(b)", ByBase),
            ("h.get().c.read(b)", ByBase),
            ("(*v.as_ref()).read(b)", ByBase),
            ("m.lock().await.file.read(b)", ByBase),
            ("make()[0].read(b)", ByBase),
            // Anything else that is a place: by type alone.
            ("bufs[..size].read(b)", ByType),
            ("s[1..].read(b)", ByType),
            ("v[i + 1].read(b)", ByType),
            ("v[i * 2].1.read(b)", ByType),
            ("files[i].read(b)", ByType),
            ("make()[i].read(b)", ByType),
            ("TABLE[i].read(b)", ByType),
            // A place that awaits under an index it would have to repeat: not probed.
            ("m.lock().await[i].read(b)", Skip),
            // Constants: kept promotable.
            ("Some(3).read(b)", Skip),
            ("None.read(b)", Skip),
            ("3.read(b)", Skip),
            ("[1, 2].read(b)", Skip),
            ("S { a: 1 }.read(b)", Skip),
            ("(\"localhost\", 80).read(b)", Value),
            ("(&Some(3)).read(b)", Value),
            // Temporaries: passed through.
            ("File::open(p)?.read(b)", Value),
            ("make().read(b)", Value),
            ("Some(x).read(b)", Value),
            ("(&mut *file).read(b)", Value),
        ];
        for (call, want) in cases {
            assert_eq!(probing(call), want, "{call}");
        }
    }
}
