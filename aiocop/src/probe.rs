//! Type-checked probes for `#[aiocop::monitor]`'s call rewriting.
//!
//! The macro never replaces a call it cannot prove to be std's: it keeps the call exactly as
//! written and asks a probe whether the *type* involved is std's. For a path call
//! (`fs::read(p)`, `File::open(p)`) the probe looks at the result type after the call; for a
//! method call (`file.read_to_end(&mut buf)`) at the receiver's type before it. Probes use
//! autoref specialisation: the `Yes` trait of an operation is implemented one reference level
//! closer to the call than the catch-all `No` trait, so method resolution picks `Yes` exactly when
//! the type is std's, at compile time, with no run-time cost beyond the recording itself.
//!
//! `tokio::fs::File::open(p)` returns a future, an in-memory `Cursor` is not a `File`, and a user
//! type with a `recv` method is not a `Receiver`: all of them fall through to `No`.

use std::fmt;
use std::panic::Location;
use std::path::Path;

use aiocop_lints::BlockingOp;

use crate::audit;

/// One module per routed function operation, named after its path (`std_fs_read`), each with a
/// `Yes` probe for the std result type and a catch-all `No`.
macro_rules! function_probes {
    ($( $module:ident => $op:ident : [$($g:tt)*] $ty:ty ; )*) => {
        /// Probes of path calls, by result type.
        pub mod fns {
            $(
                #[allow(non_camel_case_types)]
                #[doc = concat!("Probes for `", stringify!($module), "`.")]
                pub mod $module {
                    use crate::probe::Res;

                    /// Matches std's result type.
                    pub trait Yes {
                        /// Records the operation.
                        fn __aiocop_probe(&self, args: Option<Vec<String>>);
                    }

                    impl<$($g)*> Yes for &Res<'_, $ty> {
                        #[track_caller]
                        #[inline(always)]
                        fn __aiocop_probe(&self, args: Option<Vec<String>>) {
                            crate::probe::confirm(&aiocop_lints::catalog::$op, args);
                        }
                    }

                    /// Matches anything else.
                    pub trait No {
                        /// Does nothing.
                        fn __aiocop_probe(&self, args: Option<Vec<String>>);
                    }

                    impl<T: ?Sized> No for Res<'_, T> {
                        #[inline(always)]
                        fn __aiocop_probe(&self, _: Option<Vec<String>>) {}
                    }
                }
            )*
        }

        /// Event names of the function operations that have a probe.
        pub static FUNCTION_PROBES: &[&str] = &[$(aiocop_lints::catalog::$op.event),*];
    };
}

/// One module per routed method name (`read_to_end`), with a `Yes` probe for every std receiver
/// type that has the method (through `&`, `&mut`, `Box`, `Arc` and `Rc` too) and a catch-all `No`.
macro_rules! method_probes {
    ($( $method:ident : [ $( $kind:ident [$($g:tt)*] $ty:ty => $op:ident ),* $(,)? ] ; )*) => {
        /// Probes of method calls, by receiver type.
        pub mod methods {
            $(
                #[allow(non_camel_case_types)]
                #[doc = concat!("Probes for `.", stringify!($method), "()`.")]
                pub mod $method {
                    #[allow(unused_imports)]
                    use std::{boxed::Box, rc::Rc, sync::Arc};

                    use crate::probe::Recv;

                    /// Matches std receiver types.
                    pub trait Yes {
                        /// Records the operation.
                        fn __aiocop_probe(&self, args: Option<Vec<String>>);
                    }

                    $(
                        method_probes!(@impl $kind [$($g)*] $ty, $ty => $op);
                        method_probes!(@impl $kind [$($g)*] $ty, &$ty => $op);
                        method_probes!(@impl $kind [$($g)*] $ty, &mut $ty => $op);
                        method_probes!(@impl $kind [$($g)*] $ty, Box<$ty> => $op);
                        method_probes!(@impl $kind [$($g)*] $ty, Arc<$ty> => $op);
                        method_probes!(@impl $kind [$($g)*] $ty, Rc<$ty> => $op);
                    )*

                    /// Matches anything else.
                    pub trait No {
                        /// Does nothing.
                        fn __aiocop_probe(&self, args: Option<Vec<String>>);
                    }

                    impl<T: ?Sized> No for Recv<'_, T> {
                        #[inline(always)]
                        fn __aiocop_probe(&self, _: Option<Vec<String>>) {}
                    }
                }
            )*
        }

        /// Event names of the method operations that have a probe.
        pub static METHOD_PROBES: &[&str] = &[$($(aiocop_lints::catalog::$op.event),*),*];
    };
    (@impl plain [$($g:tt)*] $base:ty, $ty:ty => $op:ident) => {
        impl<$($g)*> Yes for &Recv<'_, $ty> {
            #[track_caller]
            #[inline(always)]
            fn __aiocop_probe(&self, args: Option<Vec<String>>) {
                crate::probe::confirm(&aiocop_lints::catalog::$op, args);
            }
        }
    };
    (@impl described [$($g:tt)*] $base:ty, $ty:ty => $op:ident) => {
        impl<$($g)*> Yes for &Recv<'_, $ty> {
            #[track_caller]
            #[inline(always)]
            fn __aiocop_probe(&self, args: Option<Vec<String>>) {
                if crate::probe::recording() {
                    let receiver: &$base = std::borrow::Borrow::borrow(self.0);
                    crate::probe::confirm_described(
                        &aiocop_lints::catalog::$op,
                        crate::probe::Describe::describe(receiver),
                        args,
                    );
                }
            }
        }
    };
}

mod table;

/// The result of a path call, by reference.
pub struct Res<'a, T: ?Sized>(pub &'a T);

/// The receiver of a method call, by reference.
pub struct Recv<'a, T: ?Sized>(pub &'a T);

/// An argument of a call, by reference, to show in the event's text.
pub struct Arg<'a, T: ?Sized>(pub &'a T);

/// Whether a probe right now would record: inside a monitored poll (one thread-local read) with
/// auditing switched on. The generated code formats arguments only then.
#[inline(always)]
pub fn recording() -> bool {
    audit::shim_records()
}

/// Shows an argument that is a path (anything `AsRef<Path>`): `/etc/hosts`.
pub trait ArgViaPath {
    /// The argument's text, cut at 100 characters.
    fn __aiocop_arg(&self) -> Option<String>;
}

impl<T: ?Sized + AsRef<Path>> ArgViaPath for &&&&Arg<'_, T> {
    fn __aiocop_arg(&self) -> Option<String> {
        Some(audit::format_args_list(&[&self.0.as_ref().display()]))
    }
}

/// Shows a byte buffer by its length: `12 bytes`.
pub trait ArgViaBytes {
    /// The buffer's length.
    fn __aiocop_arg(&self) -> Option<String>;
}

impl<T: ?Sized + AsRef<[u8]>> ArgViaBytes for &&&Arg<'_, T> {
    fn __aiocop_arg(&self) -> Option<String> {
        Some(format!("{} bytes", self.0.as_ref().len()))
    }
}

/// Shows an argument with its `Display` form.
pub trait ArgViaDisplay {
    /// The argument's text, cut at 100 characters.
    fn __aiocop_arg(&self) -> Option<String>;
}

impl<T: ?Sized + fmt::Display> ArgViaDisplay for &&Arg<'_, T> {
    fn __aiocop_arg(&self) -> Option<String> {
        Some(audit::format_args_list(&[&self.0]))
    }
}

/// Shows an argument with its `Debug` form: durations as `100ms`.
pub trait ArgViaDebug {
    /// The argument's text, cut at 100 characters.
    fn __aiocop_arg(&self) -> Option<String>;
}

impl<T: ?Sized + fmt::Debug> ArgViaDebug for &Arg<'_, T> {
    fn __aiocop_arg(&self) -> Option<String> {
        struct AsDebug<'a, T: ?Sized>(&'a T);
        impl<T: ?Sized + fmt::Debug> fmt::Display for AsDebug<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.0, f)
            }
        }
        Some(audit::format_args_list(&[&AsDebug(self.0)]))
    }
}

/// An argument that cannot be shown: the generated code shows its source text instead.
pub trait ArgOpaque {
    /// Always `None`.
    fn __aiocop_arg(&self) -> Option<String>;
}

impl<T: ?Sized> ArgOpaque for Arg<'_, T> {
    fn __aiocop_arg(&self) -> Option<String> {
        None
    }
}

/// Records `op` at `location` with already formatted arguments.
#[cold]
#[inline(never)]
fn record(op: &'static BlockingOp, args: &[String], location: &'static Location<'static>) {
    let shown: Vec<&dyn fmt::Display> = args.iter().map(|a| a as &dyn fmt::Display).collect();
    audit::record_op(op, &shown, location);
}

/// Records `op` for a confirmed call, if a monitored poll is recording.
#[track_caller]
#[inline(always)]
pub(crate) fn confirm(op: &'static BlockingOp, args: Option<Vec<String>>) {
    if recording() {
        record(op, args.as_deref().unwrap_or_default(), Location::caller());
    }
}

/// Like [`confirm`], with the receiver's own text first (a path, a command, an address).
#[track_caller]
#[inline(always)]
pub(crate) fn confirm_described(
    op: &'static BlockingOp,
    receiver: String,
    args: Option<Vec<String>>,
) {
    if recording() {
        let mut all = Vec::with_capacity(1 + args.as_ref().map_or(0, Vec::len));
        all.push(receiver);
        all.extend(args.unwrap_or_default());
        record(op, &all, Location::caller());
    }
}

/// The text of a receiver worth showing, cut at 100 characters.
pub(crate) trait Describe {
    fn describe(&self) -> String;
}

impl Describe for Path {
    fn describe(&self) -> String {
        audit::format_args_list(&[&self.display()])
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
        audit::format_args_list(&[&AsDebug(self)])
    }
}

impl Describe for str {
    fn describe(&self) -> String {
        audit::format_args_list(&[&self])
    }
}

impl Describe for String {
    fn describe(&self) -> String {
        self.as_str().describe()
    }
}

impl Describe for (&str, u16) {
    fn describe(&self) -> String {
        audit::format_args_list(&[&format_args!("{}:{}", self.0, self.1)])
    }
}

impl Describe for (String, u16) {
    fn describe(&self) -> String {
        (self.0.as_str(), self.1).describe()
    }
}

pub use table::{FUNCTION_PROBES, METHOD_PROBES, fns, methods};
