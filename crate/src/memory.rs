//! Asking for memory up front.
//!
//! Linear memory in wasm only grows, one `memory.grow` at a time, and running out aborts
//! the instance. Reserving what a job will need before it starts turns "out of memory"
//! into an error the page can show, and grows memory in one step instead of many small
//! ones during the job (the allocator keeps the freed block for the job to reuse).

use crate::error::{Error, ErrorCode, Result};

/// Makes sure `bytes` more can be allocated, then frees them for the caller to reuse.
pub fn reserve(bytes: usize) -> Result<()> {
    let mut block: Vec<u8> = Vec::new();
    block.try_reserve_exact(bytes).map_err(|_| {
        Error::new(
            ErrorCode::OutOfMemory,
            format!(
                "the engine could not get {} MB of memory for this job",
                bytes.div_ceil(1 << 20)
            ),
        )
    })?;
    // Touch nothing: reserving is enough for the allocator to grow linear memory.
    drop(block);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_reservations_succeed_and_impossible_ones_are_errors() {
        assert!(reserve(1 << 20).is_ok());
        let err = reserve(usize::MAX / 2).unwrap_err();
        assert_eq!(err.code(), ErrorCode::OutOfMemory);
    }
}
