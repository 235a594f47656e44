// The weight-type table (src/gguf/types.ts WEIGHT_TYPES): every entry has a decoder, a case in
// shaders/quant.wgsl's w_elem, finite f16 fields where the table says (a NaN written there is
// found; random blocks keep them finite), and zeroable exactly where pruning can write a 0.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BLOCK, GgmlType, tensorBytes, WEIGHT_TYPES, weightType } from '../../src/gguf/types';
import { dequantize } from '../../src/gguf/dequant';
import { firstNonFinite } from '../../src/gguf/finite';
import { randomTensorBytes } from '../../src/gguf/random-blocks';
import { GPU_WEIGHT_TYPES } from '../../src/gpu/ops/quant';
import { REENCODED, prunedTensor } from '../../src/prune/zero';
import { ZEROABLE } from '../../src/gguf/types';
import { pruneZero as zeroMasked } from '../../src/reference/prune_zero';

const quantWgsl = readFileSync(new URL('../../shaders/quant.wgsl', import.meta.url), 'utf8');
const wElem = quantWgsl.slice(quantWgsl.indexOf('fn w_elem('));

describe('the weight-type table', () => {
  it.each(WEIGHT_TYPES.map((k) => [GgmlType[k.type], k] as const))('%s', (_, k) => {
    const n = 2 * k.elements * (k.elements === 1 ? 256 : 1);
    expect(BLOCK[k.type]).toEqual({ elements: k.elements, bytes: k.bytes });
    expect(tensorBytes(k.type, n)).toBe((n / k.elements) * k.bytes);
    // a decoder and a GPU case
    const bytes = randomTensorBytes(k.type, n, 5);
    const w = dequantize(k.type, bytes, n);
    expect(w.every(Number.isFinite)).toBe(true);
    expect(GPU_WEIGHT_TYPES).toContain(k.type);
    expect(wElem).toMatch(new RegExp(`case ${k.type}u: \\{ // ${GgmlType[k.type]}\\b`));
    // each f16 field, set to NaN in the second block, is found there
    expect(firstNonFinite(k.type, bytes)).toBeNull();
    for (const f of k.f16Fields) {
      const bad = bytes.slice();
      bad[k.bytes + f] = 0xff;
      bad[k.bytes + f + 1] = 0x7f;
      expect(firstNonFinite(k.type, bad)).toMatchObject({ block: 1, value: 'NaN' });
    }
    // zeroable: pruning writes an exact 0 in the type's own bytes; the others' pruned matrices
    // are re-encoded as F16 (zeroMasked itself refuses them by name)
    expect(ZEROABLE.includes(k.type)).toBe(k.zeroable);
    const bits = Uint32Array.of(0b101);
    const p = prunedTensor('t', k.type, bytes, bits, n);
    expect(p.type).toBe(k.zeroable ? k.type : REENCODED);
    const z = dequantize(p.type, p.bytes, n);
    expect([z[0], z[2]]).toEqual([0, 0]);
    if (!k.zeroable)
      expect(() => zeroMasked('t', k.type, bytes, bits, n)).toThrow(
        /tensor "t": .* has no exact 0/,
      );
  });

  it('knows nothing of a type it does not read', () => {
    expect(weightType(GgmlType.Q8_K)).toBeUndefined();
    expect(BLOCK[GgmlType.Q8_K]).toBeUndefined();
  });
});
