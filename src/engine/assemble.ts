// Wraps a run's output in the results document (schema paramscope.results/1).
import { MATRICES, matrixShape, type LlamaConfig } from '../model/config';
import { RESULTS_SCHEMA, type Results } from '../analysis/results';
import type { RunOutput, RunRequest } from './types';

export function assembleResults(
  out: RunOutput,
  req: RunRequest,
  model: { name: string; file: string; config: LlamaConfig },
  engine: Results['engine'],
): Results {
  return {
    schema: RESULTS_SCHEMA,
    createdAt: new Date().toISOString(),
    engine,
    model: {
      ...model,
      matrixParameters: MATRICES.map((m) => {
        const { O, I } = matrixShape(model.config, m);
        return O * I;
      }),
    },
    settings: { metric: req.metric, maxTokens: req.maxTokens, thresholds: req.thresholds },
    matrices: [...MATRICES],
    sets: out.sets,
    pairs: out.pairs,
  };
}
