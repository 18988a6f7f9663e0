//! The C library's own functions behind the interposed symbols, found with
//! `dlsym(RTLD_NEXT, ..)`: eagerly when interception is switched on, lazily (on first call) before
//! that. A symbol `dlsym` cannot find (a static executable, an older C library that lacks it) is
//! served by the interposed function's fallback, a raw system call where there is one.

use std::ffi::{CStr, c_void};
use std::sync::atomic::{AtomicPtr, Ordering};

/// One C library function, resolved once.
pub(super) struct Real {
    name: &'static CStr,
    ptr: AtomicPtr<c_void>,
}

impl Real {
    pub(super) const fn new(name: &'static CStr) -> Self {
        Real {
            name,
            ptr: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// The function's address if resolved already, else null (then [`Real::resolve`]).
    #[inline(always)]
    pub(super) fn resolved(&self) -> *mut c_void {
        self.ptr.load(Ordering::Relaxed)
    }

    /// The symbol's name, for status messages.
    pub(super) fn name(&self) -> &'static str {
        self.name.to_str().unwrap_or("?")
    }

    /// Looks the function up (again): its address, null if the C library has none.
    #[cold]
    #[inline(never)]
    pub(super) fn resolve(&self) -> *mut c_void {
        // SAFETY: `name` is a NUL-terminated symbol name; `RTLD_NEXT` asks for the definition
        // after the calling object's (the executable's, where this code is linked): the C
        // library's. `dlsym` neither reads nor writes anything else of ours.
        let ptr = unsafe { libc::dlsym(libc::RTLD_NEXT, self.name.as_ptr()) };
        if !ptr.is_null() {
            self.ptr.store(ptr, Ordering::Relaxed);
        }
        ptr
    }
}
