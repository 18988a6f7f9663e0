//! Where this thread's stack ends: traces of a poll stop there, and the watchdog copies a worker's
//! stack up to it.

#![cfg_attr(not(any(feature = "tracing-polls", worker_probes)), allow(dead_code))]

#[cfg(target_os = "linux")]
use std::cell::Cell;

#[cfg(target_os = "linux")]
thread_local! {
    /// This thread's stack top, once found (plain data, no destructor: read in place).
    static TOP: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The highest address of this thread's stack, 0 when unknown. Found once per thread, then read
/// from a thread-local; not async-signal-safe the first time (glibc may read `/proc` for the main
/// thread), so never first called from a signal handler.
#[cfg(target_os = "linux")]
#[inline]
pub(crate) fn top() -> usize {
    TOP.get().unwrap_or_else(find)
}

#[cfg(target_os = "linux")]
#[cold]
fn find() -> usize {
    let mut top = 0;
    // SAFETY: `attr` is initialised by `pthread_getattr_np` before it is read, and destroyed
    // once; the out-pointers are valid locals.
    unsafe {
        let mut attr = std::mem::MaybeUninit::<libc::pthread_attr_t>::uninit();
        if libc::pthread_getattr_np(libc::pthread_self(), attr.as_mut_ptr()) == 0 {
            let mut addr: *mut libc::c_void = std::ptr::null_mut();
            let mut size: libc::size_t = 0;
            if libc::pthread_attr_getstack(attr.as_ptr(), &mut addr, &mut size) == 0 {
                top = (addr as usize).saturating_add(size);
            }
            libc::pthread_attr_destroy(attr.as_mut_ptr());
        }
    }
    TOP.set(Some(top));
    top
}

/// The highest address of this thread's stack: unknown (0) off Linux.
#[cfg(not(target_os = "linux"))]
pub(crate) fn top() -> usize {
    0
}
