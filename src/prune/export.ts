// The pruned model as a GGUF the app and the CLI load back: the file's tensors with the pruned
// matrices replaced (in their own type where zero is exact, else re-encoded as F16: zero.ts; in
// the file's layout), its metadata with the pruning recorded (paramscope.prune.*) and
// `general.name` suffixed.
import { readTensorBytes, type GgufFile } from '../gguf/reader';
import { GgufValueType, tensorBytes, typeName } from '../gguf/types';
import { MATRICES, layerTensorName, matrixShape } from '../model/config';
import { llamaConfig } from '../model/read-config';
import { matrixSource, toFileRowOrder } from '../model/layout';
import type { PrunedTensor } from './zero';
import { meta, writeGguf } from '../gguf/writer';

/** The pruned model as a GGUF image: the file's tensors, the pruned ones replaced, its metadata
 * with the pruning recorded and `general.name` suffixed. */
export async function prunedGguf(
  file: GgufFile,
  tensors: Map<string, PrunedTensor>,
  record: {
    method: string;
    sparsity: number;
    allocation: string;
    layerSparsity: number[];
    /** N:M semi-structured ("2:4"), or null */
    pattern?: string | null;
  },
): Promise<Uint8Array> {
  const byFile = fileTensors(file, tensors);
  const kv = new Map(file.metadata);
  const name = (file.metadata.get('general.name')?.value as string | undefined) ?? 'model';
  kv.set(
    'general.name',
    meta.str(
      `${name} (pruned: ${record.method} ${record.pattern ?? record.sparsity}, ${record.allocation})`,
    ),
  );
  kv.set('paramscope.prune.method', meta.str(record.method));
  kv.set('paramscope.prune.sparsity', meta.f32(record.sparsity));
  kv.set('paramscope.prune.allocation', meta.str(record.allocation));
  if (record.pattern) kv.set('paramscope.prune.pattern', meta.str(record.pattern));
  kv.set('paramscope.prune.layer_sparsity', meta.arr(GgufValueType.FLOAT32, record.layerSparsity));
  // matrices re-encoded (their type had no exact 0): said in the metadata, once per type
  const reencoded = [...file.tensors.values()].filter(
    (t) => byFile.has(t.name) && byFile.get(t.name)!.type !== t.type,
  );
  if (reencoded.length)
    kv.set(
      'paramscope.prune.reencoded',
      meta.str(
        `${reencoded.length} pruned matrices (${[...new Set(reencoded.map((t) => typeName(t.type)))].join(', ')}) written as ${typeName(byFile.get(reencoded[0].name)!.type)}: no exact 0 in their blocks`,
      ),
    );
  const out = [];
  for (const t of file.tensors.values()) {
    const p = byFile.get(t.name);
    out.push({
      name: t.name,
      dims: t.dims,
      type: p?.type ?? t.type,
      raw: p?.bytes ?? (await readTensorBytes(file, t.name)),
    });
  }
  return writeGguf(kv, out);
}

/**
 * The pruned matrices (by layerTensorName, rows in the engine's order) as the file's tensors: q and
 * k rows back in NeoX order (Qwen2, Phi-3), Phi-3's q, k, v and gate, up each in its row block of
 * attn_qkv and ffn_up (src/model/layout.ts: the inverse of the reading).
 */
export function fileTensors(
  file: GgufFile,
  tensors: Map<string, PrunedTensor>,
): Map<string, PrunedTensor> {
  const c = llamaConfig(file);
  const out = new Map<string, PrunedTensor>();
  for (let l = 0; l < c.blockCount; l++)
    for (const m of MATRICES) {
      const p = tensors.get(layerTensorName(l, m));
      if (!p) continue;
      const s = matrixSource(c, l, m);
      const { I } = matrixShape(c, m);
      const rowBytes = tensorBytes(p.type, I);
      let t = out.get(s.tensor);
      if (!t) {
        const rows = file.tensors.get(s.tensor)!.dims[1];
        out.set(s.tensor, (t = { type: p.type, bytes: new Uint8Array(rows * rowBytes) }));
      }
      if (t.type !== p.type)
        throw new Error(
          `internal: ${s.tensor} gets ${typeName(p.type)} and ${typeName(t.type)} rows`,
        );
      t.bytes.set(toFileRowOrder(c, m, p.bytes), s.row * rowBytes);
    }
  return out;
}
