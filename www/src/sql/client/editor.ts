/**
 * The SQL editor: CodeMirror 6 with SQL highlighting, completion of table and column
 * names, Ctrl/Cmd+Enter to run, and error markers at the position the engine reports.
 */
import { sql, SQLDialect, StandardSQL } from '@codemirror/lang-sql';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';

import type { CatalogInfo } from '../../engine/shared/api';

/** Spark SQL as the editor sees it: backticks quote names, plus Spark's extra keywords. */
const SparkSQL = SQLDialect.define({
  ...StandardSQL.spec,
  identifierQuotes: '`',
  keywords: `${StandardSQL.spec.keywords ?? ''} div rlike ilike temporary temp view show tables describe replace semi anti`,
});

function sparkSql(schema: Record<string, string[]> = {}) {
  return sql({ dialect: SparkSQL, upperCaseKeywords: true, schema });
}

export class SqlEditor {
  readonly view: EditorView;
  /** Holds the SQL language support, replaced when the catalog changes. */
  private readonly language = new Compartment();

  constructor(parent: HTMLElement, initial: string, onRun: () => void) {
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: initial,
        extensions: [
          basicSetup,
          this.language.of(sparkSql()),
          lintGutter(),
          Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => (onRun(), true) }])),
          EditorView.contentAttributes.of({ 'aria-label': 'SQL query', 'data-testid': 'sql-editor' }),
        ],
      }),
    });
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  set text(value: string) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: value } });
  }

  /** Completion for the tables, views and columns the engine has now. */
  setCatalog(catalog: CatalogInfo): void {
    const schema: Record<string, string[]> = {};
    for (const table of catalog.tables) schema[table.name] = table.columns;
    for (const view of catalog.views) schema[view] = [];
    this.view.dispatch({ effects: this.language.reconfigure(sparkSql(schema)) });
  }

  /** Marks an error at 1-based `line` / `column` (or at the start), or clears the marks. */
  showError(message: string | undefined, line?: number, column?: number): void {
    const diagnostics: Diagnostic[] = [];
    if (message !== undefined) {
      const doc = this.view.state.doc;
      const lineInfo = doc.line(Math.min(Math.max(line ?? 1, 1), doc.lines));
      const from = Math.min(lineInfo.from + Math.max((column ?? 1) - 1, 0), lineInfo.to);
      const wordEnd = from + (/^\S+/.exec(doc.sliceString(from, lineInfo.to))?.[0].length ?? 0);
      diagnostics.push({ from, to: Math.max(wordEnd, from), severity: 'error', message });
    }
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
  }

  focus(): void {
    this.view.focus();
  }
}
