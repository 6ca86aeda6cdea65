/**
 * Errors that cross the worker boundary keep every field the engine put on them (the
 * generated `ErrorFields`: `code`, `row`, `column`, `step`, `line`, `col`), so the page can
 * tell a bad file from a crashed engine and the panel showing an error can point at the
 * row, the column, the query position or the pipeline step.
 */
import * as Comlink from 'comlink';

import type { ErrorCode, ErrorFields } from '../../contract';

export type { ErrorCode } from '../../contract';

/** Codes the page checks for by name (all codes are in the generated `ErrorCode`). */
export const CANCELLED = 'CANCELLED' satisfies ErrorCode;
export const ENGINE_CRASHED = 'ENGINE_CRASHED' satisfies ErrorCode;
export const UNSUPPORTED_FILE = 'UNSUPPORTED_FILE' satisfies ErrorCode;
export const OUT_OF_MEMORY = 'OUT_OF_MEMORY' satisfies ErrorCode;
export const COMPRESSED_CORRUPT = 'COMPRESSED_CORRUPT' satisfies ErrorCode;
export const NOT_STARTED = 'NOT_STARTED' satisfies ErrorCode;

/** An error with a stable code and, when known, where it points. */
export type CodedError = Error & ErrorFields;

export function codedError(code: ErrorCode, message: string): CodedError {
  const error = new Error(message) as CodedError;
  error.name = 'BrasaError';
  error.code = code;
  return error;
}

/** Where an error points, for a person (`row 3, column price`), if it points anywhere. */
export function errorPlace(error: CodedError): string | undefined {
  const parts = [
    error.step !== undefined && `step ${error.step}`,
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

/**
 * The fields of a coded error besides its message: every own enumerable property (the
 * engine sets them as plain data properties), so a field the engine adds reaches the page
 * without a list here to keep in step.
 */
export function errorFields(error: CodedError): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (key === 'name' || value === undefined || typeof value === 'function' || typeof value === 'object') continue;
    fields[key] = value;
  }
  return fields;
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
      if (isCodedError(value) && wire.isError && wire.value) Object.assign(wire.value, errorFields(value));
      return [serialized, transfer];
    },
    deserialize: original.deserialize,
  });
}
