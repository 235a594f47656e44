// Reference twin of shaders/dequant.wgsl (and of shaders/quant.wgsl's w_elem): the CPU decoders.
export { dequantize as dequantForward } from '../gguf/dequant';
