//! The extension module's global allocator: mimalloc, with the requests every Rust type but an
//! over-aligned one makes sent to `mi_malloc` instead of `mi_malloc_aligned`.
//!
//! Why mimalloc at all: the workspace `Cargo.toml`. Why not the `mimalloc` crate's own
//! `MiMalloc`: it sends every request to `mi_malloc_aligned`, whose fast path only takes blocks of
//! up to 1 KiB. A larger block (an option print's record is 1,072 bytes; a flow alert's trade-id
//! list grows to 1,280 past 16 ids) then went through the aligned over-allocation path: about
//! 330 instructions where `mi_malloc` takes its size class's free list. Measured on the live path
//! in the wheel's profile (5 interleaved runs, best of 40 rounds of 10k frames each): option
//! prints 2-3% faster, flow alerts 4%.
//!
//! What `mi_malloc` guarantees: every block is a whole number of machine words from a
//! word-aligned start, so any alignment up to a word holds for any size. Larger alignments
//! (SIMD types, cache-line padding) still go to the aligned calls.

#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

use libmimalloc_sys as mi;

/// Alignment every `mi_malloc` block has whatever its size: a machine word.
const WORD: usize = core::mem::size_of::<usize>();

/// mimalloc as the global allocator (see the crate docs).
#[derive(Debug, Default, Clone, Copy)]
pub struct UwAllocator;

// SAFETY: every block comes from mimalloc, aligned as asked: by `mi_malloc`'s word alignment when
// the layout asks for a word or less, by the aligned calls otherwise. `mi_free` takes a block of
// either kind, and `mi_realloc`/`mi_realloc_aligned` keep the alignment they are given.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for UwAllocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain C allocation calls; a null return is the allocation failure Rust expects.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator (the caller's contract), so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout` (the caller's contract).
        unsafe {
            if layout.align() <= WORD {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    extern crate std;

    use std::vec::Vec;

    use super::*;

    /// Sizes around every boundary that matters: tiny blocks, mimalloc's 1 KiB small-block limit
    /// (an option print is 1,072 bytes), its size classes, and large blocks.
    fn sizes() -> impl Iterator<Item = usize> {
        (1..=80).chain((1000..=1100).step_by(3)).chain([
            1024,
            1072,
            1280,
            4096,
            65_536,
            1 << 20,
            (1 << 20) + 8,
        ])
    }

    /// Every block is aligned as its layout asks, holds what is written to it (all of it), and
    /// keeps it through a reallocation, at word alignment (`mi_malloc`) and above it (the
    /// aligned calls).
    #[test]
    fn blocks_are_aligned_as_asked_and_keep_their_bytes() {
        let a = UwAllocator;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in sizes() {
                let layout = Layout::from_size_align(size, align).unwrap();
                // Several at once, so that a size class's successive blocks are all checked.
                let blocks: Vec<*mut u8> = (0..4)
                    .map(|i| {
                        // SAFETY: a non-zero size; the block is checked, filled and freed below.
                        let p = unsafe { a.alloc(layout) };
                        assert!(!p.is_null());
                        assert_eq!(p as usize % align, 0, "size {size} align {align}");
                        // SAFETY: `size` bytes were just allocated at `p`.
                        unsafe { p.write_bytes(i as u8 + 1, size) };
                        p
                    })
                    .collect();
                for (i, &p) in blocks.iter().enumerate() {
                    let grown = size * 2 + 24;
                    // SAFETY: `p` holds `size` bytes of `layout`, from this allocator.
                    let q = unsafe { a.realloc(p, layout, grown) };
                    assert!(!q.is_null());
                    assert_eq!(q as usize % align, 0, "realloc size {size} align {align}");
                    // SAFETY: the first `size` bytes were written before the reallocation.
                    let kept = unsafe { core::slice::from_raw_parts(q, size) };
                    assert!(kept.iter().all(|&b| b == i as u8 + 1), "size {size}");
                    // SAFETY: `q` holds `grown` bytes, allocated with `align`.
                    unsafe { a.dealloc(q, Layout::from_size_align(grown, align).unwrap()) };
                }
            }
        }
    }

    #[test]
    fn zeroed_blocks_are_zero_after_freed_ones_were_dirtied() {
        let a = UwAllocator;
        for align in [8, 64] {
            for size in sizes() {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: allocated, dirtied and freed, so that the zeroed one may reuse it.
                unsafe {
                    let dirty = a.alloc(layout);
                    dirty.write_bytes(0xAB, size);
                    a.dealloc(dirty, layout);
                    let p = a.alloc_zeroed(layout);
                    assert_eq!(p as usize % align, 0);
                    assert!(core::slice::from_raw_parts(p, size).iter().all(|&b| b == 0));
                    a.dealloc(p, layout);
                }
            }
        }
    }
}
