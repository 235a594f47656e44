// One-line definitions of the paper's terms, shown by the "?" beside each (components/Term.svelte).
// Formulas as in docs/METHOD.md.

export const PAPER_URL = 'https://arxiv.org/abs/2405.17799';
export const PAPER_CITATION =
  'Wang et al., “Exploring Activation Patterns of Parameters in Language Models”, arXiv 2405.17799';

export const GLOSSARY = {
  D: 'D: the largest logit at the last position (the model’s top next-token score); every score is a derivative of D.',
  A: 'A: a weight’s activation score, |∂D/∂W ⊙ W| (the metric |grad × W|; or |∂D/∂W|, Wanda’s |W|·‖X‖, |W|).',
  gamma:
    'γ: the activation threshold. A weight counts as activated by a set when its mean A over the set’s samples exceeds γ.',
  density:
    'Density: the fraction (or count) of a layer’s scored weights — its 7 matrices — whose mean A exceeds γ.',
  llmdcos:
    'LLMDcos: the cosine between two samples’ A over all weights of a layer; per pair of sets, one value per index pair (sample i of A with sample i of B).',
  pairing:
    'Pairing: which samples LLMDcos compares — the paper’s index pairs of two sets (Fig. 3), or every pair of sets and each set with itself, shifted by one (Fig. 6).',
  window:
    'Window: the layers whose LLMDcos is averaged for the set × set matrix (the paper uses the upper middle layers, ⌊L/2⌋…L−3).',
} as const;

export type GlossaryTerm = keyof typeof GLOSSARY;
