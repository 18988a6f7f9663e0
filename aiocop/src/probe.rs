//! Type-checked probes for `#[aiocop::monitor]`'s call rewriting.
//!
//! The macro never replaces a call it cannot prove to be std's: it keeps the call exactly as
//! written and asks a probe whether the *type* involved is std's. For a path call
//! (`fs::read(p)`, `File::open(p)`) the probe looks at the result type after the call; for a
//! method call (`file.read_to_end(&mut buf)`) at the receiver's type before it.
//!
//! Probes are generic functions without bounds that compare types with std's (type ids, lifetimes
//! erased; names for function results): they type-check everywhere, cheaply, and an optimized
//! build folds the comparison, so a look-alike's probe is no code at all. Where no constant can
//! stand for std's type (methods of `Receiver<T>` and other types generic over a type), and for
//! `deny`, which must fail at compile time, probes use autoref specialisation instead: a `Yes`
//! trait implemented one reference level closer to the call than the catch-all `No`.
//!
//! `tokio::fs::File::open(p)` returns a future, an in-memory `Cursor` is not a `File`, and a user
//! type with a `recv` method is not a `Receiver`: none of them is recorded.
//!
//! A receiver is looked at where it stands, never moved or copied: a place rooted in a binding
//! (`file`, `self.inner.file`) by reference; any other place (`self.codec.get_mut().inner`,
//! `bufs[..n]`, `*v.as_ref()`) by its type alone, which a never-taken branch of the generated
//! code infers ([`tie`]) without evaluating the place a second time; a temporary
//! (`File::open(p)?`) through [`pass_receiver`], which hands it on unchanged.
//!
//! Past the per-poll event cap a probed call is only counted, as a shim's is: the arguments' text
//! ([`shown`], [`arg`], [`source`]) is made only while the poll keeps events whole.
//!
//! Probes are `#[inline(always)]` in optimized builds only, as the poll guard is (see `scope`):
//! debug builds call them, instead of copying them into every call site.

use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::path::Path;

use aiocop_lints::BlockingOp;

use crate::record::{self, Args, Source};

/// One module per routed function operation, named after its path (`std_fs_read`), each with a
/// `probe` that passes the call's result through and records the operation when the result has
/// std's type.
///
/// The result type is compared at run time (by name, only when a probe would record), not by trait
/// selection: the result of a call that is not std's may still be an inference variable where the
/// probe sits (`let n: u32 = read(s)?;` with the user's generic `read`), and selecting a trait impl
/// there would fix that variable to std's type and break code that compiled.
macro_rules! function_probes {
    ($( $module:ident => $op:ident : [$($g:tt)*] $ty:ty ; )*) => {
        /// Probes of path calls, by result type.
        pub mod fns {
            $(
                #[allow(non_camel_case_types)]
                #[doc = concat!("Probes for `", stringify!($module), "`.")]
                pub mod $module {
                    /// Returns `result`, recording the operation first if `R` is std's result
                    /// type and a monitored poll is recording. `args` is the arguments' text.
                    #[track_caller]
                    #[cfg_attr(not(debug_assertions), inline(always))]
                    pub fn probe<R>(args: Option<Vec<String>>, result: R) -> R {
                        if crate::probe::recording()
                            && function_probes!(@is [$($g)*] R, $ty)
                        {
                            crate::probe::record_confirmed(&aiocop_lints::catalog::$op, args);
                        }
                        crate::probe::call_done();
                        result
                    }
                }
            )*
        }

        /// Event names of the function operations that have a probe.
        pub static FUNCTION_PROBES: &[&str] = &[$(aiocop_lints::catalog::$op.event),*];
    };
    // A generic std result type (`thread::scope`'s `T`) says nothing: the path decides.
    (@is [$($g:tt)+] $r:ty, $ty:ty) => { true };
    (@is [] $r:ty, $ty:ty) => { crate::probe::same_type::<$r, $ty>() };
}

/// One module per routed method name (`read_to_end`), with a `probe` that records the operation
/// when the receiver is one of std's types that have the method, reached directly or through
/// `&`, `&&`, `&&&`, `&mut`, `Box`, `Arc` or `Rc` (a closure over `paths.iter()` sees `&&&Path`).
///
/// `probe` is generic without bounds and compares the receiver's type with std's at run time (by
/// type id, lifetimes erased; by name for std types generic over a type). In an optimized build
/// the comparison is of constants and folds away: a look-alike's probe is no code at all. Choosing
/// by trait selection instead (autoref specialisation over an impl per type and pointer) cost
/// type checking ~0.3 ms per probed call in a debug build.
///
/// For `#[aiocop::monitor(deny)]`, where the choice must be made at compile time, the module has
/// `DenyYes` / `DenyNo`, chosen by autoref specialisation: `DenyYes` exists only where a bound no
/// type satisfies holds, one trait per operation (named after its catalog constant) whose
/// `#[diagnostic::on_unimplemented]` message names the call and its alternative. A std receiver
/// therefore fails to compile at the call; any other receiver reaches `DenyNo`, which does
/// nothing.
macro_rules! method_probes {
    ($(
        $method:ident $mode:ident : [ $( $kind:ident [$($g:tt)*] $ty:ty => $op:ident ),* $(,)? ]
        deny [ $( $dop:ident => $message:literal, $note:literal ; )* ] ;
    )*) => {
        /// Probes of method calls, by receiver type.
        pub mod methods {
            $(
                #[allow(non_camel_case_types)]
                #[doc = concat!("Probes for `.", stringify!($method), "()`.")]
                pub mod $method {
                    #[allow(unused_imports)]
                    use std::{boxed::Box, rc::Rc, sync::Arc};

                    use crate::probe::{Probed, Recv};

                    method_probes!(@$mode [ $( $kind [$($g)*] $ty => $op ),* ]);

                    $(
                        #[doc = concat!("Never implemented: `", stringify!($dop), "` is denied.")]
                        #[diagnostic::on_unimplemented(
                            message = $message,
                            label = "blocking call in a function marked `#[aiocop::monitor(deny)]`",
                            note = $note
                        )]
                        pub trait $dop {}
                    )*

                    /// Matches std receiver types under `deny`: fails to compile.
                    pub trait DenyYes<D> {
                        /// Never callable: its bound does not hold.
                        fn __aiocop_deny(&self, denied: D) -> crate::probe::Probed;
                    }

                    $(
                        method_probes!(@deny [$($g)*] &$ty => $op);
                        method_probes!(@deny [$($g)*] &&$ty => $op);
                        method_probes!(@deny [$($g)*] &mut $ty => $op);
                        method_probes!(@deny [$($g)*] Box<$ty> => $op);
                        method_probes!(@deny [$($g)*] Arc<$ty> => $op);
                        method_probes!(@deny [$($g)*] Rc<$ty> => $op);
                        method_probes!(@deny [$($g)*] $ty => $op);
                    )*

                    /// Matches anything else under `deny`.
                    pub trait DenyNo<D> {
                        /// Does nothing.
                        fn __aiocop_deny(&self, denied: D) -> crate::probe::Probed;
                    }

                    impl<T: ?Sized, D> DenyNo<D> for Recv<'_, T> {
                        #[cfg_attr(not(debug_assertions), inline(always))]
                        fn __aiocop_deny(&self, _: D) -> crate::probe::Probed {
                            crate::probe::Probed
                        }
                    }
                }
            )*
        }

        /// Event names of the method operations that have a probe.
        pub static METHOD_PROBES: &[&str] = &[$($(aiocop_lints::catalog::$op.event),*),*];

        /// Every probed method name, and whether it is probed by trait selection (`Yes` / `No`)
        /// rather than by its `probe` function.
        pub static PROBED_METHODS: &[(&str, bool)] =
            &[$((stringify!($method), method_probes!(@by_traits $mode))),*];
    };
    (@by_traits by_type) => { false };
    (@by_traits by_traits) => { true };

    // Receivers compared with std's at run time: `probe`, and `probe_type` where only the
    // receiver's type is at hand.
    (@by_type [ $( $kind:ident [$($g:tt)*] $ty:ty => $op:ident ),* ]) => {
        /// Records the operation if `receiver` is a std receiver of this method (see the module's
        /// parent) and a monitored poll is recording; `args` is the text of the call's arguments.
        #[track_caller]
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub fn probe<Received: ?Sized>(receiver: &Received, args: Option<Vec<String>>) -> Probed {
            $(
                method_probes!(@check $kind [$($g)*] $ty => $op, receiver, args);
            )*
            let _ = receiver;
            Probed
        }

        /// Like `probe`, for a receiver known by its type alone (a place the generated code does
        /// not evaluate twice): a receiver whose value the event shows (a path, a command) is
        /// shown by `source`, its text as written.
        #[track_caller]
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub fn probe_type<Received: ?Sized>(
            receiver: ::core::marker::PhantomData<Received>,
            args: Option<Vec<String>>,
            source: &'static str,
        ) -> Probed {
            $(
                method_probes!(@check_type $kind [$($g)*] $ty => $op, args, source);
            )*
            let _ = (receiver, source);
            Probed
        }
    };
    // Receivers generic over a type (`Receiver<T>`), which no constant type id stands for: chosen
    // at compile time, by autoref specialisation (`Yes` is implemented one reference level closer
    // to the call than the catch-all `No`).
    (@by_traits [ $( $kind:ident [$($g:tt)*] $ty:ty => $op:ident ),* ]) => {
        /// Matches std receiver types.
        pub trait Yes {
            /// Records the operation.
            fn __aiocop_probe(&self, args: Option<Vec<String>>) -> Probed;
        }

        $(
            method_probes!(@impl $kind [$($g)*] $ty, $ty => $op);
            method_probes!(@impl $kind [$($g)*] $ty, &$ty => $op);
            method_probes!(@impl $kind [$($g)*] $ty, &mut $ty => $op);
            method_probes!(@impl $kind [$($g)*] $ty, Box<$ty> => $op);
            method_probes!(@impl $kind [$($g)*] $ty, Arc<$ty> => $op);
            method_probes!(@impl $kind [$($g)*] $ty, Rc<$ty> => $op);
            method_probes!(@impl $kind [$($g)*] $ty, &&$ty => $op);
            method_probes!(@impl $kind [$($g)*] $ty, &&&$ty => $op);
        )*

        /// Matches anything else.
        pub trait No {
            /// Does nothing.
            fn __aiocop_probe(&self, args: Option<Vec<String>>) -> Probed;
        }

        impl<T: ?Sized> No for Recv<'_, T> {
            #[cfg_attr(not(debug_assertions), inline(always))]
            fn __aiocop_probe(&self, _: Option<Vec<String>>) -> Probed {
                Probed
            }
        }
    };
    (@deny [$($g:tt)*] $ty:ty => $op:ident) => {
        impl<$($g)* D: $op> DenyYes<D> for &Recv<'_, $ty> {
            fn __aiocop_deny(&self, _: D) -> crate::probe::Probed {
                crate::probe::Probed
            }
        }
    };
    (@impl plain [$($g:tt)*] $base:ty, $ty:ty => $op:ident) => {
        impl<$($g)*> Yes for &Recv<'_, $ty> {
            #[track_caller]
            #[cfg_attr(not(debug_assertions), inline(always))]
            fn __aiocop_probe(&self, args: Option<Vec<String>>) -> Probed {
                crate::probe::confirm(&aiocop_lints::catalog::$op, args);
                Probed
            }
        }
    };
    // By type id, lifetimes aside.
    (@check plain [$($l:lifetime,)*] $ty:ty => $op:ident, $receiver:ident, $args:ident) => {{
        // The lifetimes are the type's, named so it can be written.
        #[allow(clippy::extra_unused_lifetimes)]
        fn is_std<$($l,)* Received: ?Sized>() -> bool {
            crate::probe::receiver_is::<Received, $ty>()
        }
        if is_std::<Received>() {
            crate::probe::confirm(&aiocop_lints::catalog::$op, $args);
            return Probed;
        }
    }};
    // A std type whose value the event shows (a path, a command): by type id, then read as it.
    (@check described [$($l:lifetime,)*] $ty:ty => $op:ident, $receiver:ident, $args:ident) => {{
        // The lifetimes are the type's, named so it can be written.
        #[allow(clippy::extra_unused_lifetimes)]
        fn as_std<$($l,)* Received: ?Sized>(receiver: &Received) -> Option<&$ty> {
            crate::probe::receiver_as::<Received, $ty>(receiver)
        }
        if let Some(base) = as_std($receiver) {
            crate::probe::confirm_described(
                &aiocop_lints::catalog::$op,
                || crate::probe::Describe::describe(base),
                $args,
            );
            return Probed;
        }
    }};
    // By type id alone (see `probe_type`).
    // (A plain check never reads the receiver: the same as `@check plain`.)
    (@check_type plain [$($l:lifetime,)*] $ty:ty => $op:ident, $args:ident, $source:ident) => {
        method_probes!(@check plain [$($l,)*] $ty => $op, $source, $args)
    };
    (@check_type described [$($l:lifetime,)*] $ty:ty => $op:ident, $args:ident, $source:ident) => {{
        // The lifetimes are the type's, named so it can be written.
        #[allow(clippy::extra_unused_lifetimes)]
        fn is_std<$($l,)* Received: ?Sized>() -> bool {
            crate::probe::receiver_is::<Received, $ty>()
        }
        if is_std::<Received>() {
            crate::probe::confirm_described(
                &aiocop_lints::catalog::$op,
                || crate::probe::Describe::describe($source),
                $args,
            );
            return Probed;
        }
    }};
}

mod args;
mod table;

pub use args::{arg, source};

/// Whether `A` and `B` are the same type, lifetimes aside. Both names come from the same
/// compiler run, so distinct types have distinct names.
#[inline]
pub fn same_type<A: ?Sized, B: ?Sized>() -> bool {
    std::any::type_name::<A>() == std::any::type_name::<B>()
}

/// What a method probe returns, to be handed to [`then`].
#[derive(Debug, Clone, Copy)]
pub struct Probed;

/// `value`, once the probe that produced `probed` has run: how the macro puts a probe before a
/// method call on a place without a block or a tuple around the call, so the call's temporaries
/// live as long as before and no lint sees an operation without effect in the user's code.
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn then<T>(probed: Probed, value: T) -> T {
    let Probed = probed;
    call_done();
    value
}

/// A probed call has returned: the libc calls that follow are not its own (see
/// `intercept::cover`). Nothing without the `intercept` feature.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn call_done() {
    #[cfg(feature = "intercept")]
    if crate::record::in_scope() {
        crate::intercept::uncover();
    }
}

/// Passes a method call's receiver through, after `probe` has looked at it: how the macro probes
/// a receiver that is a temporary (`File::open(p)?.read_to_end(&mut buf)`) without binding it,
/// so the temporary lives, and is borrowed or moved by the method, exactly as before. `probe` is a
/// closure so that its argument's type is known when its body is type-checked.
///
/// Only for values: a place (`self.inner`, `v[i]`) passed through here would be moved or copied
/// out, while the method borrows it where it stands.
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn pass_receiver<T, F: FnOnce(&T)>(receiver: T, probe: F) -> T {
    probe(&receiver);
    receiver
}

/// Gives `ty` the type of the place `place` points at. The generated code calls it only in a
/// branch that is never taken and diverges, after `let ty = PhantomData;`: the compiler infers the
/// receiver's type from it while the place is not evaluated at run time, and no move or borrow
/// the place's expression makes reaches the call as written (the branch ends in [`never`]). A raw
/// pointer, so that any place qualifies: unsized (`s[1..]`), in a packed struct, a `static mut`.
#[inline(always)]
pub fn tie<T: ?Sized>(ty: &PhantomData<T>, place: *const T) {
    let _ = (ty, place);
}

/// Ends the never-taken branch around [`tie`].
#[cold]
pub fn never() -> ! {
    unreachable!("aiocop: a probe's type-only branch is never taken")
}

/// The receiver of a method call, by type: what the probes chosen by trait selection look at.
/// (The lifetime is a reference's to it, kept so that the compiler's messages under `deny` name
/// the types as `Recv<'_, T>`.)
pub struct Recv<'a, T: ?Sized>(PhantomData<&'a T>);

impl<'a, T: ?Sized> Recv<'a, T> {
    /// The receiver `receiver` refers to.
    #[inline(always)]
    pub fn of(receiver: &'a T) -> Self {
        let _ = receiver;
        Recv(PhantomData)
    }

    /// A receiver of type `T` (see [`tie`]).
    #[inline(always)]
    pub fn typed(ty: PhantomData<T>) -> Self {
        let _ = ty;
        Recv(PhantomData)
    }
}

/// Whether a receiver of type `R` is a `B`, or a `B` behind one of the pointers a method call
/// reaches it through (`&`, `&&`, `&&&`, `&mut`, `Box`, `Arc`, `Rc`), lifetimes aside.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn receiver_is<R: ?Sized, B: ?Sized>() -> bool {
    let id = typeid::of::<R>();
    id == typeid::of::<B>()
        || id == typeid::of::<&B>()
        || id == typeid::of::<&&B>()
        || id == typeid::of::<&&&B>()
        || id == typeid::of::<&mut B>()
        || id == typeid::of::<Box<B>>()
        || id == typeid::of::<std::sync::Arc<B>>()
        || id == typeid::of::<std::rc::Rc<B>>()
}

/// The `B` that `receiver` is or points at, if [`receiver_is::<R, B>`](receiver_is).
///
/// The lifetimes inside `B` are the caller's choice (a type id does not see them): callers only
/// read the value to describe it, while `receiver` is borrowed.
#[cfg_attr(not(debug_assertions), inline(always))]
#[allow(clippy::borrowed_box)] // the receiver is what it is: a `&Box<B>` is read as one
pub(crate) fn receiver_as<'r, R: ?Sized, B: ?Sized>(receiver: &'r R) -> Option<&'r B> {
    let id = typeid::of::<R>();
    let at: *const &'r R = &receiver;
    // SAFETY: (every arm) `at` points at `receiver`, a live `&R`. Each arm reads it as a
    // reference to the type whose id `R` has, so as a reference to `R` itself but for lifetimes,
    // and then only dereferences the pointers that type is made of.
    unsafe {
        if id == typeid::of::<B>() {
            let r: &'r B = *at.cast();
            return Some(r);
        }
        if id == typeid::of::<&B>() {
            let r: &'r &B = *at.cast();
            return Some(*r);
        }
        if id == typeid::of::<&&B>() {
            let r: &'r &&B = *at.cast();
            return Some(**r);
        }
        if id == typeid::of::<&&&B>() {
            let r: &'r &&&B = *at.cast();
            return Some(***r);
        }
        if id == typeid::of::<&mut B>() {
            let r: &'r &mut B = *at.cast();
            return Some(&**r);
        }
        if id == typeid::of::<Box<B>>() {
            let r: &'r Box<B> = *at.cast();
            return Some(&**r);
        }
        if id == typeid::of::<std::sync::Arc<B>>() {
            let r: &'r std::sync::Arc<B> = *at.cast();
            return Some(&**r);
        }
        if id == typeid::of::<std::rc::Rc<B>>() {
            let r: &'r std::rc::Rc<B> = *at.cast();
            return Some(&**r);
        }
    }
    None
}

/// What a `deny` probe is handed: no operation's trait is implemented for it, so a `DenyYes` probe
/// (a std receiver) is a compile error whose message the operation's trait gives.
#[derive(Debug, Clone, Copy)]
pub struct BlockingCallDenied;

/// Whether a probe right now would record: inside a monitored poll (one thread-local read) with
/// auditing switched on. Past the per-poll cap it still counts the call.
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn recording() -> bool {
    record::would_record(Source::Catalog)
}

/// Whether a probe right now would keep its event's text (see
/// [`shows_arguments`](crate::record::shows_arguments)). The generated code formats arguments
/// only then, so that a call past the cap costs what counting it costs.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn showing() -> bool {
    record::shows_arguments()
}

/// The arguments' text as a probe takes it, if a probe would keep it right now (see `showing`);
/// the texts ([`arg`], [`source`]) are empty, and allocate nothing, when it would not. One call
/// per probed call site, with no branch in the generated code: each costs type checking in every
/// build.
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn shown<const N: usize>(args: [String; N]) -> Option<Vec<String>> {
    // The probed call runs next: the libc calls it makes are its own, recorded by its probe if
    // it is std's (see `intercept::cover`).
    #[cfg(feature = "intercept")]
    if crate::record::in_scope() {
        crate::intercept::cover();
    }
    showing().then(|| Vec::from(args))
}

/// Records `op` at `location` with already formatted arguments, [`recording`] having been
/// checked.
#[inline]
fn record(op: &'static BlockingOp, args: &[String], location: &'static Location<'static>) {
    record::record_switched_on(op.event, op.weight, Args::Shown(args), location);
    // A method's probe records before the call: its libc calls are this event.
    #[cfg(feature = "intercept")]
    crate::intercept::cover();
}

/// Records `op` for a confirmed call, if a monitored poll is recording.
#[track_caller]
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn confirm(op: &'static BlockingOp, args: Option<Vec<String>>) {
    if recording() {
        record_confirmed(op, args);
    }
}

/// Records `op` for a confirmed call, [`recording`] having been checked.
#[track_caller]
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn record_confirmed(op: &'static BlockingOp, args: Option<Vec<String>>) {
    record(op, args.as_deref().unwrap_or_default(), Location::caller());
}

/// Like [`confirm`], with the receiver's own text first (a path, a command, an address), made by
/// `describe` only if the event keeps it ([`showing`]).
#[track_caller]
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn confirm_described(
    op: &'static BlockingOp,
    describe: impl FnOnce() -> String,
    args: Option<Vec<String>>,
) {
    if !recording() {
        return;
    }
    if !showing() {
        record(op, &[], Location::caller());
        return;
    }
    let mut all = Vec::with_capacity(1 + args.as_ref().map_or(0, Vec::len));
    all.push(describe());
    all.extend(args.unwrap_or_default());
    record(op, &all, Location::caller());
}

/// The text of a receiver worth showing, cut at 100 characters.
pub(crate) trait Describe {
    fn describe(&self) -> String;
}

impl Describe for Path {
    fn describe(&self) -> String {
        crate::text::format_args_list(&[&self.display()])
    }
}

impl Describe for std::path::PathBuf {
    fn describe(&self) -> String {
        self.as_path().describe()
    }
}

impl Describe for std::process::Command {
    fn describe(&self) -> String {
        struct AsDebug<'a>(&'a std::process::Command);
        impl fmt::Display for AsDebug<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.0, f)
            }
        }
        crate::text::format_args_list(&[&AsDebug(self)])
    }
}

impl Describe for str {
    fn describe(&self) -> String {
        crate::text::format_args_list(&[&self])
    }
}

impl Describe for String {
    fn describe(&self) -> String {
        self.as_str().describe()
    }
}

impl Describe for (&str, u16) {
    fn describe(&self) -> String {
        crate::text::format_args_list(&[&format_args!("{}:{}", self.0, self.1)])
    }
}

impl Describe for (String, u16) {
    fn describe(&self) -> String {
        (self.0.as_str(), self.1).describe()
    }
}

pub use table::{FUNCTION_PROBES, METHOD_PROBES, PROBED_METHODS, fns, methods};
