/** Python source text for JSON-like values, for the exported PySpark scripts. */

/**
 * A Python literal for a JSON-like value (JSON strings are valid Python strings). With
 * `float`, whole numbers are written as floats (`0.0`), as a Spark param of type double
 * prints them.
 */
export function py(value: unknown, float = false): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return "float('nan')";
    if (!Number.isFinite(value)) return value > 0 ? "float('inf')" : "float('-inf')";
    return float && Number.isInteger(value) ? `${value}.0` : String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => py(v, float)).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${py(v)}`).join(', ')}}`;
}

/** `name=value` keyword arguments, leaving out the ones without a value. */
export function kwargs(args: [string, string | undefined][]): string {
  return args.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join(', ');
}
