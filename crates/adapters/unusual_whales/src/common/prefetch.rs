//! Asking the CPU to fetch the next records while the current one is turned into a Python object.
//!
//! The reader thread parses records into memory the event loop's thread has never touched. When
//! the strategy is behind, records wait in the queue long enough to leave every cache, and the
//! loop thread's first touch of each (moving it into its Python object) waited on main memory:
//! the largest single cost of building a batch. Prefetching the next event's records while
//! the current one is built overlaps those misses with the work. Measured on a queue filled
//! while the loop slept, 200k option prints drained per run, loop-thread CPU per print: 704-809
//! ns as it was, 589-652 with the prefetch (three alternated runs each).
//!
//! Records now move into their objects boxed, without a copy (`RecordBox`, in the records module),
//! but the loop still reads each once, when its object is freed and its texts are dropped at the
//! end of the batch, and those reads missed the same way: without the records' prefetch the same
//! drain of 300k queued prints took 463-500 ns per print, with it 417-441.

/// Hints the CPU to bring the memory of `items` into its caches.
///
/// A hint only: it reads nothing into the program, cannot fault, and does nothing on targets
/// without the instruction.
pub fn prefetch_slice<T>(items: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        const LINE: usize = 64;
        let start = items.as_ptr().cast::<i8>();
        let len = std::mem::size_of_val(items);
        let mut offset = 0;
        while offset < len {
            // SAFETY: SSE, the instruction's feature, is part of the x86_64 baseline; a
            // prefetch never faults and has no effect the program can observe besides timing,
            // and the address lies inside `items` (`wrapping_add` keeps it defined regardless).
            #[allow(unsafe_code)]
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset));
            }
            offset += LINE;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = items;
}

#[cfg(test)]
mod tests {
    use super::prefetch_slice;

    #[test]
    fn prefetching_leaves_the_data_as_it_was() {
        let empty: [u64; 0] = [];
        prefetch_slice(&empty);
        let odd = [7u8; 1_000];
        prefetch_slice(&odd);
        let records = vec![(1u64, [3u8; 1_072]); 8];
        prefetch_slice(&records);
        assert!(odd.iter().all(|&b| b == 7));
        assert!(
            records
                .iter()
                .all(|(n, bytes)| *n == 1 && bytes.iter().all(|&b| b == 3))
        );
    }
}
