//! `brasa-datagen`: writes the synthetic telecom table as CSV, Parquet, compressed CSV,
//! JSON lines, one JSON array and/or a Hive-partitioned Parquet folder.
//!
//! ```text
//! cargo run --release --bin brasa-datagen -- --rows 1000000 --out target/bench-data
//!     [--seed 42] [--format csv,parquet,csv.gz,csv.bz2,csv.zst,json,json-array,parquet-folder]
//!     [--name telecom_1m]
//! ```
//!
//! The default is `csv,parquet`; `csv.gz` is the CSV compressed as `gzip` does by default
//! (level 6), `csv.bz2` as `bzip2` does (level 9, one stream of 900 KB blocks), `csv.zst`
//! as `pzstd` does (level 3, a frame per 8 MB of text, each with its checksum and after a
//! skippable frame giving its size); `json` is one object per line as `df.write.json`
//! writes it, `json-array` (`<name>.array.json`) the same objects as the elements of one
//! array, one per line (what Spark reads with `multiLine` and DuckDB-WASM's
//! `insertJSONFromPath` reads), and `parquet-folder` is the Parquet file's rows in ten files
//! of a tenth each, as `df.write.partitionBy("part")` lays them out
//! (`<name>_folder/part=p0/part-00000.parquet` ... `part=p9/`): the issue 18 benchmark of a
//! folder against one file of the same size.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::fs::File;
    use std::io::{BufWriter, Write};
    use std::path::{Path, PathBuf};

    use arrow_json::LineDelimitedWriter;
    use brasa::datagen::{telecom_batch, telecom_csv_header, telecom_schema, write_telecom_csv};
    use flate2::write::GzEncoder;
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::file::properties::WriterProperties;

    /// Rows generated and written at a time.
    const BLOCK_ROWS: usize = 65_536;
    /// Rows per Parquet row group: several groups per file so readers can parallelise
    /// the way they would on files written by Spark.
    const ROW_GROUP_ROWS: usize = 131_072;

    const FORMATS: [&str; 8] = [
        "csv",
        "parquet",
        "csv.gz",
        "csv.bz2",
        "csv.zst",
        "json",
        "json-array",
        "parquet-folder",
    ];
    /// Files of the `parquet-folder` format.
    const FOLDER_FILES: u64 = 10;

    struct Args {
        rows: u64,
        out: PathBuf,
        seed: u64,
        csv: bool,
        parquet: bool,
        csv_gz: bool,
        csv_bz2: bool,
        csv_zst: bool,
        json: bool,
        json_array: bool,
        parquet_folder: bool,
        name: Option<String>,
    }

    fn parse_args() -> Result<Args, String> {
        let mut args = Args {
            rows: 5_000,
            out: PathBuf::from("."),
            seed: 42,
            csv: true,
            parquet: true,
            csv_gz: false,
            csv_bz2: false,
            csv_zst: false,
            json: false,
            json_array: false,
            parquet_folder: false,
            name: None,
        };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            let mut value = || it.next().ok_or(format!("{flag} needs a value"));
            match flag.as_str() {
                "--rows" => args.rows = value()?.parse().map_err(|e| format!("--rows: {e}"))?,
                "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
                "--out" => args.out = PathBuf::from(value()?),
                "--name" => args.name = Some(value()?),
                "--format" => {
                    let formats = value()?;
                    let has = |name: &str| formats.split(',').any(|f| f == name);
                    (args.csv, args.parquet) = (has("csv"), has("parquet"));
                    (args.csv_gz, args.json) = (has("csv.gz"), has("json"));
                    (args.json_array, args.parquet_folder) =
                        (has("json-array"), has("parquet-folder"));
                    (args.csv_bz2, args.csv_zst) = (has("csv.bz2"), has("csv.zst"));
                    if let Some(unknown) = formats.split(',').find(|f| !FORMATS.contains(f)) {
                        return Err(format!(
                            "--format: unknown format {unknown} ({})",
                            FORMATS.join(", ")
                        ));
                    }
                }
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(args)
    }

    pub fn main() -> Result<(), Box<dyn std::error::Error>> {
        let args = parse_args()?;
        std::fs::create_dir_all(&args.out)?;
        let name = args
            .name
            .clone()
            .unwrap_or_else(|| format!("telecom_{}", args.rows));
        let blocks = (0..args.rows).step_by(BLOCK_ROWS).map(|first| {
            let count = BLOCK_ROWS.min((args.rows - first) as usize);
            (first, count)
        });
        if args.csv {
            let path = args.out.join(format!("{name}.csv"));
            write_csv(BufWriter::new(File::create(&path)?), &args, blocks.clone())?;
            println!("wrote {}", path.display());
        }
        if args.csv_gz {
            let path = args.out.join(format!("{name}.csv.gz"));
            let file = BufWriter::new(File::create(&path)?);
            let gzip = GzEncoder::new(file, flate2::Compression::default());
            write_csv(gzip, &args, blocks.clone())?.finish()?;
            println!("wrote {}", path.display());
        }
        if args.csv_bz2 {
            let path = args.out.join(format!("{name}.csv.bz2"));
            let file = BufWriter::new(File::create(&path)?);
            let bzip2 = bzip2::write::BzEncoder::new(file, bzip2::Compression::best());
            write_csv(bzip2, &args, blocks.clone())?.finish()?;
            println!("wrote {}", path.display());
        }
        if args.csv_zst {
            let path = args.out.join(format!("{name}.csv.zst"));
            let frames = ZstdFrames::new(BufWriter::new(File::create(&path)?));
            write_csv(frames, &args, blocks.clone())?.finish()?;
            println!("wrote {}", path.display());
        }
        if args.json {
            let path = args.out.join(format!("{name}.json"));
            write_json(&path, &args, blocks.clone())?;
            println!("wrote {}", path.display());
        }
        if args.json_array {
            let path = args.out.join(format!("{name}.array.json"));
            write_json_array(&path, &args, blocks.clone())?;
            println!("wrote {}", path.display());
        }
        if args.parquet {
            let path = args.out.join(format!("{name}.parquet"));
            write_parquet(&path, args.seed, blocks.clone())?;
            println!("wrote {}", path.display());
        }
        if args.parquet_folder {
            let folder = args.out.join(format!("{name}_folder"));
            for part in 0..FOLDER_FILES {
                let (start, end) = (
                    args.rows * part / FOLDER_FILES,
                    args.rows * (part + 1) / FOLDER_FILES,
                );
                let dir = folder.join(format!("part=p{part}"));
                std::fs::create_dir_all(&dir)?;
                let blocks = (start..end).step_by(BLOCK_ROWS).map(|first| {
                    let count = BLOCK_ROWS.min((end - first) as usize);
                    (first, count)
                });
                write_parquet(&dir.join("part-00000.parquet"), args.seed, blocks)?;
            }
            println!("wrote {} ({FOLDER_FILES} files)", folder.display());
        }
        Ok(())
    }

    /// Writes the rows of `blocks` as one Parquet file, zstd-compressed, several row groups.
    fn write_parquet(
        path: &Path,
        seed: u64,
        blocks: impl Iterator<Item = (u64, usize)>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let mut writer = ArrowWriter::try_new(File::create(path)?, telecom_schema(), Some(props))?;
        for (first, count) in blocks {
            writer.write(&telecom_batch(seed, first, count))?;
        }
        writer.close()?;
        Ok(())
    }

    /// Writes the header and every block as CSV lines; returns the writer, flushed.
    fn write_csv<W: Write>(
        mut out: W,
        args: &Args,
        blocks: impl Iterator<Item = (u64, usize)>,
    ) -> std::io::Result<W> {
        out.write_all(telecom_csv_header().as_bytes())?;
        for (first, count) in blocks {
            write_telecom_csv(&mut out, args.seed, first, count)?;
        }
        out.flush()?;
        Ok(out)
    }

    /// Text per zstd frame (`pzstd` at level 3: `1 << (windowLog + 2)`).
    const ZSTD_FRAME_TEXT: usize = 8 << 20;

    /// zstd as `pzstd` writes it: each frame compressed on its own, after a skippable
    /// frame holding its compressed size.
    struct ZstdFrames<W: Write> {
        out: W,
        text: Vec<u8>,
    }

    impl<W: Write> ZstdFrames<W> {
        fn new(out: W) -> Self {
            ZstdFrames {
                out,
                text: Vec::with_capacity(ZSTD_FRAME_TEXT),
            }
        }

        fn frame(&mut self) -> std::io::Result<()> {
            if self.text.is_empty() {
                return Ok(());
            }
            let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 3)?;
            encoder.include_checksum(true)?;
            encoder.include_contentsize(false)?;
            encoder.write_all(&self.text)?;
            let frame = encoder.finish()?;
            self.out.write_all(&0x184D_2A50u32.to_le_bytes())?;
            self.out.write_all(&4u32.to_le_bytes())?;
            self.out.write_all(&(frame.len() as u32).to_le_bytes())?;
            self.out.write_all(&frame)?;
            self.text.clear();
            Ok(())
        }

        fn finish(mut self) -> std::io::Result<W> {
            self.frame()?;
            self.out.flush()?;
            Ok(self.out)
        }
    }

    impl<W: Write> Write for ZstdFrames<W> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let take = bytes.len().min(ZSTD_FRAME_TEXT - self.text.len());
            self.text.extend_from_slice(&bytes[..take]);
            if self.text.len() == ZSTD_FRAME_TEXT {
                self.frame()?;
            }
            Ok(take)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Writes every block as JSON lines (a NULL field is left out, as Spark writes it).
    fn write_json(
        path: &Path,
        args: &Args,
        blocks: impl Iterator<Item = (u64, usize)>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let mut writer = LineDelimitedWriter::new(BufWriter::new(File::create(path)?));
        for (first, count) in blocks {
            writer.write(&telecom_batch(args.seed, first, count))?;
        }
        writer.finish()?;
        writer.into_inner().flush()?;
        Ok(())
    }

    /// The records of `write_json` as one JSON array: `[`, a record per line with commas
    /// between them, `]`.
    fn write_json_array(
        path: &Path,
        args: &Args,
        blocks: impl Iterator<Item = (u64, usize)>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let mut out = BufWriter::new(File::create(path)?);
        out.write_all(b"[")?;
        let mut first = true;
        for (start, count) in blocks {
            let mut writer = LineDelimitedWriter::new(Vec::new());
            writer.write(&telecom_batch(args.seed, start, count))?;
            writer.finish()?;
            for line in writer.into_inner().split(|&b| b == b'\n') {
                if line.is_empty() {
                    continue;
                }
                out.write_all(if first { b"\n" } else { b",\n" })?;
                out.write_all(line)?;
                first = false;
            }
        }
        out.write_all(b"\n]\n")?;
        out.flush()?;
        Ok(())
    }
}
