// A Llama config of a real model's kind at a size a test writes in milliseconds: the streamed
// fixture files' tests (src/model/fixture-file.ts).
import { LLAMA2_7B } from '../../src/gpu/synthetic';
import type { LlamaConfig } from '../../src/model/config';

export const SMALL_SHAPE: LlamaConfig = {
  ...LLAMA2_7B,
  name: 'small',
  embeddingLength: 128,
  blockCount: 2,
  feedForwardLength: 192,
  headCount: 4,
  headCountKv: 2,
  headDim: 32,
  ropeDims: 32,
  vocabSize: 400,
  contextLength: 256,
};
