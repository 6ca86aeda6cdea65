//! bzip2 split into its blocks, decoded in parallel, as `lbzip2` and `pbzip2` do.
//!
//! A bzip2 stream is `BZh<level>`, then blocks, each starting with the 48-bit magic
//! `0x314159265359` and its 32-bit checksum, then the end marker `0x177245385090` and the
//! stream's combined checksum, padded to a byte. Blocks are not byte-aligned and no header
//! gives their length, but each is compressed on its own: the block ends where the next
//! magic starts. So the blocks are found by looking for the magics at every bit offset,
//! and each is decoded as a stream of its own (`BZh<level>`, the block's bits, the end
//! marker and a combined checksum equal to the block's). The real stream's combined
//! checksum is then checked from its blocks' (`combined.rotate_left(1) ^ block`).
//!
//! The magic can also occur by chance inside a block's compressed bits (about once in
//! 2^48 bit positions, so once in tens of TB). A false magic cuts a block in two pieces
//! that both fail to decode; a piece that fails is therefore joined with the next one and
//! tried again, and only a piece that still fails once it is longer than any block can be
//! makes the data damaged. A false end marker is told apart by what follows it (the
//! file's end or another stream's header).
//!
//! Files of several streams (`pbzip2`'s) are read the same way, stream after stream.

use std::io::{self, Read};

use super::output::UnitOutput;
use super::split::{Format, Next, Recovery};

const BLOCK_MAGIC: u64 = 0x3141_5926_5359;
const END_MAGIC: u64 = 0x1772_4538_5090;
const MASK48: u64 = (1 << 48) - 1;
const MASK56: u64 = (1 << 56) - 1;
/// Bits of a magic and the checksum after it.
const MARKER_BITS: u64 = 80;

/// For each magic at each of the 8 bit offsets, the 16 bits it puts at bits 16..32 of a
/// 56-bit window ending on a byte: most windows are ruled out by one lookup.
static HINTS: [u64; 1024] = hints();

const fn hints() -> [u64; 1024] {
    let mut table = [0u64; 1024];
    let magics = [BLOCK_MAGIC, END_MAGIC];
    let mut m = 0;
    while m < magics.len() {
        let mut shift = 0;
        while shift < 8 {
            let key = ((magics[m] << shift) >> 16) & 0xFFFF;
            table[(key >> 6) as usize] |= 1 << (key & 63);
            shift += 1;
        }
        m += 1;
    }
    table
}

/// The most compressed bytes a block of `level` can take (bzip2 expands incompressible
/// data by under 1 %; the margin covers the tables): a piece longer than this without a
/// magic, or a joined piece longer than this, is damaged data.
fn max_block_bytes(level: u8) -> u64 {
    u64::from(level) * 125_000 + (64 << 10)
}

/// Bits packed from the high bit of each byte, as bzip2 writes them.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    len: u64,
}

impl Bits {
    /// Appends the low `n` bits of `value` (`n` ≤ 64), high bit first.
    fn push(&mut self, value: u64, n: u32) {
        for i in (0..n).rev() {
            if self.len.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if (value >> i) & 1 == 1 {
                if let Some(last) = self.bytes.last_mut() {
                    *last |= 1 << (7 - self.len % 8);
                }
            }
            self.len += 1;
        }
    }

    /// Appends bits `from..from + n` of `src`.
    fn extend(&mut self, src: &[u8], from: u64, n: u64) {
        let first = (from / 8) as usize;
        let shift = (from % 8) as u32;
        let whole = (n / 8) as usize;
        if self.len.is_multiple_of(8) {
            if shift == 0 {
                self.bytes.extend_from_slice(&src[first..first + whole]);
            } else {
                self.bytes.extend(
                    src[first..]
                        .windows(2)
                        .take(whole)
                        .map(|w| (w[0] << shift) | (w[1] >> (8 - shift))),
                );
            }
            self.len += whole as u64 * 8;
        } else {
            for k in 0..whole as u64 {
                self.push(read_bits(src, from + 8 * k, 8), 8);
            }
        }
        let rest = (n % 8) as u32;
        self.push(read_bits(src, from + n - u64::from(rest), rest), rest);
    }
}

/// Bits `from..from + n` of `bytes` (`n` ≤ 64), as a number.
fn read_bits(bytes: &[u8], from: u64, n: u32) -> u64 {
    (0..u64::from(n)).fold(0, |value, i| {
        let bit = from + i;
        (value << 1) | u64::from((bytes[(bit / 8) as usize] >> (7 - bit % 8)) & 1)
    })
}

/// One block's bits, from its magic to the next magic, or a stream with no block.
pub(super) struct Block {
    bits: Bits,
    level: u8,
    /// The stream's combined checksum, if this block is its last.
    stream_crc: Option<u32>,
}

impl Block {
    /// The block's own checksum (none for a stream with no block).
    fn crc(&self) -> Option<u32> {
        (self.bits.len >= MARKER_BITS).then(|| read_bits(&self.bits.bytes, 48, 32) as u32)
    }

    /// The block as a stream of its own, for bzip2's decoder.
    fn as_stream(&self, crc: u32) -> Vec<u8> {
        let mut stream = Bits::default();
        stream.bytes.extend_from_slice(b"BZh");
        stream.bytes.push(b'0' + self.level);
        stream.len = 32;
        stream.extend(&self.bits.bytes, 0, self.bits.len);
        stream.push(END_MAGIC, 48);
        stream.push(u64::from(crc), 32);
        stream.bytes
    }
}

/// A piece's length in bits (tests find the blocks with it).
#[cfg(test)]
pub(super) fn block_bits(block: &Block) -> u64 {
    block.bits.len
}

/// Joins a piece that failed to decode with the piece after it (see the module's doc).
fn join(a: Block, b: Block) -> Option<Block> {
    let fits = (a.bits.len + b.bits.len) / 8 <= max_block_bytes(a.level);
    if a.stream_crc.is_some() || a.level != b.level || !fits {
        return None;
    }
    let mut bits = a.bits;
    bits.extend(&b.bits.bytes, 0, b.bits.len);
    Some(Block {
        bits,
        level: a.level,
        stream_crc: b.stream_crc,
    })
}

#[derive(Clone, Copy)]
enum State {
    /// At a stream's first byte.
    Header { byte: u64 },
    /// In a stream: the current block starts at bit `start`; the next magic is looked
    /// for from bit `scan` on.
    Blocks { level: u8, start: u64, scan: u64 },
}

pub(super) struct Bzip2Blocks {
    /// Compressed bytes from file byte `base` on.
    buf: Vec<u8>,
    base: u64,
    state: State,
    /// A piece that failed to decode, waiting for the next piece to be joined to.
    carry: Option<(Block, String)>,
    /// The combined checksum of the stream's blocks accepted so far.
    combined: u32,
    /// Bits where a test pretends a magic is (and whether it is an end marker).
    #[cfg(test)]
    pub fakes: Vec<(u64, bool)>,
}

impl Bzip2Blocks {
    pub fn new() -> Self {
        Bzip2Blocks {
            buf: Vec::new(),
            base: 0,
            state: State::Header { byte: 0 },
            carry: None,
            combined: 0,
            #[cfg(test)]
            fakes: Vec::new(),
        }
    }

    /// The file byte just past what has been pushed.
    fn end(&self) -> u64 {
        self.base + self.buf.len() as u64
    }

    fn bits_at(&self, bit: u64, n: u32) -> u64 {
        read_bits(&self.buf, bit - self.base * 8, n)
    }

    /// Forgets the bytes before file byte `byte` (once they are half the buffer, so that
    /// small pushes do not move the buffer each time).
    fn forget_before(&mut self, byte: u64) {
        let dead = (byte - self.base) as usize;
        if dead > 0 && dead >= self.buf.len() / 2 {
            self.buf.drain(..dead);
            self.base = byte;
        }
    }

    /// The first magic starting at bit `from` or later: its bit and whether it is the end
    /// marker; or, if none is there yet, the bit to look from once more bytes come.
    fn find_magic(&self, from: u64) -> Result<(u64, bool), u64> {
        let found = self.find_real_magic(from);
        #[cfg(test)]
        {
            // A false magic planted by a test, if it comes first.
            let end = self.end() * 8;
            let first_fake = self
                .fakes
                .iter()
                .filter(|(at, _)| *at >= from && at + 48 <= end)
                .min();
            if let Some(&(at, is_end)) = first_fake {
                if found.is_err() || found.is_ok_and(|(real, _)| at < real) {
                    return Ok((at, is_end));
                }
            }
        }
        found
    }

    fn find_real_magic(&self, from: u64) -> Result<(u64, bool), u64> {
        let first = from / 8;
        let mut window = 0u64;
        let bytes = self
            .buf
            .get((first - self.base) as usize..)
            .unwrap_or_default();
        for (i, &byte) in (first..).zip(bytes) {
            window = ((window << 8) | u64::from(byte)) & MASK56;
            let key = (window >> 16) & 0xFFFF;
            if (HINTS[(key >> 6) as usize] >> (key & 63)) & 1 == 0 {
                continue;
            }
            for shift in (0..8).rev() {
                let candidate = (window >> shift) & MASK48;
                if candidate != BLOCK_MAGIC && candidate != END_MAGIC {
                    continue;
                }
                match ((i + 1) * 8).checked_sub(shift + 48) {
                    Some(start) if start >= from => return Ok((start, candidate == END_MAGIC)),
                    _ => {}
                }
            }
        }
        Err((self.end() * 8).saturating_sub(47).max(from))
    }

    /// Whether a stream header (`BZh<level>` and a magic) starts at file byte `byte`,
    /// given 10 bytes there.
    fn stream_starts_at(&self, byte: u64) -> bool {
        let at = (byte - self.base) as usize;
        let head = &self.buf[at..at + 10];
        let magic = self.bits_at(byte * 8 + 32, 48);
        head.starts_with(b"BZh")
            && (b'1'..=b'9').contains(&head[3])
            && (magic == BLOCK_MAGIC || magic == END_MAGIC)
    }

    /// The piece from bit `start` to bit `end`.
    fn cut(&mut self, start: u64, end: u64, level: u8, stream_crc: Option<u32>) -> Block {
        let mut bits = Bits::default();
        bits.bytes.reserve(((end - start) / 8 + 1) as usize);
        bits.extend(&self.buf, start - self.base * 8, end - start);
        Block {
            bits,
            level,
            stream_crc,
        }
    }

    fn scan(&mut self, at_end: bool) -> Next<Block> {
        loop {
            match self.state {
                State::Header { byte } => {
                    let have = self.end() - byte;
                    if have == 0 && at_end {
                        return Next::End;
                    }
                    let at = (byte - self.base) as usize;
                    let head = &self.buf[at..];
                    let plausible = b"BZh".iter().zip(head).all(|(a, b)| a == b)
                        && head.get(3).is_none_or(|d| (b'1'..=b'9').contains(d));
                    if !plausible {
                        return corrupt("the bytes after the end of the bzip2 data are not another bzip2 stream");
                    }
                    if have < 10 {
                        return if at_end { truncated() } else { Next::Wait };
                    }
                    let level = head[3] - b'0';
                    let start = (byte + 4) * 8;
                    match self.bits_at(start, 48) {
                        BLOCK_MAGIC => {
                            self.state = State::Blocks {
                                level,
                                start,
                                scan: start + MARKER_BITS,
                            }
                        }
                        END_MAGIC if have < 14 => {
                            return if at_end { truncated() } else { Next::Wait };
                        }
                        END_MAGIC => {
                            // A stream with no block.
                            let crc = self.bits_at(start + 48, 32) as u32;
                            self.state = State::Header { byte: byte + 14 };
                            return Next::Unit(Block {
                                bits: Bits::default(),
                                level,
                                stream_crc: Some(crc),
                            });
                        }
                        _ => return corrupt("a bzip2 stream does not start with a block"),
                    }
                }
                State::Blocks { level, start, scan } => match self.find_magic(scan) {
                    Err(scan) => {
                        self.state = State::Blocks { level, start, scan };
                        if (self.end() * 8 - start) / 8 > max_block_bytes(level) {
                            return corrupt("a bzip2 block is longer than any block can be");
                        }
                        return if at_end { truncated() } else { Next::Wait };
                    }
                    Ok((magic, false)) => {
                        let block = self.cut(start, magic, level, None);
                        self.state = State::Blocks {
                            level,
                            start: magic,
                            scan: magic + MARKER_BITS,
                        };
                        self.forget_before(magic / 8);
                        return Next::Unit(block);
                    }
                    Ok((magic, true)) => {
                        let next = (magic + MARKER_BITS).div_ceil(8);
                        let follows = self.end().saturating_sub(next);
                        if next > self.end() || (follows < 10 && !at_end) {
                            self.state = State::Blocks {
                                level,
                                start,
                                scan: magic,
                            };
                            return if at_end { truncated() } else { Next::Wait };
                        }
                        if follows >= 10 && !self.stream_starts_at(next) {
                            // Not followed by the end or another stream: a false marker.
                            self.state = State::Blocks {
                                level,
                                start,
                                scan: magic + 1,
                            };
                            continue;
                        }
                        let crc = self.bits_at(magic + 48, 32) as u32;
                        let block = self.cut(start, magic, level, Some(crc));
                        self.state = State::Header { byte: next };
                        self.forget_before(next);
                        return Next::Unit(block);
                    }
                },
            }
        }
    }
}

fn corrupt<U>(reason: &str) -> Next<U> {
    Next::Corrupt {
        reason: reason.to_string(),
        truncated: false,
    }
}

fn truncated<U>() -> Next<U> {
    Next::Corrupt {
        reason: "the last bzip2 block is incomplete".to_string(),
        truncated: true,
    }
}

impl Format for Bzip2Blocks {
    type Unit = Block;

    fn take(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    fn next(&mut self, at_end: bool) -> Next<Block> {
        let Some((carry, reason)) = self.carry.take() else {
            return self.scan(at_end);
        };
        match self.scan(at_end) {
            Next::Unit(block) => match join(carry, block) {
                Some(joined) => Next::Unit(joined),
                None => Next::Corrupt {
                    reason,
                    truncated: false,
                },
            },
            Next::End => Next::Corrupt {
                reason,
                truncated: false,
            },
            Next::Wait => {
                self.carry = Some((carry, reason));
                Next::Wait
            }
            other => other,
        }
    }

    fn take_rest(&mut self) -> Vec<u8> {
        Vec::new()
    }

    fn size(block: &Block) -> usize {
        block.bits.bytes.len()
    }

    fn decode(block: &Block, out: &mut UnitOutput) -> io::Result<()> {
        let Some(crc) = block.crc() else {
            return Ok(());
        };
        let stream = block.as_stream(crc);
        let mut decoder = bzip2::bufread::BzDecoder::new(&stream[..]);
        loop {
            let n = decoder.read(out.spare())?;
            out.commit(n)?;
            if n == 0 {
                return Ok(());
            }
        }
    }

    fn accept(&mut self, block: &Block) -> Result<(), String> {
        if let Some(crc) = block.crc() {
            self.combined = self.combined.rotate_left(1) ^ crc;
        }
        if let Some(stored) = block.stream_crc {
            let combined = std::mem::take(&mut self.combined);
            if combined != stored {
                return Err(format!(
                    "a bzip2 stream's checksum {stored:08x} does not match its blocks' \
                     {combined:08x}"
                ));
            }
        }
        Ok(())
    }

    fn recover(&mut self, failed: Block, later: Vec<Block>, reason: String) -> Recovery<Block> {
        let mut later = later.into_iter();
        match later.next() {
            None if failed.stream_crc.is_none() => {
                self.carry = Some((failed, reason));
                Recovery::Retry(Vec::new())
            }
            None => Recovery::Corrupt(reason),
            Some(next) => match join(failed, next) {
                Some(joined) => Recovery::Retry(std::iter::once(joined).chain(later).collect()),
                None => Recovery::Corrupt(reason),
            },
        }
    }
}
