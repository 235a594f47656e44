// The pruned model as a GGUF the app and the CLI load back: the file's tensors with the pruned
// matrices replaced (in their own type where zero is exact, else re-encoded as F16: zero.ts), its metadata with the pruning recorded
// (paramscope.prune.*) and `general.name` suffixed.
import { readTensorBytes, type GgufFile } from '../gguf/reader';
import { GgufValueType, typeName } from '../gguf/types';
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
    (t) => tensors.has(t.name) && tensors.get(t.name)!.type !== t.type,
  );
  if (reencoded.length)
    kv.set(
      'paramscope.prune.reencoded',
      meta.str(
        `${reencoded.length} pruned matrices (${[...new Set(reencoded.map((t) => typeName(t.type)))].join(', ')}) written as ${typeName(tensors.get(reencoded[0].name)!.type)}: no exact 0 in their blocks`,
      ),
    );
  const out = [];
  for (const t of file.tensors.values()) {
    const p = tensors.get(t.name);
    out.push({
      name: t.name,
      dims: t.dims,
      type: p?.type ?? t.type,
      raw: p?.bytes ?? (await readTensorBytes(file, t.name)),
    });
  }
  return writeGguf(kv, out);
}
