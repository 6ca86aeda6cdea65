/**
 * The zipped folder reader (`www/src/data/worker/zip-archive.ts`): entries listed from
 * the directory with the sizes they declare, stored ones sliced and deflated ones
 * inflated one at a time to the bytes fflate zipped, a directory that declares more than
 * the engine holds refused before anything is inflated, an entry whose header
 * understates its size stopped as it inflates, and a truncated archive refused as
 * damaged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { zipSync } from 'fflate';

import { checkDeclaredSize, listZip, openEntry } from '../../www/src/data/worker/zip-archive';

const text = (s: string) => new TextEncoder().encode(s);
const blobOf = (bytes: Uint8Array) => new Blob([bytes as Uint8Array<ArrayBuffer>]);

/** Where an entry's uncompressed size is in the central directory (after its signature). */
function patchDeclaredSize(zip: Uint8Array, size: number): Uint8Array {
  const patched = zip.slice();
  const view = new DataView(patched.buffer);
  for (let at = patched.length - 22; at >= 0; at--) {
    if (view.getUint32(at, true) === 0x02014b50) view.setUint32(at + 24, size, true);
  }
  return patched;
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  assert.fail('expected an error');
}

describe('zip archive', () => {
  const big = text('id,name\n' + Array.from({ length: 20_000 }, (_, i) => `${i},name ${i % 7}`).join('\n') + '\n');
  const files = {
    'sales/_SUCCESS': new Uint8Array(),
    'sales/year=2024/part-0.csv': big,
    'sales/year=2025/part-0.csv': [text('id,name\n1,a\n'), { level: 0 }] as [Uint8Array, { level: 0 }],
  };
  const zip = zipSync(files, { level: 9 });

  it('lists entries with their declared sizes and opens each to its bytes', async () => {
    const entries = await listZip(blobOf(zip), 'sales.zip');
    assert.deepEqual(
      entries.map((e) => [e.path, e.size, e.method]),
      [
        ['sales/_SUCCESS', 0, 8],
        ['sales/year=2024/part-0.csv', big.length, 8],
        ['sales/year=2025/part-0.csv', 12, 0],
      ],
    );
    assert.ok(entries[1].compressedSize < big.length / 3);
    for (const entry of entries) {
      const bytes = new Uint8Array(await (await openEntry(blobOf(zip), entry, 'sales.zip')).arrayBuffer());
      const expected = entry.method === 0 && entry.size > 0 ? text('id,name\n1,a\n') : entry.size > 0 ? big : new Uint8Array();
      assert.deepEqual(bytes, expected, entry.path);
    }
  });

  it('refuses what would not fit before inflating anything', async () => {
    const entries = await listZip(blobOf(patchDeclaredSize(zip, 0xf0000000)), 'bomb.zip');
    assert.equal(entries[1].size, 0xf0000000);
    const error = (() => {
      try {
        checkDeclaredSize(entries, 3 * 2 ** 30, 'bomb.zip');
      } catch (e) {
        return e as Error & { code?: string };
      }
      assert.fail('expected an error');
    })();
    assert.equal(error.code, 'OUT_OF_MEMORY');
    assert.match(error.message, /^bomb\.zip declares 11\.3 GB of files once unzipped, .*decompression bomb/);
    checkDeclaredSize(await listZip(blobOf(zip), 'sales.zip'), 3 * 2 ** 30, 'sales.zip');
  });

  it('stops an entry that inflates past the size its header declares', async () => {
    const lying = patchDeclaredSize(zipSync({ 'a/part-0.csv': big }, { level: 9 }), 1000);
    const [entry] = await listZip(blobOf(lying), 'lying.zip');
    const error = await errorOf(openEntry(blobOf(lying), entry, 'lying.zip'));
    assert.equal(error.code, 'OUT_OF_MEMORY');
    assert.match(error.message, /a\/part-0\.csv in lying\.zip inflates to more than the 1000 B its zip header declares/);
  });

  it('refuses a truncated archive or a damaged entry as damaged', async () => {
    const truncated = await errorOf(listZip(blobOf(zip.subarray(0, zip.length >> 1)), 'cut.zip'));
    assert.equal(truncated.code, 'COMPRESSED_CORRUPT');
    assert.match(truncated.message, /cut\.zip could not be unzipped: its directory .* is missing/);
    // Noise in the middle of the deflated entry.
    const entries = await listZip(blobOf(zip), 'noisy.zip');
    const noisy = zip.slice();
    noisy.fill(0xff, entries[1].headerOffset + 80, entries[1].headerOffset + 400);
    const damaged = await errorOf(openEntry(blobOf(noisy), entries[1], 'noisy.zip'));
    assert.equal(damaged.code, 'COMPRESSED_CORRUPT');
    assert.match(damaged.message, /noisy\.zip could not be unzipped: sales\/year=2024\/part-0\.csv (does not inflate|inflates to)/);
  });
});
