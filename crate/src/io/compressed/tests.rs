//! The decompressor end to end: each format, serial and split into units, sliced as the
//! page slices a file, damaged, truncated and bombs.

use std::io::Write;

use super::*;

#[derive(Default)]
struct Collect(Vec<u8>, usize);

impl ByteSink for Collect {
    fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.0.extend_from_slice(chunk);
        self.1 += 1;
        Ok(())
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn bzip2(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn decompress(compression: Compression, bytes: &[u8], slice: usize) -> Result<Vec<u8>> {
    let mut decompressor = Decompressor::new(compression, Collect::default())?;
    for chunk in bytes.chunks(slice) {
        decompressor.push(chunk)?;
    }
    Ok(decompressor.finish()?.0)
}

#[test]
fn detects_each_format_by_its_signature() {
    assert_eq!(Compression::detect(&gzip(b"a")), Some(Compression::Gzip));
    assert_eq!(Compression::detect(&bzip2(b"a")), Some(Compression::Bzip2));
    assert_eq!(Compression::detect(&bzip2(b"")), Some(Compression::Bzip2));
    let zstd = zstd::encode_all(&b"a"[..], 3).unwrap();
    assert_eq!(Compression::detect(&zstd), Some(Compression::Zstd));
    let pzstd = [&[0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0][..], &zstd].concat();
    assert_eq!(Compression::detect(&pzstd), Some(Compression::Zstd));
    assert_eq!(Compression::detect(b"BZh9,name\n"), None);
    assert_eq!(Compression::detect(b"id,name\n1,a\n"), None);
}

#[test]
fn multi_member_gzip_and_multi_stream_bzip2_decompress_whole() {
    let text = b"id,name\n1,a\n2,b\n";
    for (compression, pack) in [
        (Compression::Gzip, gzip as fn(&[u8]) -> Vec<u8>),
        (Compression::Bzip2, bzip2),
    ] {
        let mut two = pack(&text[..8]);
        two.extend(pack(&text[8..]));
        for slice in [1, 7, 4096] {
            assert_eq!(decompress(compression, &two, slice).unwrap(), text);
        }
    }
    let mut two = zstd::encode_all(&text[..8], 1).unwrap();
    two.extend(zstd::encode_all(&text[8..], 1).unwrap());
    assert_eq!(decompress(Compression::Zstd, &two, 5).unwrap(), text);
}

#[test]
fn output_reaches_the_reader_in_bounded_chunks() {
    let text = vec![b'x'; 3 * OUTPUT_CHUNK + 5];
    let mut decompressor = Decompressor::new(Compression::Gzip, Collect::default()).unwrap();
    decompressor.push(&gzip(&text)).unwrap();
    let sink = decompressor.finish().unwrap();
    assert_eq!(sink.0.len(), text.len());
    assert_eq!(sink.1, 4);
}

/// `rows` lines of CSV-like text that compresses as real data does (about 4× with bzip2).
fn csv_text(rows: usize) -> Vec<u8> {
    let mut text = b"id,name,amount,day\n".to_vec();
    let mut state = 42u64;
    let names = ["north", "south", "east", "west", "centre"];
    for i in 0..rows {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let r = state >> 33;
        let line = format!(
            "{i},{}-{},{}.{:02},2024-{:02}-{:02}\n",
            names[(r % 5) as usize],
            r % 1000,
            r % 100_000,
            r % 100,
            1 + r % 12,
            1 + r % 28
        );
        text.extend_from_slice(line.as_bytes());
    }
    text
}

fn bzip2_level(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::new(level));
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Decompresses in slices of `slice` bytes; also says whether the decoding stayed split
/// into units to the end.
fn run(compression: Compression, bytes: &[u8], slice: usize) -> (Result<Vec<u8>>, bool) {
    run_with(
        Decompressor::new(compression, Collect::default()).unwrap(),
        bytes,
        &[slice],
    )
}

fn run_with(
    mut decompressor: Decompressor<Collect>,
    bytes: &[u8],
    slices: &[usize],
) -> (Result<Vec<u8>>, bool) {
    let mut at = 0;
    let mut sizes = slices.iter().copied();
    let mut size = 1;
    while at < bytes.len() {
        size = sizes.next().unwrap_or(size);
        let end = (at + size).min(bytes.len());
        if let Err(e) = decompressor.push(&bytes[at..end]) {
            return (Err(e), decompressor.is_split());
        }
        at = end;
    }
    let split = decompressor.is_split();
    (decompressor.finish().map(|sink| sink.0), split)
}

/// File byte offsets of the bzip2 block magics (as the splitter finds them).
fn block_bytes(file: &[u8]) -> Vec<usize> {
    let mut blocks = bzip2_blocks::Bzip2Blocks::new();
    use split::Format;
    blocks.take(file);
    let mut at = Vec::new();
    let mut bits = 32u64;
    while let split::Next::Unit(block) = blocks.next(true) {
        at.push((bits / 8) as usize);
        bits += bzip2_blocks::block_bits(&block);
    }
    at
}

#[test]
fn bzip2_blocks_decode_in_parallel_whatever_the_slices() {
    let text = csv_text(40_000);
    let file = bzip2_level(&text, 1);
    let magics = block_bytes(&file);
    assert!(magics.len() >= 10, "{} blocks", magics.len());
    for slice in [1, 5, 4096, 65_536, 1 << 20, file.len()] {
        let (out, split) = run(Compression::Bzip2, &file, slice);
        assert!(out.unwrap() == text, "slices of {slice}");
        assert!(split);
    }
    // Slices cutting each of the first magics at each byte.
    for &magic in &magics[1..4] {
        for cut in 0..7 {
            let slices = [magic + cut, 1, 2, 3];
            let decompressor = Decompressor::new(Compression::Bzip2, Collect::default()).unwrap();
            let (out, _) = run_with(decompressor, &file, &slices);
            assert!(out.unwrap() == text, "cut at {magic} + {cut}");
        }
    }
}

#[test]
fn bzip2_streams_one_after_another_decode_whole() {
    let text = csv_text(12_000);
    let third = text.len() / 3;
    let mut file = bzip2_level(&text[..third], 1);
    file.extend(bzip2_level(b"", 9));
    file.extend(bzip2_level(&text[third..2 * third], 9));
    file.extend(bzip2_level(&text[2 * third..], 3));
    for slice in [1, 777, file.len()] {
        let (out, split) = run(Compression::Bzip2, &file, slice);
        assert!(out.unwrap() == text, "slices of {slice}");
        assert!(split);
    }
}

fn corrupt_says(result: Result<Vec<u8>>, words: &str) {
    let err = result.unwrap_err();
    assert_eq!(err.code(), ErrorCode::CompressedCorrupt, "{err}");
    assert!(err.message().contains(words), "{err}");
}

#[test]
fn a_damaged_bzip2_block_is_damaged_data() {
    let text = csv_text(20_000);
    let file = bzip2_level(&text, 1);
    let magics = block_bytes(&file);
    // Bytes overwritten in the middle of a middle block.
    let mut damaged = file.clone();
    let middle = (magics[2] + magics[3]) / 2;
    damaged[middle..middle + 8].fill(0x55);
    for slice in [4096, damaged.len()] {
        corrupt_says(run(Compression::Bzip2, &damaged, slice).0, "damaged");
    }
    // A block whose checksum is wrong.
    let mut bad_crc = file.clone();
    bad_crc[magics[3] + 7] ^= 0x10;
    corrupt_says(run(Compression::Bzip2, &bad_crc, 4096).0, "damaged");
    // The stream's combined checksum wrong (its last 4 bytes, give or take the padding).
    let mut bad_combined = file.clone();
    let at = bad_combined.len() - 3;
    bad_combined[at] ^= 0x01;
    corrupt_says(run(Compression::Bzip2, &bad_combined, 4096).0, "checksum");
}

#[test]
fn a_truncated_bzip2_file_says_so_at_the_end() {
    let text = csv_text(20_000);
    let file = bzip2_level(&text, 1);
    for keep in [file.len() * 2 / 3, file.len() - 1, 12] {
        corrupt_says(
            run(Compression::Bzip2, &file[..keep], 4096).0,
            "stops before its end",
        );
    }
}

#[test]
fn a_false_magic_inside_a_block_is_mended() {
    let text = csv_text(20_000);
    let file = bzip2_level(&text, 1);
    let magics = block_bytes(&file);
    for (fake, is_end) in [
        (magics[2] as u64 * 8 + 3000, false),
        (magics[4] as u64 * 8 + 123_457, false),
        (magics[3] as u64 * 8 + 999, true),
    ] {
        for slice in [4096, file.len()] {
            let mut blocks = bzip2_blocks::Bzip2Blocks::new();
            blocks.fakes.push((fake, is_end));
            let decompressor = Decompressor::with_engine(
                Compression::Bzip2,
                Box::new(split::Split::new(blocks)),
                Collect::default(),
            );
            let (out, split) = run_with(decompressor, &file, &[slice]);
            assert!(out.unwrap() == text, "a false magic at bit {fake}");
            assert!(split);
        }
    }
    // Two false magics in one block, and one in the last block.
    let mut blocks = bzip2_blocks::Bzip2Blocks::new();
    let last = *magics.last().unwrap() as u64 * 8;
    blocks.fakes = vec![
        (magics[1] as u64 * 8 + 5000, false),
        (magics[1] as u64 * 8 + 9000, false),
        (last + 4000, false),
    ];
    let decompressor = Decompressor::with_engine(
        Compression::Bzip2,
        Box::new(split::Split::new(blocks)),
        Collect::default(),
    );
    assert!(run_with(decompressor, &file, &[100_000]).0.unwrap() == text);
}

/// BGZF as `bgzip` writes it: members of at most 0xff00 bytes of text, each stating its
/// size in a `BC` subfield, and an empty member at the end.
fn bgzf(text: &[u8]) -> Vec<u8> {
    let mut file = Vec::new();
    for chunk in text.chunks(0xff00).chain([&[][..]]) {
        let mut deflate =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        deflate.write_all(chunk).unwrap();
        let data = deflate.finish().unwrap();
        let mut crc = flate2::Crc::new();
        crc.update(chunk);
        let size = 18 + data.len() + 8;
        file.extend_from_slice(&[
            0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, b'B', b'C', 2, 0,
        ]);
        file.extend_from_slice(&((size - 1) as u16).to_le_bytes());
        file.extend_from_slice(&data);
        file.extend_from_slice(&crc.sum().to_le_bytes());
        file.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
    }
    file
}

/// Byte offsets of the BGZF members.
fn members(file: &[u8]) -> Vec<usize> {
    let mut at = vec![0];
    while let Some(&last) = at.last() {
        let size = u16::from_le_bytes([file[last + 16], file[last + 17]]) as usize + 1;
        if last + size >= file.len() {
            break;
        }
        at.push(last + size);
    }
    at
}

#[test]
fn bgzf_members_decode_in_parallel() {
    let text = csv_text(30_000);
    let file = bgzf(&text);
    assert!(members(&file).len() > 10);
    for slice in [1, 1000, 1 << 20, file.len()] {
        let (out, split) = run(Compression::Gzip, &file, slice);
        assert!(out.unwrap() == text, "slices of {slice}");
        assert!(split, "slices of {slice}");
    }
}

#[test]
fn plain_gzip_stays_serial() {
    let text = csv_text(5_000);
    let file = gzip(&text);
    for slice in [1, 1000, file.len()] {
        let (out, split) = run(Compression::Gzip, &file, slice);
        assert!(out.unwrap() == text);
        assert!(!split);
    }
    // BGZF then a plain member: the rest goes serial.
    let mut mixed = bgzf(&text[..100_000]);
    mixed.extend(gzip(&text[100_000..]));
    let (out, split) = run(Compression::Gzip, &mixed, 4096);
    assert!(out.unwrap() == text);
    assert!(!split);
}

#[test]
fn a_bgzf_member_whose_size_lies_is_read_as_plain_gzip() {
    let text = csv_text(30_000);
    let file = bgzf(&text);
    let at = members(&file)[4];
    for delta in [-7i32, 9, 30_000] {
        let mut lying = file.clone();
        let size = u16::from_le_bytes([lying[at + 16], lying[at + 17]]) as i32 + delta;
        lying[at + 16..at + 18].copy_from_slice(&(size as u16).to_le_bytes());
        let (out, split) = run(Compression::Gzip, &lying, 4096);
        assert!(out.unwrap() == text, "size {delta:+}");
        assert!(!split);
    }
    // Lying about the last member, past the end of the file.
    let mut lying = file.clone();
    let last = *members(&file).last().unwrap();
    lying[last + 16..last + 18].copy_from_slice(&60_000u16.to_le_bytes());
    assert!(run(Compression::Gzip, &lying, 4096).0.unwrap() == text);
}

#[test]
fn damaged_and_truncated_bgzf_are_clear_errors() {
    let text = csv_text(30_000);
    let file = bgzf(&text);
    let at = members(&file)[3];
    let mut damaged = file.clone();
    damaged[at + 200..at + 216].fill(0);
    corrupt_says(run(Compression::Gzip, &damaged, 4096).0, "damaged");
    corrupt_says(
        run(Compression::Gzip, &file[..file.len() * 2 / 3], 4096).0,
        "stops before its end",
    );
}

fn zstd_frames(text: &[u8], frame: usize) -> Vec<u8> {
    text.chunks(frame)
        .flat_map(|chunk| zstd::encode_all(chunk, 1).unwrap())
        .collect()
}

#[test]
fn zstd_frames_and_skippable_frames_decode_in_parallel() {
    let text = csv_text(30_000);
    let mut file = zstd_frames(&text[..500_000], 100_000);
    // A skippable frame (pzstd writes one before each frame), then frames with
    // checksums and without a declared size (as a stream is compressed).
    file.extend_from_slice(&0x184D_2A53u32.to_le_bytes());
    file.extend_from_slice(&5u32.to_le_bytes());
    file.extend_from_slice(b"hello");
    for chunk in text[500_000..].chunks(150_000) {
        let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
        encoder.include_checksum(true).unwrap();
        encoder.write_all(chunk).unwrap();
        file.extend(encoder.finish().unwrap());
    }
    for slice in [1, 999, 1 << 20, file.len()] {
        let (out, split) = run(Compression::Zstd, &file, slice);
        assert!(out.unwrap() == text, "slices of {slice}");
        assert!(split, "slices of {slice}");
    }
}

#[test]
fn one_zstd_frame_and_damaged_frames() {
    let text = csv_text(10_000);
    let file = zstd::encode_all(&text[..], 3).unwrap();
    for slice in [1, 4096, file.len()] {
        assert!(run(Compression::Zstd, &file, slice).0.unwrap() == text);
    }
    let frames = zstd_frames(&text, 50_000);
    let mut damaged = frames.clone();
    let middle = damaged.len() / 2;
    damaged[middle..middle + 16].fill(0);
    corrupt_says(run(Compression::Zstd, &damaged, 4096).0, "damaged");
    corrupt_says(
        run(Compression::Zstd, &frames[..frames.len() - 100], 4096).0,
        "stops before its end",
    );
}

/// Bombs made of many units stop at the budget in the parallel path too.
#[test]
fn bombs_split_into_units_stop_at_the_budget() {
    let limit = 24 << 20;
    let zeros = vec![b'\n'; 4 << 20];
    let bombs = [
        (Compression::Bzip2, bzip2_level(&zeros, 1).repeat(40)),
        (Compression::Gzip, bgzf(&zeros[..0xff00 * 8]).repeat(80)),
        (
            Compression::Zstd,
            zstd::encode_all(&zeros[..], 19).unwrap().repeat(40),
        ),
    ];
    for (compression, bomb) in bombs {
        let mut decompressor =
            Decompressor::with_limit(compression, Collect::default(), limit).unwrap();
        let err = bomb
            .chunks(1 << 20)
            .try_for_each(|chunk| decompressor.push(chunk))
            .and_then(|()| decompressor.finish().map(|_| ()))
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::OutOfMemory, "{compression:?}: {err}");
        assert!(err.message().contains("decompression bomb"), "{err}");
    }
    // How far past the budget the units went.
    let mut decompressor =
        Decompressor::with_limit(Compression::Bzip2, Collect::default(), limit).unwrap();
    let bomb = bzip2_level(&zeros, 1).repeat(40);
    assert!(decompressor.push(&bomb).is_err());
    assert!(decompressor.is_split());
    let over = decompressor.bytes_out() - limit;
    assert!(
        over <= (rayon::current_num_threads() * output::STEP) as u64,
        "{over} bytes past the budget"
    );
}
