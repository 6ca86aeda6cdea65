/** What every benchmark script shares: the median, the machine line and the result files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT } from '../e2e/harness';

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const machine = (): string =>
  `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Chromium (headless)`;

/** Prints the Markdown table and writes target/bench-results/<name>.{json,md}. */
export function writeResults(name: string, data: unknown, lines: string[]): void {
  console.log(`\n${lines.join('\n')}`);
  const out = path.join(ROOT, 'target/bench-results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, `${name}.json`), JSON.stringify(data, null, 2));
  writeFileSync(path.join(out, `${name}.md`), `${lines.join('\n')}\n`);
}
