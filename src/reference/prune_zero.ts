// Reference twin of shaders/prune_zero.wgsl: the masked weights set to exactly 0 in a tensor's own
// bytes (the pruning's CPU path uses the same function).
export { zeroMasked as pruneZero } from '../prune/zero';
