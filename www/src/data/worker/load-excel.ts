/**
 * Loads one sheet of an Excel workbook (or OpenDocument spreadsheet): the whole file goes
 * into the engine, which reads the sheet's cells from it in one call (a zip's directory
 * is at its end, so there is nothing to stream).
 */
import type { LoadOptions, WorkbookTable } from '../../engine/shared/api';
import { throwIfCancelled } from './jobs';
import type { LoadContext } from './load-context';

export async function loadExcel(ctx: LoadContext, file: File, options: LoadOptions): Promise<WorkbookTable> {
  ctx.progress({ phase: 'reading', bytesDone: 0, bytesTotal: file.size, rows: 0 });
  const bytes = new Uint8Array(await file.arrayBuffer());
  throwIfCancelled(ctx.jobId);
  ctx.progress({ phase: 'finishing', bytesDone: file.size, bytesTotal: file.size, rows: 0 });
  return ctx.runtime.engine.addExcel(ctx.name, bytes, options.excel, options.replace ?? false);
}
