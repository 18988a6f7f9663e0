//! A DWARF call-frame unwinder over a copy of another thread's stack.
//!
//! The signal handler copies the interrupted thread's stack (from its stack pointer up to the
//! scope of the poll being sampled) and its registers; this module walks that copy afterwards, on
//! the watchdog thread, with the `.eh_frame` unwind tables of the loaded modules (found through
//! `dl_iterate_phdr`, read in place). It works without frame pointers, through the C library and
//! the vDSO, which is where a thread blocked in a system call is interrupted.
//!
//! The walk holds the dynamic loader's lock (it runs inside a `dl_iterate_phdr` callback), so no
//! module is unloaded while its tables are read.

use std::ffi::c_void;
use std::ops::Range;

use gimli::{
    BaseAddresses, CfaRule, EhFrame, EhFrameHdr, EndianSlice, NativeEndian, ParsedEhFrameHdr,
    Pointer, RegisterRule, UnwindContext, UnwindSection, X86_64,
};

type Slice = EndianSlice<'static, NativeEndian>;

/// The registers a walk starts from.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Registers {
    pub(crate) pc: usize,
    pub(crate) sp: usize,
    pub(crate) fp: usize,
}

/// A copy of the stack memory from `base` upwards.
pub(crate) struct StackCopy<'a> {
    pub(crate) base: usize,
    pub(crate) bytes: &'a [u8],
}

impl StackCopy<'_> {
    fn read(&self, address: usize) -> Option<usize> {
        let offset = address.checked_sub(self.base)?;
        let bytes = self
            .bytes
            .get(offset..offset.checked_add(size_of::<usize>())?)?;
        Some(usize::from_ne_bytes(bytes.try_into().ok()?))
    }
}

/// One loaded module's unwind tables.
struct Module {
    /// Executable address ranges.
    text: Vec<Range<usize>>,
    bases: BaseAddresses,
    hdr: ParsedEhFrameHdr<Slice>,
    eh_frame: EhFrame<Slice>,
}

/// The loaded modules, as of the loader's add/remove counters `generation`.
pub(crate) struct Modules {
    modules: Vec<Module>,
    generation: (u64, u64),
    context: Box<UnwindContext<usize>>,
}

impl Modules {
    pub(crate) fn new() -> Self {
        Modules {
            modules: Vec::new(),
            generation: (u64::MAX, u64::MAX),
            context: Box::new(UnwindContext::new()),
        }
    }

    /// Walks the stack described by `registers` and `stack`, innermost frame first, at most
    /// `max_frames` frames. The first entry is the interrupted instruction plus one, the others
    /// return addresses, so that every entry minus one lies in the call (or instruction) it names.
    pub(crate) fn unwind(
        &mut self,
        registers: Registers,
        stack: &StackCopy<'_>,
        max_frames: usize,
    ) -> Vec<usize> {
        if self.loader_generation() != self.generation {
            self.reload();
        }
        let mut frames = Vec::new();
        let expected = self.generation;
        with_loader_locked(|generation| {
            // A module came or went since the tables were read: they may point at unmapped
            // memory. Skip this sample; the next one reloads.
            if generation == expected {
                frames = self.walk(registers, stack, max_frames);
            }
        });
        frames
    }

    fn walk(
        &mut self,
        mut registers: Registers,
        stack: &StackCopy<'_>,
        max_frames: usize,
    ) -> Vec<usize> {
        let mut frames = vec![registers.pc.wrapping_add(1)];
        let mut lookup = registers.pc;
        while frames.len() < max_frames {
            let Some(caller) = self.step(registers, lookup, stack) else {
                break;
            };
            if caller.pc == 0 || caller.sp <= registers.sp {
                break;
            }
            frames.push(caller.pc);
            registers = caller;
            // A return address follows the call: look up the call itself.
            lookup = caller.pc - 1;
        }
        frames
    }

    /// The caller's registers, from the unwind row of `lookup` in the frame `registers` describe.
    fn step(
        &mut self,
        registers: Registers,
        lookup: usize,
        stack: &StackCopy<'_>,
    ) -> Option<Registers> {
        let module = self
            .modules
            .iter()
            .find(|m| m.text.iter().any(|r| r.contains(&lookup)))?;
        let table = module.hdr.table()?;
        let row = table
            .unwind_info_for_address(
                &module.eh_frame,
                &module.bases,
                &mut self.context,
                lookup as u64,
                |section, bases, offset| section.cie_from_offset(bases, offset),
            )
            .ok()?;
        let cfa = match *row.cfa() {
            CfaRule::RegisterAndOffset { register, offset } => {
                let base = if register == X86_64::RSP {
                    registers.sp
                } else if register == X86_64::RBP {
                    registers.fp
                } else {
                    return None;
                };
                base.checked_add_signed(isize::try_from(offset).ok()?)?
            }
            CfaRule::Expression(_) => return None,
        };
        let at = |offset: i64| -> Option<usize> {
            stack.read(cfa.checked_add_signed(isize::try_from(offset).ok()?)?)
        };
        let pc = match row.register(X86_64::RA) {
            RegisterRule::Offset(offset) => at(offset)?,
            _ => return None,
        };
        let fp = match row.register(X86_64::RBP) {
            RegisterRule::Offset(offset) => at(offset)?,
            // Not saved in this frame: the caller's value is still in the register.
            _ => registers.fp,
        };
        Some(Registers { pc, sp: cfa, fp })
    }

    fn loader_generation(&self) -> (u64, u64) {
        let mut generation = (0, 0);
        with_loader_locked(|g| generation = g);
        generation
    }

    /// Reads the module list again.
    fn reload(&mut self) {
        let mut found = Found {
            modules: Vec::new(),
            generation: (0, 0),
        };
        // SAFETY: `collect` matches the callback type and only reads the `dl_phdr_info` it is
        // given; `found` outlives the call.
        unsafe {
            libc::dl_iterate_phdr(Some(collect), (&raw mut found).cast::<c_void>());
        }
        self.modules = found.modules;
        self.generation = found.generation;
    }
}

struct Found {
    modules: Vec<Module>,
    generation: (u64, u64),
}

/// `dl_iterate_phdr` callback: reads one module's program headers.
unsafe extern "C" fn collect(
    info: *mut libc::dl_phdr_info,
    _size: usize,
    data: *mut c_void,
) -> i32 {
    // SAFETY: `dl_iterate_phdr` passes a valid `info` for the duration of the call, and `data` is
    // the `Found` that `reload` passed.
    let (info, found) = unsafe { (&*info, &mut *data.cast::<Found>()) };
    found.generation = (info.dlpi_adds, info.dlpi_subs);
    // SAFETY: as above; the loader guarantees `dlpi_phnum` headers at `dlpi_phdr`.
    if let Some(module) = unsafe { read_module(info) } {
        found.modules.push(module);
    }
    0
}

/// The unwind tables of the module `info` describes, if it has any.
///
/// # Safety
/// `info` must come from `dl_iterate_phdr`, and the tables are only valid while the module stays
/// loaded (which `Modules::unwind` checks through the loader's counters).
unsafe fn read_module(info: &libc::dl_phdr_info) -> Option<Module> {
    if info.dlpi_phdr.is_null() {
        return None;
    }
    let load = info.dlpi_addr as usize;
    // SAFETY: the loader provides `dlpi_phnum` program headers at `dlpi_phdr`.
    let headers =
        unsafe { std::slice::from_raw_parts(info.dlpi_phdr, usize::from(info.dlpi_phnum)) };
    let segment = |h: &libc::Elf64_Phdr| {
        let start = load.wrapping_add(h.p_vaddr as usize);
        start..start.wrapping_add(h.p_memsz as usize)
    };
    let text: Vec<Range<usize>> = headers
        .iter()
        .filter(|h| h.p_type == libc::PT_LOAD && h.p_flags & libc::PF_X != 0)
        .map(segment)
        .collect();
    let hdr_range = segment(headers.iter().find(|h| h.p_type == libc::PT_GNU_EH_FRAME)?);
    if text.is_empty() || hdr_range.is_empty() {
        return None;
    }
    // SAFETY: the `PT_GNU_EH_FRAME` segment is mapped for as long as the module is loaded.
    let hdr_bytes: &'static [u8] =
        unsafe { std::slice::from_raw_parts(hdr_range.start as *const u8, hdr_range.len()) };
    let hdr = EhFrameHdr::new(hdr_bytes, NativeEndian)
        .parse(
            &BaseAddresses::default().set_eh_frame_hdr(hdr_range.start as u64),
            size_of::<usize>() as u8,
        )
        .ok()?;
    let Pointer::Direct(eh_frame_start) = hdr.eh_frame_ptr() else {
        return None;
    };
    let eh_frame_start = usize::try_from(eh_frame_start).ok()?;
    // `.eh_frame` has no recorded length: it runs at most to the end of its loaded segment.
    let eh_frame_end = headers
        .iter()
        .filter(|h| h.p_type == libc::PT_LOAD)
        .map(segment)
        .find(|r| r.contains(&eh_frame_start))?
        .end;
    // SAFETY: `eh_frame_start..eh_frame_end` lies in a loaded segment of the module.
    let eh_frame_bytes: &'static [u8] = unsafe {
        std::slice::from_raw_parts(eh_frame_start as *const u8, eh_frame_end - eh_frame_start)
    };
    let bases = BaseAddresses::default()
        .set_eh_frame_hdr(hdr_range.start as u64)
        .set_eh_frame(eh_frame_start as u64)
        .set_text(text[0].start as u64);
    Some(Module {
        text,
        bases,
        hdr,
        eh_frame: EhFrame::new(eh_frame_bytes, NativeEndian),
    })
}

/// Runs `f` with the loader's add/remove counters while the loader's lock is held (inside the
/// first `dl_iterate_phdr` callback), so no module can be unloaded meanwhile.
fn with_loader_locked<F: FnOnce((u64, u64))>(f: F) {
    struct Call<F>(Option<F>);
    unsafe extern "C" fn first<F: FnOnce((u64, u64))>(
        info: *mut libc::dl_phdr_info,
        _size: usize,
        data: *mut c_void,
    ) -> i32 {
        // SAFETY: `info` is valid for the call; `data` is the `Call<F>` passed below.
        let (info, call) = unsafe { (&*info, &mut *data.cast::<Call<F>>()) };
        if let Some(f) = call.0.take() {
            f((info.dlpi_adds, info.dlpi_subs));
        }
        1
    }
    let mut call = Call(Some(f));
    // SAFETY: `first::<F>` matches the callback type and `call` outlives the call.
    unsafe {
        libc::dl_iterate_phdr(Some(first::<F>), (&raw mut call).cast::<c_void>());
    }
}
