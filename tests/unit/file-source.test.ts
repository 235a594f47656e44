// The command line's GGUF source (src/cli/file-source.ts): files over 4 GiB — a 7B at Q8_0,
// Llama-3-8B at Q4_K_M, any 13B — open with their true size and read at offsets past 2³²
// (Node 20's fs.openAsBlob reported such a file's size modulo 2³², and the reader refused it as
// truncated); and the model key the CLI computes equals the one the page computes from a File.
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  ftruncateSync,
  writeSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSource } from '../../src/cli/file-source';
import { modelArg } from '../../src/cli/common';
import { ggufHeader, meta } from '../../src/gguf/writer';
import { GgmlType } from '../../src/gguf/types';
import { readTensorBytes } from '../../src/gguf/reader';
import { modelKey } from '../../src/cache/keys';

describe('the command line reads GGUF files over 4 GiB', () => {
  it('opens a 5 GB file (sparse) with its true size and reads its last tensor bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paramscope-big-'));
    const path = join(dir, 'big.gguf');
    // one F32 tensor of 1.25 · 2³⁰ elements: 5 GiB of data after the header
    const tensors = [{ name: 'big.weight', dims: [1 << 20, 1280], type: GgmlType.F32 }];
    const { header, dataBytes } = ggufHeader([['general.alignment', meta.u32(32)]], tensors);
    const fd = openSync(path, 'w');
    writeSync(fd, header);
    ftruncateSync(fd, header.byteLength + dataBytes); // the data: a hole, read as zeros
    writeSync(fd, Uint8Array.of(1, 2, 3, 4), 0, 4, header.byteLength + dataBytes - 4);
    closeSync(fd);
    const size = header.byteLength + dataBytes;
    expect(size).toBeGreaterThan(2 ** 32);
    const source = fileSource(path);
    expect(source.size).toBe(size);
    const tail = await source.read(size - 8, 100); // clamped to the end
    expect([...tail]).toEqual([0, 0, 0, 0, 1, 2, 3, 4]);
    const { file } = await modelArg(path);
    const t = file.tensors.get('big.weight')!;
    expect(t.offset + t.bytes).toBe(size);
    const last = await readTensorBytes(file, 'big.weight', { start: t.bytes - 4, length: 4 });
    expect([...last]).toEqual([1, 2, 3, 4]);
  });

  it('keys a model as the page does (size and a hash of its first MiB)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paramscope-key-'));
    const path = join(dir, 'm.bin');
    const bytes = Uint8Array.from({ length: (1 << 20) + 1000 }, (_, i) => (i * 31) % 251);
    writeFileSync(path, bytes);
    const fromFile = await modelKey(fileSource(path));
    expect(fromFile).toBe(await modelKey(new Blob([readFileSync(path)])));
    expect(fromFile.startsWith(`${bytes.byteLength}:`)).toBe(true);
  });
});
