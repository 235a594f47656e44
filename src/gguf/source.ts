// Random access to a file's bytes without holding the whole file: a Blob/File read by slice(),
// or bytes already in memory. In Node, src/cli/file-source.ts reads a file by position (not
// `fs.openAsBlob`, whose Blob reports sizes over 4 GiB modulo 2³² in Node 20).

export interface ByteSource {
  /** shown in error messages */
  readonly name: string;
  readonly size: number;
  /** Reads [offset, offset + length) clamped to the end of the source. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function blobSource(blob: Blob, name: string): ByteSource {
  return {
    name,
    size: blob.size,
    async read(offset, length) {
      const end = Math.min(blob.size, offset + length);
      return new Uint8Array(await blob.slice(offset, end).arrayBuffer());
    },
  };
}

export function bytesSource(bytes: Uint8Array, name: string): ByteSource {
  return {
    name,
    size: bytes.byteLength,
    async read(offset, length) {
      return bytes.subarray(offset, Math.min(bytes.byteLength, offset + length));
    },
  };
}
