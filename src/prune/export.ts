// The pruned model as a GGUF the app and the CLI load back: the file's tensors with the pruned
// matrices replaced (same types: zero is exact in each), its metadata with the pruning recorded
// (paramscope.prune.*) and `general.name` suffixed.
import { readTensorBytes, type GgufFile } from '../gguf/reader';
import { GgufValueType } from '../gguf/types';
import { meta, writeGguf } from '../gguf/writer';

/** The pruned model as a GGUF image: the file's tensors, the pruned ones replaced, its metadata
 * with the pruning recorded and `general.name` suffixed. */
export async function prunedGguf(
  file: GgufFile,
  tensors: Map<string, Uint8Array>,
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
  const out = [];
  for (const t of file.tensors.values())
    out.push({
      name: t.name,
      dims: t.dims,
      type: t.type,
      raw: tensors.get(t.name) ?? (await readTensorBytes(file, t.name)),
    });
  return writeGguf(kv, out);
}
