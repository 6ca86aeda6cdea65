/**
 * A Spark ML param as a pipeline stage sets it: its name, its value, and whether Spark
 * declares it a double (`0` is then `0.0`, in a Python script as in Spark's saved
 * metadata, whose JSON reader refuses an integer for a double param). The PySpark export
 * and the Spark ML model export both write params from these lists, so a stage's params
 * are named in one place.
 */
import { py } from './python-literal';

export interface SparkParam {
  name: string;
  value: unknown;
  double: boolean;
}

/** `name=value` keyword arguments for a Python constructor. */
export function pyParams(params: SparkParam[]): string {
  return params.map((p) => `${p.name}=${py(p.value, p.double)}`).join(', ');
}
