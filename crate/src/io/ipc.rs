//! Arrow IPC: how tables cross from the engine to the UI (one copy of the buffers, no
//! per-cell calls).

use arrow_array::RecordBatch;
use arrow_ipc::writer::StreamWriter;

use crate::error::{Error, Result};

/// Encodes a batch as an Arrow IPC stream, readable by `apache-arrow`'s `tableFromIPC`.
pub fn batch_to_ipc(batch: &RecordBatch) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut writer = StreamWriter::try_new(&mut bytes, &batch.schema())
        .map_err(|e| Error::internal("starting an IPC stream", e))?;
    writer
        .write(batch)
        .map_err(|e| Error::internal("writing an IPC batch", e))?;
    writer
        .finish()
        .map_err(|e| Error::internal("finishing an IPC stream", e))?;
    drop(writer);
    Ok(bytes)
}
