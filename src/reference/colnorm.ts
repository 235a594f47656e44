// Reference twin of shaders/colnorm.wgsl.
export { columnNorms as colnormForward } from '../analysis/metrics';
