//! The lists the macros fill at compile time: every monitored function and every
//! `#[aiocop::blocking]` function of the program.
//!
//! On ELF targets (Linux, Android, FreeBSD) an entry is a `#[used]` static in a linker section
//! named for its list, and the linker gives the section's bounds (`__start_<section>`,
//! `__stop_<section>`): registering costs the compiler one static and the program nothing at
//! start-up. Elsewhere, and under Miri, entries are submitted to `inventory`, which links them
//! from constructors. The sections cost less to compile: a crate of 200 annotated handlers built
//! ~7 % faster with them (BENCHMARKS.md, "Build time").
//!
//! The section names carry the crate's major version: two incompatible versions of aiocop in one
//! program must not read each other's entries.

use super::BlockingFunction;
use super::MonitoredFunction;

#[cfg(all(
    not(miri),
    any(target_os = "linux", target_os = "android", target_os = "freebsd")
))]
mod imp {
    use super::{BlockingFunction, MonitoredFunction};

    /// Defines the item `$name`, a `MonitoredFunction` (`monitored: NAME = expr`) or a
    /// `BlockingFunction` (`blocking: NAME = expr`) given as a constant expression, and registers
    /// it in its list: here the item is the registered static itself, in the list's section.
    /// `$name` reads as the value, and `&$name` lives as long as the program. Used by the code
    /// the macros generate; defined once per way of registering, so that the generated code
    /// carries no `cfg` of its own.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __aiocop_register {
        (monitored: $name:ident = $value:expr) => {
            #[used]
            #[unsafe(link_section = "aiocop_monitored_v0")]
            static $name: $crate::__private::MonitoredFunction = $value;
        };
        (blocking: $name:ident = $value:expr) => {
            #[used]
            #[unsafe(link_section = "aiocop_blocking_v0")]
            static $name: $crate::__private::BlockingFunction = $value;
        };
    }

    /// `fn $name()`: the entries of the section `$section`.
    macro_rules! section_list {
        ($name:ident, $ty:ty, $section:literal, $start:literal, $stop:literal) => {
            pub(super) fn $name() -> impl Iterator<Item = &'static $ty> {
                // An empty entry, so that the section (and its bounds) exist in a program that
                // registers nothing.
                #[used]
                #[unsafe(link_section = $section)]
                static NONE: [$ty; 0] = [];
                unsafe extern "Rust" {
                    #[link_name = $start]
                    static START: $ty;
                    #[link_name = $stop]
                    static STOP: $ty;
                }
                let start = &raw const START;
                let stop = &raw const STOP;
                let bytes = (stop as usize).saturating_sub(start as usize);
                // SAFETY: the linker defines `START` and `STOP` at the bounds of the section,
                // which holds only `$ty` statics: the section's name is private to this major
                // version of aiocop, and `__aiocop_register!` is all that writes into it. A
                // static's size is a multiple of its alignment, and LLVM never raises the
                // alignment of a global in an explicit section, so the entries follow each other
                // without padding: `bytes / size_of::<$ty>()` whole entries, initialised
                // statics that live as long as the program.
                let entries = unsafe {
                    std::slice::from_raw_parts(start, bytes / std::mem::size_of::<$ty>())
                };
                entries.iter()
            }
        };
    }

    section_list!(
        monitored,
        MonitoredFunction,
        "aiocop_monitored_v0",
        "__start_aiocop_monitored_v0",
        "__stop_aiocop_monitored_v0"
    );
    section_list!(
        blocking,
        BlockingFunction,
        "aiocop_blocking_v0",
        "__start_aiocop_blocking_v0",
        "__stop_aiocop_blocking_v0"
    );
}

#[cfg(not(all(
    not(miri),
    any(target_os = "linux", target_os = "android", target_os = "freebsd")
)))]
mod imp {
    use super::{BlockingFunction, MonitoredFunction};

    /// As on ELF targets, registering through `inventory` instead of a section.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __aiocop_register {
        (monitored: $name:ident = $value:expr) => {
            static $name: $crate::__private::MonitoredFunction = $value;
            $crate::__private::inventory::submit! { $value }
        };
        (blocking: $name:ident = $value:expr) => {
            static $name: $crate::__private::BlockingFunction = $value;
            $crate::__private::inventory::submit! { $value }
        };
    }

    inventory::collect!(MonitoredFunction);
    inventory::collect!(BlockingFunction);

    pub(super) fn monitored() -> impl Iterator<Item = &'static MonitoredFunction> {
        inventory::iter::<MonitoredFunction>.into_iter()
    }

    pub(super) fn blocking() -> impl Iterator<Item = &'static BlockingFunction> {
        inventory::iter::<BlockingFunction>.into_iter()
    }
}

/// Every registered monitored function.
pub(crate) fn monitored() -> impl Iterator<Item = &'static MonitoredFunction> {
    imp::monitored()
}

/// Every registered `#[aiocop::blocking]` function.
pub(crate) fn blocking() -> impl Iterator<Item = &'static BlockingFunction> {
    imp::blocking()
}
