// Reference twin of shaders/f16_round.wgsl: f32 values as half bits (round to nearest even), two
// per u32 word, and how many lie beyond F16's range.
import { f32ToF16 } from '../gguf/half';

export function f16Round(x: Float32Array): { words: Uint32Array; beyond: number } {
  const words = new Uint32Array(Math.ceil(x.length / 2));
  let beyond = 0;
  for (let e = 0; e < x.length; e++) {
    words[e >> 1] |= f32ToF16(x[e]) << (16 * (e & 1));
    if (!(Math.abs(x[e]) <= 65504)) beyond++;
  }
  return { words, beyond };
}
