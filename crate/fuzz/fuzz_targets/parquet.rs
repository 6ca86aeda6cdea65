//! The Parquet reader on arbitrary bytes: a corrupt file is an error, never a panic, an
//! abort or an allocation the file's size does not justify.
#![no_main]

use brasa::frame::display_batch;
use brasa::io::parquet::read_parquet;
use brasa::ErrorCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match read_parquet(data.to_vec()) {
        Ok((table, _)) => {
            let rows = table
                .window(0, table.num_rows().min(1_000))
                .expect("a window");
            display_batch(&rows).expect("rows can be shown");
        }
        Err(e) => assert_ne!(e.code(), ErrorCode::Internal, "{}", e.message()),
    }
});
