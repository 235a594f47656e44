// A GGUF on disk as a ByteSource for the command line. Not `fs.openAsBlob`: Node 20's Blob over
// a file reports its size modulo 2³² (a 5,046,513,920-byte file reads as 751,546,624), so every
// model over 4 GiB — a 7B at Q8_0, Llama-3-8B at Q4_K_M, any 13B — was refused as truncated.
// Positioned reads on one descriptor, kept open for the process's life (read lazily, like a File).
import { fstatSync, openSync, read } from 'node:fs';
import { basename } from 'node:path';
import type { ByteSource } from '../gguf/source';

const readAt = (fd: number, buf: Uint8Array, at: number, length: number, position: number) =>
  new Promise<number>((ok, fail) =>
    read(fd, buf, at, length, position, (e, n) => (e ? fail(e) : ok(n))),
  );

export function fileSource(path: string, name = basename(path)): ByteSource {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  return {
    name,
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(size, offset + length) - offset);
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const k = await readAt(fd, buf, got, n - got, offset + got);
        if (k === 0) break;
        got += k;
      }
      return got === n ? buf : buf.subarray(0, got);
    },
  };
}
