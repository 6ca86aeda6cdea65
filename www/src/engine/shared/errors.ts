/**
 * Errors that cross the worker boundary keep their engine `code` (and `row` / `column`),
 * so the page can tell a bad file from a crashed engine.
 */
import * as Comlink from 'comlink';

/** Codes raised by the page and worker themselves (the engine's are in error.rs). */
export const CANCELLED = 'CANCELLED';
export const ENGINE_CRASHED = 'ENGINE_CRASHED';
export const UNSUPPORTED_FILE = 'UNSUPPORTED_FILE';
export const OUT_OF_MEMORY = 'OUT_OF_MEMORY';

/** An error with a stable code, as raised by the engine or its worker. */
export interface CodedError extends Error {
  code: string;
  /** Data row and column name, for errors in a file. */
  row?: number;
  column?: string;
  /** 1-based line and column in a SQL query. */
  line?: number;
  col?: number;
}

/** The fields of a coded error that cross the worker boundary besides the message. */
const CODED_FIELDS = ['code', 'row', 'column', 'line', 'col'] as const;

export function codedError(code: string, message: string): CodedError {
  const error = new Error(message) as CodedError;
  error.name = 'BrasaError';
  error.code = code;
  return error;
}

/** Where an error points, for a person (`row 3, column price`), if it points anywhere. */
export function errorPlace(error: CodedError): string | undefined {
  const parts = [
    error.row !== undefined && `row ${error.row.toLocaleString('en-US')}`,
    error.column !== undefined && `column ${error.column}`,
    error.line !== undefined && `line ${error.line}, column ${error.col}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

export function isCodedError(value: unknown): value is CodedError {
  return value instanceof Error && typeof (value as Partial<CodedError>).code === 'string';
}

/**
 * Whether an error means the engine instance is broken: a wasm trap (a panic aborts
 * with `unreachable`), or anything that is not one of our coded errors.
 */
export function isEngineFailure(value: unknown): boolean {
  if (isCodedError(value)) return value.code === ENGINE_CRASHED;
  return true;
}

/** Makes Comlink carry the coded fields of thrown errors (worker side). */
export function keepErrorCodesAcrossComlink(): void {
  const original = Comlink.transferHandlers.get('throw');
  if (!original) return;
  Comlink.transferHandlers.set('throw', {
    canHandle: original.canHandle,
    serialize(thrown: unknown) {
      const [serialized, transfer] = original.serialize(thrown);
      const value = (thrown as { value: unknown }).value;
      const wire = serialized as { isError?: boolean; value?: Record<string, unknown> };
      if (isCodedError(value) && wire.isError && wire.value) {
        for (const field of CODED_FIELDS) {
          if (value[field] !== undefined) wire.value[field] = value[field];
        }
      }
      return [serialized, transfer];
    },
    deserialize: original.deserialize,
  });
}
