// Reading per-parameter scores files (docs/scores-format.md) for `npm run merge`: the header
// checked and bounded (src/scores/safetensors.ts), one matrix read at a time, in the engine's row
// order.
import { open, stat } from 'node:fs/promises';
import type { LlamaConfig, MatrixName } from '../model/config';
import { matrixShape } from '../model/config';
import { matrixSource, toEngineRowOrder } from '../model/layout';
import { headerLength, parseHeader, type SafeHeader } from '../scores/safetensors';

export interface ScoresFile {
  header: SafeHeader;
  matrix(l: number, m: MatrixName): Promise<Float32Array>;
  close(): Promise<void>;
}

export async function openScoresFile(path: string, c: LlamaConfig): Promise<ScoresFile> {
  const size = (await stat(path)).size;
  const fh = await open(path, 'r');
  const read = async (position: number, length: number) => {
    const b = new Uint8Array(length);
    const { bytesRead } = await fh.read(b, 0, length, position);
    if (bytesRead !== length) throw new Error(`${path}: ends early`);
    return b;
  };
  let header: SafeHeader;
  try {
    const n = headerLength(await read(0, 8), size);
    header = parseHeader(await read(8, n), size);
  } catch (e) {
    await fh.close();
    throw new Error(`${path}: not a scores file: ${(e as Error).message}`);
  }
  return {
    header,
    close: () => fh.close(),
    async matrix(l, m) {
      const { O, I } = matrixShape(c, m);
      const s = matrixSource(c, l, m);
      const t = header.tensors.find((x) => x.name === s.tensor);
      if (!t || t.shape.length !== 2 || t.shape[1] !== I || t.shape[0] < s.row + O)
        throw new Error(`${path}: no tensor ${s.tensor} of ${I} columns and ${s.row + O}+ rows`);
      const b = await read(header.dataStart + t.offsets[0] + s.row * I * 4, O * I * 4);
      return toEngineRowOrder(c, m, new Float32Array(b.buffer));
    },
  };
}
