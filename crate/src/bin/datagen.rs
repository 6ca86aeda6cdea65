//! `brasa-datagen`: writes the synthetic telecom table as CSV and/or Parquet.
//!
//! ```text
//! cargo run --release --bin brasa-datagen -- --rows 1000000 --out target/bench-data
//!     [--seed 42] [--format csv,parquet] [--name telecom_1m]
//! ```

#[cfg(not(target_arch = "wasm32"))]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::fs::File;
    use std::io::BufWriter;
    use std::path::PathBuf;

    use brasa::datagen::{telecom_batch, telecom_csv_header, telecom_schema, write_telecom_csv};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::file::properties::WriterProperties;

    /// Rows generated and written at a time.
    const BLOCK_ROWS: usize = 65_536;
    /// Rows per Parquet row group: several groups per file so readers can parallelise
    /// the way they would on files written by Spark.
    const ROW_GROUP_ROWS: usize = 131_072;

    struct Args {
        rows: u64,
        out: PathBuf,
        seed: u64,
        csv: bool,
        parquet: bool,
        name: Option<String>,
    }

    fn parse_args() -> Result<Args, String> {
        let mut args = Args {
            rows: 5_000,
            out: PathBuf::from("."),
            seed: 42,
            csv: true,
            parquet: true,
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
                    args.csv = formats.split(',').any(|f| f == "csv");
                    args.parquet = formats.split(',').any(|f| f == "parquet");
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
            let mut out = BufWriter::new(File::create(&path)?);
            use std::io::Write;
            out.write_all(telecom_csv_header().as_bytes())?;
            for (first, count) in blocks.clone() {
                write_telecom_csv(&mut out, args.seed, first, count)?;
            }
            out.flush()?;
            println!("wrote {}", path.display());
        }
        if args.parquet {
            let path = args.out.join(format!("{name}.parquet"));
            let props = WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::default()))
                .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
                .build();
            let mut writer =
                ArrowWriter::try_new(File::create(&path)?, telecom_schema(), Some(props))?;
            for (first, count) in blocks {
                writer.write(&telecom_batch(args.seed, first, count))?;
            }
            writer.close()?;
            println!("wrote {}", path.display());
        }
        Ok(())
    }
}
