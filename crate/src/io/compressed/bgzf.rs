//! gzip files whose members say how long they are, decoded in parallel: BGZF, what
//! `bgzip` (htslib) writes for genomics files and tabix indexes. Every BGZF member
//! carries, in its header's extra field, a `BC` subfield whose value is the member's
//! size less one (at most 64 KB), so members are found without inflating anything.
//!
//! A member without that field (any plain `gzip` or `pigz` file) ends where inflating
//! finds its end and nowhere a header says, so from there on the file goes to the serial
//! decoder: member boundaries are never guessed. A member whose stated size turns out
//! wrong (it does not inflate to exactly its bytes) also goes to the serial decoder,
//! which reads it as plain gzip and says whether it is damaged.

use std::io::{self, Read};

use super::output::UnitOutput;
use super::split::{serial_from, Format, Next, Pending, Recovery};

/// The fixed part of a gzip header with extra field: magic, method, flags, time, extra
/// flags, OS, then the extra field's length.
const FIXED: usize = 12;
const FEXTRA: u8 = 0x04;

/// The size of the member at the start of `bytes`, as its `BC` subfield says.
enum Member {
    Size(usize),
    /// The header is not all there yet.
    Incomplete,
    /// Not a member that gives its size.
    Unsized,
}

fn member(bytes: &[u8]) -> Member {
    let magic = [0x1f, 0x8b, 0x08];
    if !magic.iter().zip(bytes).all(|(a, b)| a == b) {
        return Member::Unsized;
    }
    if bytes.len() < FIXED {
        return Member::Incomplete;
    }
    if bytes[3] & FEXTRA == 0 {
        return Member::Unsized;
    }
    let xlen = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
    let Some(mut extra) = bytes.get(FIXED..FIXED + xlen) else {
        return Member::Incomplete;
    };
    while extra.len() >= 4 {
        let len = u16::from_le_bytes([extra[2], extra[3]]) as usize;
        if extra[..2] == *b"BC" && len == 2 && extra.len() >= 6 {
            let size = u16::from_le_bytes([extra[4], extra[5]]) as usize + 1;
            // Header, at least an empty deflate block, then CRC and size.
            return if size >= FIXED + xlen + 2 + 8 {
                Member::Size(size)
            } else {
                Member::Unsized
            };
        }
        extra = extra.get(4 + len..).unwrap_or_default();
    }
    Member::Unsized
}

pub(super) struct Bgzf {
    pending: Pending,
}

impl Bgzf {
    pub fn new() -> Self {
        Bgzf {
            pending: Pending::default(),
        }
    }
}

impl Format for Bgzf {
    type Unit = Vec<u8>;

    fn take(&mut self, bytes: &[u8]) {
        self.pending.push(bytes);
    }

    fn next(&mut self, at_end: bool) -> Next<Vec<u8>> {
        let rest = self.pending.rest();
        if rest.is_empty() {
            return if at_end { Next::End } else { Next::Wait };
        }
        match member(rest) {
            Member::Size(size) if size <= rest.len() => Next::Unit(self.pending.cut(size)),
            // An incomplete member at the end: the serial decoder says it is truncated.
            Member::Size(_) | Member::Incomplete if at_end => Next::Serial,
            Member::Size(_) | Member::Incomplete => Next::Wait,
            Member::Unsized => Next::Serial,
        }
    }

    fn take_rest(&mut self) -> Vec<u8> {
        self.pending.take_all()
    }

    fn size(member: &Vec<u8>) -> usize {
        member.len()
    }

    fn decode(member: &Vec<u8>, out: &mut UnitOutput) -> io::Result<()> {
        let mut decoder = flate2::bufread::GzDecoder::new(&member[..]);
        loop {
            let n = decoder.read(out.spare())?;
            out.commit(n)?;
            if n == 0 {
                break;
            }
        }
        if decoder.into_inner().is_empty() {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the member ends before the size its header gives",
            ))
        }
    }

    fn recover(&mut self, failed: Vec<u8>, later: Vec<Vec<u8>>, _: String) -> Recovery<Vec<u8>> {
        serial_from(failed, later)
    }
}
