//! A DWARF call-frame unwinder over a copy of another thread's stack.
//!
//! The capture (a signal handler on the sampled thread, or the watchdog itself for a thread blocked
//! in the kernel) copies the thread's stack from its stack pointer up to the scope of the poll
//! being sampled, with the registers it knows; this module walks that copy afterwards, on the
//! watchdog thread, with the `.eh_frame` unwind tables of the loaded modules (found through
//! `dl_iterate_phdr`, read in place). It works without frame pointers, through the C library and
//! the vDSO.
//!
//! A thread blocked in a system call is seen through `/proc`, which gives its stack and
//! instruction pointers but not its frame pointer. Frames whose unwind rule needs that register
//! (the standard library is built with frame pointers) get it back from the stack: the frame's
//! saved frame pointer and return address sit just below its canonical frame address, and the
//! return address must follow a call of the very function being unwound (see
//! [`Modules::recover_fp`]). Where that cannot be established the walk stops there.
//!
//! The walk holds the dynamic loader's lock (it runs inside a `dl_iterate_phdr` callback), so no
//! module is unloaded while its tables are read; it also holds [`WALK`], which a fork waits for
//! (see `watchdog::fork`), so that a child is never forked while this thread holds the loader's
//! lock.

use std::ffi::c_void;
use std::ops::Range;
use std::sync::{Mutex, MutexGuard, PoisonError};

use gimli::{
    BaseAddresses, CfaRule, EhFrame, EhFrameHdr, EndianSlice, NativeEndian, ParsedEhFrameHdr,
    Pointer, RegisterRule, UnwindContext, UnwindSection, X86_64,
};

type Slice = EndianSlice<'static, NativeEndian>;

/// How far above a frame's stack pointer its saved frame pointer is looked for when the frame
/// pointer is unknown: larger frames lose their outer part of the trace.
const FP_SCAN_BYTES: usize = 64 * 1024;

/// Held by the watchdog around every walk of the loader's module list (which holds the loader's
/// lock); taken by the fork preparation so that no child is forked in the middle of one.
static WALK: Mutex<()> = Mutex::new(());

pub(crate) fn walk_lock() -> MutexGuard<'static, ()> {
    WALK.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The registers a walk starts from.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Registers {
    pub(crate) pc: usize,
    pub(crate) sp: usize,
    /// The frame pointer (`rbp`), when known: a signal handler reads it, `/proc` does not show it.
    pub(crate) fp: Option<usize>,
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
        let _walk = walk_lock();
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
        let modules = &self.modules;
        let module = modules
            .iter()
            .find(|m| m.text.iter().any(|r| r.contains(&lookup)))?;
        let fde = module
            .hdr
            .table()?
            .fde_for_address(
                &module.eh_frame,
                &module.bases,
                lookup as u64,
                |section, bases, offset| section.cie_from_offset(bases, offset),
            )
            .ok()?;
        let row = fde
            .unwind_info_for_address(
                &module.eh_frame,
                &module.bases,
                &mut self.context,
                lookup as u64,
            )
            .ok()?;
        let (cfa_register, cfa_offset) = match *row.cfa() {
            CfaRule::RegisterAndOffset { register, offset } => (register, offset),
            CfaRule::Expression(_) => return None,
        };
        let cfa_offset = isize::try_from(cfa_offset).ok()?;
        let frame_pointer = if cfa_register == X86_64::RSP {
            None
        } else if cfa_register == X86_64::RBP {
            match registers.fp {
                Some(fp) => Some(fp),
                None => Some(recover_fp(
                    modules,
                    row,
                    cfa_offset,
                    usize::try_from(fde.initial_address()).ok()?,
                    registers.sp,
                    stack,
                )?),
            }
        } else {
            return None;
        };
        let cfa = frame_pointer
            .unwrap_or(registers.sp)
            .checked_add_signed(cfa_offset)?;
        let at = |offset: i64| -> Option<usize> {
            stack.read(cfa.checked_add_signed(isize::try_from(offset).ok()?)?)
        };
        let pc = match row.register(X86_64::RA) {
            RegisterRule::Offset(offset) => at(offset)?,
            _ => return None,
        };
        let fp = match row.register(X86_64::RBP) {
            RegisterRule::Offset(offset) => Some(at(offset)?),
            // Not saved in this frame: the caller's value is still in the register (or as unknown
            // as it was).
            _ => registers.fp,
        };
        Some(Registers { pc, sp: cfa, fp })
    }

    fn loader_generation(&self) -> (u64, u64) {
        let mut generation = (0, 0);
        let _walk = walk_lock();
        with_loader_locked(|g| generation = g);
        generation
    }

    /// Reads the module list again.
    fn reload(&mut self) {
        let mut found = Found {
            modules: Vec::new(),
            generation: (0, 0),
        };
        let _walk = walk_lock();
        // SAFETY: `collect` matches the callback type and only reads the `dl_phdr_info` it is
        // given; `found` outlives the call.
        unsafe {
            libc::dl_iterate_phdr(Some(collect), (&raw mut found).cast::<c_void>());
        }
        self.modules = found.modules;
        self.generation = found.generation;
    }
}

/// The frame pointer of a frame whose canonical frame address is `rbp + cfa_offset`, found on
/// the stack when no register value is known (a thread seen through `/proc`). A candidate
/// `rbp` is accepted when the return address its rule reads from the stack follows a call of
/// `function` itself (a direct call whose target is the function's first instruction), or
/// failing any such candidate, follows an indirect call instruction. Candidates are aligned
/// like a frame pointer set by `push rbp; mov rbp, rsp`, at or above the lowest slot the row
/// saves a register in, and at most [`FP_SCAN_BYTES`] above `sp`; the lowest one wins (a
/// higher one would belong to an outer call of the same function).
fn recover_fp(
    modules: &[Module],
    row: &gimli::UnwindTableRow<usize>,
    cfa_offset: isize,
    function: usize,
    sp: usize,
    stack: &StackCopy<'_>,
) -> Option<usize> {
    let RegisterRule::Offset(ra_offset) = row.register(X86_64::RA) else {
        return None;
    };
    let ra_offset = isize::try_from(ra_offset).ok()?;
    // Every slot the row saves a register in lies at or above `sp`.
    let lowest_saved = row
        .registers()
        .filter_map(|(_, rule)| match rule {
            RegisterRule::Offset(offset) => isize::try_from(*offset).ok(),
            _ => None,
        })
        .min()?;
    let low = sp
        .checked_add_signed(-cfa_offset.checked_add(lowest_saved)?)?
        .max(sp);
    let high = sp
        .saturating_add(FP_SCAN_BYTES)
        .min(stack.base.saturating_add(stack.bytes.len()));
    let first = low.checked_add(15)? & !15;
    let candidates = (first..high).step_by(16);
    let return_address = |fp: usize| {
        stack.read(
            fp.checked_add_signed(cfa_offset)?
                .checked_add_signed(ra_offset)?,
        )
    };
    candidates
        .clone()
        .find(|&fp| return_address(fp).is_some_and(|ra| calls(modules, ra, Some(function))))
        .or_else(|| {
            candidates
                .into_iter()
                .find(|&fp| return_address(fp).is_some_and(|ra| calls(modules, ra, None)))
        })
}

/// Whether `ra` follows a call instruction in a loaded module's code: a direct call of
/// `function` if given, else any indirect call.
fn calls(modules: &[Module], ra: usize, function: Option<usize>) -> bool {
    // The longest form looked at: an indirect call with a REX prefix, SIB and 32-bit offset.
    const LONGEST: usize = 7;
    let Some(start) = ra.checked_sub(LONGEST) else {
        return false;
    };
    let in_text = modules
        .iter()
        .any(|m| m.text.iter().any(|r| r.start <= start && ra <= r.end));
    if !in_text {
        return false;
    }
    // SAFETY: `start..ra` lies in an executable segment of a loaded module, mapped (and
    // readable: x86_64 code is) for as long as the loader's lock held by the walk keeps the
    // module loaded.
    let code: [u8; LONGEST] = unsafe { std::ptr::read(start as *const [u8; LONGEST]) };
    match function {
        Some(function) => {
            let [.., c, r0, r1, r2, r3] = code;
            c == 0xe8
                && ra.wrapping_add_signed(i32::from_le_bytes([r0, r1, r2, r3]) as isize) == function
        }
        None => is_indirect_call(&code),
    }
}

/// Whether the 7 bytes before a return address end with an indirect near call (`ff /2`): through
/// a register, or through memory addressed by a register (with or without SIB and displacement)
/// or relative to `rip`, with or without a REX prefix.
fn is_indirect_call(code: &[u8; 7]) -> bool {
    // `modrm` is the ModR/M byte of an `ff` opcode, `after` how many bytes follow it.
    let call = |modrm: u8, after: usize| -> bool {
        if (modrm >> 3) & 7 != 2 {
            return false;
        }
        let (mode, rm) = (modrm >> 6, modrm & 7);
        let sib = usize::from(mode != 3 && rm == 4);
        let displacement = match mode {
            0 if rm == 5 => 4,
            0 => 0,
            1 => 1,
            2 => 4,
            _ => 0,
        };
        after == sib + displacement
    };
    // The ModR/M byte may sit at index 1 to 6 (the last byte before the return address), the
    // opcode just before it.
    (1..code.len()).any(|modrm_at| {
        code[modrm_at - 1] == 0xff && call(code[modrm_at], code.len() - 1 - modrm_at)
    })
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

#[cfg(test)]
mod tests {
    use super::is_indirect_call;

    /// `code` as the bytes right before a return address (padded in front).
    fn before_return(code: &[u8]) -> [u8; 7] {
        let mut bytes = [0x90; 7];
        bytes[7 - code.len()..].copy_from_slice(code);
        bytes
    }

    #[test]
    fn indirect_calls_are_recognised() {
        for call in [
            &[0xff, 0xd0][..],                           // call *%rax
            &[0x41, 0xff, 0xd3],                         // call *%r11
            &[0xff, 0x10],                               // call *(%rax)
            &[0xff, 0x50, 0x18],                         // call *0x18(%rax)
            &[0xff, 0x54, 0x24, 0x08],                   // call *0x8(%rsp)
            &[0xff, 0x90, 0x00, 0x01, 0x00, 0x00],       // call *0x100(%rax)
            &[0xff, 0x15, 0x10, 0x20, 0x00, 0x00],       // call *0x2010(%rip)
            &[0xff, 0x94, 0x24, 0x00, 0x01, 0x00, 0x00], // call *0x100(%rsp)
        ] {
            assert!(is_indirect_call(&before_return(call)), "{call:x?}");
        }
        for other in [
            &[0xe8, 0x10, 0x20, 0x00, 0x00][..],   // call rel32 (direct)
            &[0xff, 0xe0],                         // jmp *%rax
            &[0xff, 0x25, 0x10, 0x20, 0x00, 0x00], // jmp *0x2010(%rip)
            &[0x48, 0x89, 0xc7],                   // mov %rax, %rdi
            &[0xc3],                               // ret
        ] {
            assert!(!is_indirect_call(&before_return(other)), "{other:x?}");
        }
    }
}
