// Streams a set's per-weight scores into a safetensors file (src/scores/layout.ts) one matrix at a
// time, at its place in the file, in whatever order the engine's layer walk finishes them: memory
// beyond one matrix's values is never needed. The file is a PositionedFile — Node's file handle
// (src/cli/scores-out.ts) or the browser's File System Access stream — written under a temporary
// name and given its final name only once every matrix is in (finish), removed on abort.
import { MATRICES, type LlamaConfig, type MatrixName } from '../model/config';
import { matrixWrite, scoresHeader, type ScoresMeta } from './layout';
import type { SafeHeader } from './safetensors';

export interface PositionedFile {
  /** writes `data` at byte `position` */
  write(position: number, data: Uint8Array): Promise<void>;
  /** the file complete: under its final name */
  finish(): Promise<void>;
  /** the file abandoned: nothing left under any name */
  abort(): Promise<void>;
}

export class ScoresWriter {
  private done = new Set<string>();

  private constructor(
    private c: LlamaConfig,
    readonly header: SafeHeader,
    private file: PositionedFile,
  ) {}

  /** A writer with the header already written. */
  static async open(c: LlamaConfig, meta: ScoresMeta, file: PositionedFile): Promise<ScoresWriter> {
    const { bytes, header } = scoresHeader(c, meta);
    await file.write(0, bytes);
    return new ScoresWriter(c, header, file);
  }

  /** Bytes of the whole file. */
  get size(): number {
    return this.header.dataStart + this.header.dataBytes;
  }

  async put(l: number, m: MatrixName, sums: Float32Array): Promise<void> {
    const { position, data } = matrixWrite(this.c, this.header, l, m, sums);
    await this.file.write(position, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.done.add(`${l}:${m}`);
  }

  /** Finishes the file; refuses (and removes it) if any matrix was never written. */
  async finish(): Promise<void> {
    const want = this.c.blockCount * MATRICES.length;
    if (this.done.size !== want) {
      await this.file.abort();
      throw new Error(`scores incomplete: ${this.done.size} of ${want} matrices written`);
    }
    await this.file.finish();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }
}
