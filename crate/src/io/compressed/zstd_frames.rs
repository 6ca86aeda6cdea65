//! zstd files of several frames (`pzstd`'s, or frames concatenated), decoded in parallel.
//!
//! Each zstd frame is independent. Its end is found without decoding it: the frame
//! header says which fields follow, then come blocks, each with a 3-byte header (last
//! flag, type, size; an RLE block's payload is one byte), then an optional 4-byte
//! checksum. Skippable frames (magic `0x184D2A50..5F`) carry their size.
//!
//! A frame is decoded whole in one go, so only frames that are small enough go in
//! parallel: one that declares more than [`MAX_FRAME_OUTPUT`] of content, a window over
//! [`MAX_WINDOW`], or takes more than [`MAX_FRAME_INPUT`] compressed, is decoded by the
//! streaming decoder from there on. That is what a one-frame file (the usual `zstd`
//! output, which declares its size) does from its first bytes. So is anything this walk
//! does not know (a legacy frame, a dictionary, a reserved block type): the serial
//! decoder reads it, or says how it is damaged.

use std::io;

use zstd::stream::raw::{Decoder, InBuffer, Operation, OutBuffer};

use super::output::UnitOutput;
use super::split::{serial_from, Format, Next, Pending, Recovery};

const FRAME_MAGIC: u32 = 0xFD2F_B528;
const SKIPPABLE_MAGIC: u32 = 0x184D_2A50;
const SKIPPABLE_MASK: u32 = 0xFFFF_FFF0;
/// Most content a frame may declare to be decoded whole (`pzstd` writes frames of 4 to
/// 32 MB of text).
pub(super) const MAX_FRAME_OUTPUT: u64 = 32 << 20;
/// Most compressed bytes held for one frame before it goes to the streaming decoder.
pub(super) const MAX_FRAME_INPUT: usize = 8 << 20;
/// Largest window (each frame decoded at once holds one).
const MAX_WINDOW: u64 = 16 << 20;
const MAX_BLOCK: usize = 128 << 10;

/// Where the frame at the start of `bytes` ends.
enum Frame {
    Size(usize),
    /// Not all there yet; the walk resumes at this offset.
    Incomplete(usize),
    /// Not a frame to decode whole.
    Serial,
}

fn le(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0, |value, &b| (value << 8) | u64::from(b))
}

/// Walks the frame at the start of `bytes`, from block header `resume` if an earlier walk
/// got that far.
fn frame(bytes: &[u8], resume: Option<usize>) -> Frame {
    if bytes.len() < 8 {
        return Frame::Incomplete(0);
    }
    let magic = le(&bytes[..4]) as u32;
    if magic & SKIPPABLE_MASK == SKIPPABLE_MAGIC {
        let size = 8 + le(&bytes[4..8]) as usize;
        return if size > MAX_FRAME_INPUT {
            Frame::Serial
        } else {
            Frame::Size(size)
        };
    }
    if magic != FRAME_MAGIC {
        return Frame::Serial;
    }
    let descriptor = bytes[4];
    let single_segment = descriptor & 0x20 != 0;
    let checksum = descriptor & 0x04 != 0;
    let dict_bytes = [0, 1, 2, 4][usize::from(descriptor & 3)];
    let size_bytes = match descriptor >> 6 {
        0 => usize::from(single_segment),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let window_at = 5;
    let dict_at = window_at + usize::from(!single_segment);
    let size_at = dict_at + dict_bytes;
    let header = size_at + size_bytes;
    if descriptor & 0x08 != 0 {
        return Frame::Serial;
    }
    if bytes.len() < header {
        return Frame::Incomplete(0);
    }
    if le(&bytes[dict_at..size_at]) != 0 {
        return Frame::Serial;
    }
    let content = (size_bytes > 0).then(|| {
        let size = le(&bytes[size_at..header]);
        if size_bytes == 2 {
            size + 256
        } else {
            size
        }
    });
    let window = if single_segment {
        content.unwrap_or(0)
    } else {
        let exponent = u64::from(bytes[window_at] >> 3);
        let base = 1u64 << (10 + exponent);
        base + base / 8 * u64::from(bytes[window_at] & 7)
    };
    if window > MAX_WINDOW || content.is_some_and(|size| size > MAX_FRAME_OUTPUT) {
        return Frame::Serial;
    }
    let mut at = resume.unwrap_or(header);
    loop {
        let Some(block) = bytes.get(at..at + 3) else {
            return Frame::Incomplete(at);
        };
        let block = le(block) as usize;
        let last = block & 1 == 1;
        let size = block >> 3;
        let payload = match (block >> 1) & 3 {
            0 | 2 => size,
            1 => 1,
            _ => return Frame::Serial,
        };
        if size > MAX_BLOCK || at > MAX_FRAME_INPUT {
            return Frame::Serial;
        }
        if last {
            return Frame::Size(at + 3 + payload + if checksum { 4 } else { 0 });
        }
        at += 3 + payload;
    }
}

pub(super) struct ZstdFrames {
    pending: Pending,
    /// How far the walk of the next frame got.
    resume: Option<usize>,
}

impl ZstdFrames {
    pub fn new() -> Self {
        ZstdFrames {
            pending: Pending::default(),
            resume: None,
        }
    }
}

impl Format for ZstdFrames {
    type Unit = Vec<u8>;

    fn take(&mut self, bytes: &[u8]) {
        self.pending.push(bytes);
    }

    fn next(&mut self, at_end: bool) -> Next<Vec<u8>> {
        let rest = self.pending.rest();
        if rest.is_empty() {
            return if at_end { Next::End } else { Next::Wait };
        }
        match frame(rest, self.resume) {
            Frame::Size(size) if size <= rest.len() => {
                self.resume = None;
                Next::Unit(self.pending.cut(size))
            }
            Frame::Size(size) if size > MAX_FRAME_INPUT => Next::Serial,
            Frame::Serial => Next::Serial,
            // An incomplete frame at the end: the serial decoder says it is truncated.
            Frame::Size(_) | Frame::Incomplete(_) if at_end => Next::Serial,
            Frame::Size(_) => Next::Wait,
            Frame::Incomplete(at) => {
                if at > 0 {
                    self.resume = Some(at);
                }
                Next::Wait
            }
        }
    }

    fn take_rest(&mut self) -> Vec<u8> {
        self.resume = None;
        self.pending.take_all()
    }

    fn size(frame: &Vec<u8>) -> usize {
        frame.len()
    }

    fn decode(frame: &Vec<u8>, out: &mut UnitOutput) -> io::Result<()> {
        let mut decoder = Decoder::new()?;
        let mut input = InBuffer::around(frame);
        loop {
            let spare = out.spare();
            let mut output = OutBuffer::around(spare);
            let hint = decoder.run(&mut input, &mut output)?;
            let n = output.pos();
            out.commit(n)?;
            if hint == 0 {
                break;
            }
            if n == 0 && input.pos() == frame.len() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the frame stops before its end",
                ));
            }
        }
        if input.pos() == frame.len() {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the frame ends before its blocks said",
            ))
        }
    }

    fn recover(&mut self, failed: Vec<u8>, later: Vec<Vec<u8>>, _: String) -> Recovery<Vec<u8>> {
        serial_from(failed, later)
    }
}
