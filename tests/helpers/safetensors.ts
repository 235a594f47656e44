// Reads a safetensors file with tests/helpers/read_safetensors.py (Python's standard library: a
// reader that is not ours): metadata and every tensor's shape and values.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface ReadSafetensors {
  metadata: Record<string, string>;
  tensors: Record<string, { shape: number[]; values: number[] }>;
}

export async function readSafetensors(path: string): Promise<ReadSafetensors> {
  const { stdout } = await exec('python3', ['tests/helpers/read_safetensors.py', path], {
    maxBuffer: 1 << 28,
  });
  return JSON.parse(stdout);
}
