/**
 * Downloading a table or result as the engine writes it (CSV or Parquet), and the one
 * choice a CSV download offers: escaping text a spreadsheet would run as a formula. Text
 * is written as it is by default, as Spark and DuckDB write it, so the file reads back to
 * the same values; the escape is the user's choice, remembered in this browser and the same
 * beside every CSV download of the page.
 */
import type { EngineClient } from '../../engine/client/engine-client';
import type { ExportFormat } from '../../engine/shared/api';
import { h } from '../../ui/dom';
import { downloadBytes } from '../../ui/download';
import { checkbox } from '../../ui/form';

const ESCAPE_KEY = 'brasa.csv.escapeFormulas';
const MEDIA_TYPES: Record<ExportFormat, string> = { csv: 'text/csv', parquet: 'application/vnd.apache.parquet' };

/** Whether CSV downloads escape formulas (the remembered choice; off when storage is not there). */
function escapeFormulas(): boolean {
  try {
    return localStorage.getItem(ESCAPE_KEY) === 'true';
  } catch {
    return false;
  }
}

/** Writes table `name` as `format` in the engine and saves it as `<fileStem>.<format>`. */
export async function downloadTable(engine: EngineClient, name: string, format: ExportFormat, fileStem = name): Promise<void> {
  const options = format === 'csv' ? { escapeFormulas: escapeFormulas() } : undefined;
  const bytes = await engine.exportTable(name, format, options);
  downloadBytes(bytes, `${fileStem}.${format}`, MEDIA_TYPES[format]);
}

/** The "escape for spreadsheets" checkbox shown beside a CSV download button. */
export function spreadsheetEscapeToggle(): HTMLElement {
  const box = checkbox('csv-escape-formulas', escapeFormulas());
  box.addEventListener('change', () => {
    try {
      localStorage.setItem(ESCAPE_KEY, String(box.checked));
    } catch {
      // Storage disabled (private windows): the choice holds until the page is reloaded.
    }
    // Every toggle on the page shows the one choice.
    for (const other of document.querySelectorAll<HTMLInputElement>('[data-testid="csv-escape-formulas"]')) other.checked = box.checked;
  });
  return h(
    'label',
    {
      className: 'csv-escape',
      attrs: { title: "Text starting with =, +, -, @, a tab or a carriage return gets a leading ' so a spreadsheet shows it instead of running it as a formula. The file then no longer reads back to the same text." },
    },
    box,
    ' escape for spreadsheets',
  );
}
