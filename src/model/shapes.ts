/**
 * Shape letters used in `// (T, C)` comments across shaders/, src/gpu/ops/ and src/reference/.
 *
 * - T: tokens in the sequence (BOS included)
 * - C: model width (`llama.embedding_length`)
 * - I: input features of a linear layer
 * - O: output features of a linear layer
 * - F: feed-forward width (`llama.feed_forward_length`)
 * - H: attention heads; Hkv: key/value heads (GQA); Dh: head dimension
 * - V: vocabulary size
 * - L: decoder layers
 */
export type ShapeLetter = 'T' | 'C' | 'I' | 'O' | 'F' | 'H' | 'Hkv' | 'Dh' | 'V' | 'L';

/** Dimensions of one linear layer `Y = X Wᵀ`: X (T, I), W (O, I), Y (T, O). */
export interface LinearDims {
  T: number;
  I: number;
  O: number;
}
