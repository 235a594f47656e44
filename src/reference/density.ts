// Reference twin of shaders/density.wgsl: mean-first counts and histogram (src/analysis/density.ts).
export { MeanAccumulator as DensityReference } from '../analysis/density';
