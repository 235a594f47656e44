// LLMDcos of two inputs at one layer (docs/METHOD.md §3): Σ|s_a ⊙ s_b| / (‖s_a‖·‖s_b‖) over the 7
// matrices concatenated. Kept as mergeable partial sums (dot, aa, bb) per matrix.

export interface CosParts {
  dot: number;
  aa: number;
  bb: number;
}

export function cosParts(a: ArrayLike<number>, b: ArrayLike<number>): CosParts {
  if (a.length !== b.length) throw new Error(`LLMDcos: lengths ${a.length} and ${b.length}`);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += Math.abs(a[i] * b[i]);
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return { dot, aa, bb };
}

export function addParts(x: CosParts, y: CosParts): CosParts {
  return { dot: x.dot + y.dot, aa: x.aa + y.aa, bb: x.bb + y.bb };
}

/** The cosine from partial sums; 0 when either vector is all zeros. */
export function cosFromParts(p: CosParts): number {
  const n = Math.sqrt(p.aa) * Math.sqrt(p.bb);
  return n > 0 ? p.dot / n : 0;
}

/** LLMDcos over several matrices (one layer's 7). */
export function llmdcos(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let p: CosParts = { dot: 0, aa: 0, bb: 0 };
  a.forEach((am, i) => (p = addParts(p, cosParts(am, b[i]))));
  return cosFromParts(p);
}

export function meanOverLayers(perLayer: number[], [from, to]: [number, number]): number {
  let s = 0;
  for (let l = from; l <= to; l++) s += perLayer[l];
  return s / (to - from + 1);
}
