import { BufferPool } from './pool';
import type { GpuProfiler } from './profiler';

// A device plus the things every op needs: a pipeline cache, uniform buffers kept per content,
// named scratch buffers (the old ones freed after the next submit),
// storage-buffer helpers and read-back. Ops record into a command encoder; nothing here waits per op.

/** Numeric precision of the linears: f32 throughout, or f16 operands with f32 sums. */
export type Precision = 'f32' | 'f16';

/**
 * A byte range of a storage buffer, bound in the buffer's place (one sample's rows of a batch);
 * `offset` a multiple of the device's minStorageBufferOffsetAlignment.
 */
export interface BufferSlice {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}
/** `count` f32 values of a buffer to read back, from `offset` (f32 values; default 0). */
export interface ReadItem {
  buffer: GPUBuffer;
  count: number;
  offset?: number;
}
/** What a dispatch binds: a whole buffer or a slice of one. */
export type Bound = GPUBuffer | BufferSlice;
export const isSlice = (b: Bound): b is BufferSlice => (b as BufferSlice).offset !== undefined;

export interface GpuOptions {
  /**
   * the workgroup-tiled linear kernels and the workgroup attention kernels (real GPUs; slower
   * than the simple ones on software adapters)
   */
  tiledLinear?: boolean;
  /** the tiled score kernels (faster everywhere, SwiftShader included: 3–5× there) */
  tiledScore?: boolean;
  /** workgroups split-K aims for in the tiled linears (benchmarks; default in ops/linear.ts) */
  splitTarget?: number;
  /**
   * the f16 path: the linears (forward, backward) take f16 operands and accumulate in f32.
   * Needs the device feature shader-f16. With `matrix`, the score's ∂D/∂W for the gradient
   * metrics too (formed on tensor cores, then scored; sample pairs stay on the f32 kernel);
   * without, the score stays f32. Measured: bench/results/README.md.
   */
  f16?: boolean;
  /**
   * with `f16`: those GEMMs on subgroup matrices (tensor cores). Needs the device features
   * chromium-experimental-subgroup-matrix with an f16 16 × 16 × 16 configuration and 32-wide
   * subgroups (AdapterSummary.features.matrixF16).
   */
  matrix?: boolean;
  /**
   * with `tiledLinear`: the 16-row block attention kernels where the head dimension allows
   * (default); false keeps the workgroup-per-row ones (tests)
   */
  blockAttention?: boolean;
  /** a batch's sequences in one dispatch of the block attention kernels (default on; false: one dispatch each, for comparison) */
  stackAttention?: boolean;
  /**
   * with `matrix` and f16: the attention forward on subgroup matrices (shaders/attention_mm.wgsl;
   * default on; false keeps the block kernels, for comparison)
   */
  matrixAttention?: boolean;
  /** side of the f32 tiled linears' output tiles, 64 or 128 (default in ops/linear.ts) */
  linearTile?: number;
  /** the matrix kernels' tile, a key of MATRIX_TILES (benchmarks; default in ops/linear.ts) */
  matrixTile?: string;
  /**
   * with `matrix`: the score's ∂D/∂W scored in the kernel that forms it (default); false stores
   * it and scores it in a second kernel (benchmarks: the comparison)
   */
  fusedScore?: boolean;
  /**
   * a batch's samples of one set scored in one kernel and folded into the set's sums once: true
   * always, false never; by default on subgroup matrices up to FOLD_MAX_T tokens (src/gpu/ops/score.ts
   * foldsScore: where it measured faster on an H100), not on the f32 kernels (measured slower)
   */
  foldScore?: boolean;
  /** with `matrix`: the score kernel's tile, a key of SCORE_TILES (benchmarks; default in ops/score.ts) */
  scoreTile?: string;
  /**
   * with `matrix`: the score kernel's operands dY and X packed to f16 in storage first
   * (shaders/linear_pack.wgsl), so that each tile stages half the bytes and converts nothing
   * (the default; false: staged from f32 as before, for comparison; the memory estimate counts
   * its scratch)
   */
  scoreF16Operands?: boolean;
  /**
   * f16 without subgroup matrices: the linears sum 16-long runs in packed f16 arithmetic
   * (shaders/linear_f16p.wgsl; optionsFor's default there; false: shaders/linear_f16.wgsl's f32
   * multiply-adds, for comparison)
   */
  f16Packed?: boolean;
}

/**
 * Options that suit an adapter: tiled kernels, except linear and attention on software adapters;
 * with precision f16, the f16 path (subgroup matrices where the adapter has usable ones). Throws
 * when f16 is asked of an adapter without shader-f16.
 */
export function optionsFor(
  summary: {
    isFallbackAdapter: boolean;
    architecture: string;
    description: string;
    features?: { shaderF16: boolean; matrixF16: boolean };
  },
  precision: Precision = 'f32',
): GpuOptions {
  const options: GpuOptions = { tiledLinear: !isSoftwareAdapter(summary), tiledScore: true };
  if (precision === 'f16') {
    if (!summary.features?.shaderF16) {
      throw new Error(
        `precision f16 needs the WebGPU feature shader-f16, which this adapter (${summary.description || summary.architecture || 'unnamed'}) does not offer; use precision f32`,
      );
    }
    options.f16 = true;
    options.matrix = summary.features.matrixF16;
    // without subgroup matrices the linears sum 16-long runs in packed f16 (shaders/linear_f16p.wgsl):
    // on an H100 1.3× the f32-multiply-add f16 kernel, level with stock f32
    options.f16Packed = !options.matrix;
  }
  return options;
}

/** Whether an adapter is a CPU implementation (fallback, SwiftShader, llvmpipe / lavapipe). */
export function isSoftwareAdapter(summary: {
  isFallbackAdapter: boolean;
  architecture: string;
  description: string;
}): boolean {
  return (
    summary.isFallbackAdapter ||
    /swiftshader|llvmpipe|lavapipe/i.test(`${summary.architecture} ${summary.description}`)
  );
}

/** What the f16 path of `options` runs on, for reports: f32, f16, or f16 on subgroup matrices. */
export function precisionLabel(options: GpuOptions): string {
  if (!options.f16) return 'f32';
  return options.matrix ? 'f16 (subgroup matrices)' : 'f16';
}

/**
 * The open compute pass of each encoder (module-wide: contexts on one device share encoders, e.g.
 * a test's ops context and its reading one).
 */
const openPasses = new WeakMap<GPUCommandEncoder, GPUComputePassEncoder>();

/** Readback buffers a context keeps for reuse, at most. */
const MAX_STAGING = 16;

/** storage() requests of this size or more free the pool first (see storage). */
export const POOL_TRIM_BYTES = 16 * 2 ** 20;

/** One pool per device, shared by every context made on it (a run's and a flow's alike). */
const pools = new WeakMap<GPUDevice, BufferPool>();
function poolOf(device: GPUDevice): BufferPool {
  let p = pools.get(device);
  if (!p) {
    p = new BufferPool(device);
    pools.set(device, p);
  }
  return p;
}

/** Entries each cache (uniform buffers, bind groups) holds at most. */
const MAX_CACHED = 20000;

/**
 * Pipelines compiled on a device, shared by every context on it (keyed by the WGSL source, entry
 * point and constants): a second context — a model loaded again, the f16 path's context, a test's
 * variant — reuses them. Software adapters take seconds per pipeline (LLVM); real GPUs less, but
 * still not nothing. Contexts keep their own name-keyed map in front, so a dispatch never hashes
 * the source.
 */
const compiled = new WeakMap<
  GPUDevice,
  { modules: Map<string, GPUShaderModule>; pipelines: Map<string, GPUComputePipeline> }
>();

function devicePipeline(
  device: GPUDevice,
  label: string,
  code: string,
  entryPoint: string,
  constants?: Record<string, number>,
): GPUComputePipeline {
  let c = compiled.get(device);
  if (!c) compiled.set(device, (c = { modules: new Map(), pipelines: new Map() }));
  let module = c.modules.get(code);
  if (!module) {
    module = device.createShaderModule({ label: label.split(':')[0], code });
    c.modules.set(code, module);
  }
  const key = `${entryPoint}:${JSON.stringify(constants ?? {})}\n${code}`;
  let p = c.pipelines.get(key);
  if (!p) {
    p = device.createComputePipeline({
      label,
      layout: 'auto',
      compute: { module, entryPoint, constants },
    });
    c.pipelines.set(key, p);
  }
  return p;
}

/**
 * `code` after `const NAME: u32 = Vu;` for each of `constants`: the one place a shader's tile
 * sizes are set (its header names them). Not WGSL `override`s: those cannot size the per-invocation
 * register arrays the tiled kernels keep (function-scope and struct arrays need const sizes).
 */
/** The largest buffer the device can create and bind as storage. */
export const bindingLimit = (limits: GPUSupportedLimits): number =>
  Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);

/** The bits of an f32, for uniform words. */
export function f32Bits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0];
}

export function withConstants(code: string, constants: Record<string, number>): string {
  const lines = Object.entries(constants).map(([k, v]) => {
    if (!Number.isInteger(v) || v < 0) throw new Error(`shader constant ${k} = ${v}: not a u32`);
    return `const ${k}: u32 = ${v}u;\n`;
  });
  return `${lines.join('')}${code}`;
}

/**
 * The `@workgroup_size` of entry point `entry` in a WGSL source, its identifiers resolved from the
 * source's `const NAME: u32 = Nu;` declarations: the dispatch code reads the size from the shader
 * instead of writing it a second time.
 */
export function workgroupSize(code: string, entry: string): [number, number, number] {
  const m = new RegExp(`@workgroup_size\\(([^)]*)\\)\\s*fn\\s+${entry}\\s*\\(`).exec(code);
  if (!m) throw new Error(`no @compute @workgroup_size(…) fn ${entry} in the shader`);
  const value = (term: string): number => {
    const t = term.trim();
    if (/^\d+u?$/.test(t)) return parseInt(t, 10);
    const c = new RegExp(`const\\s+${t}\\s*:\\s*u32\\s*=\\s*(\\d+)u\\s*;`).exec(code);
    if (!c) throw new Error(`workgroup size ${t} of ${entry}: not a literal or a u32 const`);
    return parseInt(c[1], 10);
  };
  const [x, y = '1', z = '1'] = m[1].split(',');
  return [value(x), value(y), value(z)];
}

const declared = new Map<string, Map<string, number>>();

/** The binding number of each `@group(0) @binding(n) var<…> name` declaration of a WGSL source. */
export function bindingsOf(code: string): Map<string, number> {
  let m = declared.get(code);
  if (!m) {
    m = new Map();
    for (const d of code.matchAll(/@group\(0\)\s*@binding\((\d+)\)\s*var(?:<[^>]*>)?\s+(\w+)/g))
      m.set(d[2], Number(d[1]));
    declared.set(code, m);
  }
  return m;
}

export class GpuContext {
  /** when set, every dispatch is timed (benchmarks) */
  profiler: GpuProfiler | null = null;
  /** the last run's storage buffers, kept for the next run (src/gpu/runtime/pool.ts) */
  readonly pool: BufferPool;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private transient: GPUBuffer[] = [];
  /** readback buffers free for reuse */
  private freeStaging: GPUBuffer[] = [];
  private readonly uniforms = new Map<string, GPUBuffer>();
  private readonly scratches = new Map<string, GPUBuffer>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
  /** binding number by variable name, for each pipeline (from its WGSL declarations) */
  private readonly slots = new WeakMap<GPUComputePipeline, Map<string, number>>();
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private nextId = 1;

  constructor(
    readonly device: GPUDevice,
    readonly options: GpuOptions = {},
  ) {
    this.pool = poolOf(device);
  }

  /**
   * The compute pipeline for `entryPoint` of the WGSL source `code`, compiled once per device
   * (and per set of override `constants`, e.g. the weight type QTYPE).
   */
  pipeline(
    name: string,
    code: string,
    entryPoint: string,
    constants?: Record<string, number>,
  ): GPUComputePipeline {
    const key = `${name}:${entryPoint}:${JSON.stringify(constants ?? {})}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = devicePipeline(this.device, key, code, entryPoint, constants);
      this.pipelines.set(key, p);
      this.slots.set(p, bindingsOf(code));
    }
    return p;
  }

  /** A uniform buffer holding `words` (u32), freed at the next `submit`. */
  uniform(words: ArrayLike<number>): GPUBuffer {
    const data = new Uint32Array(Math.ceil(words.length / 4) * 4);
    data.set(words);
    // the same few dims recur in every layer and sample: one buffer per content, kept
    const key = data.join(',');
    let buf = this.uniforms.get(key);
    if (!buf) {
      buf = this.device.createBuffer({
        size: data.byteLength,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      this.device.queue.writeBuffer(buf, 0, data);
      if (this.uniforms.size >= MAX_CACHED) this.transient.push(buf);
      else this.uniforms.set(key, buf);
    }
    return buf;
  }

  /**
   * A scratch storage buffer of at least `bytes`, kept per name and grown when asked for more
   * (the old one is freed after the next submit). For ops' temporaries within one encoder.
   */
  scratch(name: string, bytes: number): GPUBuffer {
    const have = this.scratches.get(name);
    if (have && have.size >= bytes) return have;
    if (have) this.transient.push(have);
    const b = this.storage(Math.max(bytes, (have?.size ?? 0) * 2), name);
    this.scratches.set(name, b);
    return b;
  }

  /** Forgets cached bind groups (they hold their buffers); call after freeing a run's buffers. */
  forgetBindGroups(): void {
    this.bindGroups.clear();
  }

  private idOf(b: GPUBuffer): number {
    let id = this.ids.get(b);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(b, id);
    }
    return id;
  }

  /**
   * A storage buffer of `byteLength` bytes (rounded up to 4), zero-filled. One of POOL_TRIM_BYTES
   * or more first frees the pool (the last run's buffers kept for reuse), so that memory held for
   * a next run never adds to another flow's peak (perplexity, pruning, calibration).
   */
  storage(byteLength: number, label?: string): GPUBuffer {
    if (byteLength >= POOL_TRIM_BYTES) this.pool.trim();
    return this.device.createBuffer({
      label,
      size: Math.max(4, Math.ceil(byteLength / 4) * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }

  /** A storage buffer filled with `data`. */
  upload(data: Float32Array | Uint32Array | Int32Array, label?: string): GPUBuffer {
    const buf = this.storage(data.byteLength, label);
    this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return buf;
  }

  /**
   * Records one compute dispatch of `pipeline` with each of `buffers` bound at the binding its
   * name has in the pipeline's WGSL (`@group(0) @binding(n) var<…> name`); a name the shader does
   * not declare throws. Bind only what the entry point uses. Consecutive dispatches share one
   * compute pass (WebGPU orders them and makes each one's writes visible to the next), ended by
   * the next copy, clear or submit through this class; with a profiler, a pass per dispatch
   * (timestamps are per pass).
   */
  dispatch(
    encoder: GPUCommandEncoder,
    pipeline: GPUComputePipeline,
    buffers: Record<string, Bound>,
    workgroups: [number, number?, number?],
  ): void {
    const slots = this.slots.get(pipeline);
    if (!slots) throw new Error(`${pipeline.label}: not a pipeline of this context`);
    // bind groups recur (a layer's weights with the shared scratch, for every sample): cached
    // by pipeline and buffers, which saves most of the CPU time an encode takes
    let key = pipeline.label;
    for (const name in buffers) {
      const b = buffers[name];
      key += isSlice(b)
        ? `|${name}=${this.idOf(b.buffer)}@${b.offset}+${b.size}`
        : `|${name}=${this.idOf(b)}`;
    }
    let bindGroup = this.bindGroups.get(key);
    if (!bindGroup) {
      const entries: GPUBindGroupEntry[] = Object.entries(buffers).map(([name, buffer]) => {
        const binding = slots.get(name);
        if (binding === undefined)
          throw new Error(
            `${pipeline.label}: the shader declares no binding "${name}" (it has ${[...slots.keys()].join(', ')})`,
          );
        return { binding, resource: isSlice(buffer) ? buffer : { buffer } };
      });
      let layout = this.layouts.get(pipeline);
      if (!layout) {
        layout = pipeline.getBindGroupLayout(0);
        this.layouts.set(pipeline, layout);
      }
      bindGroup = this.device.createBindGroup({ layout, entries });
      if (this.bindGroups.size >= MAX_CACHED) this.bindGroups.clear();
      this.bindGroups.set(key, bindGroup);
    }
    let pass = openPasses.get(encoder);
    if (this.profiler) {
      this.endPass(encoder);
      pass = encoder.beginComputePass({
        label: pipeline.label,
        timestampWrites: this.profiler.next(pipeline.label),
      });
    } else if (!pass) {
      // (a pass per dispatch costs CPU time twice: encoding, then Dawn's recording at submit;
      // measured in bench/results/README.md)
      pass = encoder.beginComputePass({ label: 'dispatches' });
      openPasses.set(encoder, pass);
    }
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1);
    if (this.profiler) pass.end();
  }

  /** Ends `encoder`'s open compute pass, if any (before commands outside passes). */
  endPass(encoder: GPUCommandEncoder): void {
    const pass = openPasses.get(encoder);
    if (pass) {
      pass.end();
      openPasses.delete(encoder);
    }
  }

  /** encoder.copyBufferToBuffer after ending the open pass. */
  copyBuffer(
    encoder: GPUCommandEncoder,
    src: GPUBuffer,
    srcOffset: number,
    dst: GPUBuffer,
    dstOffset: number,
    size: number,
  ): void {
    this.endPass(encoder);
    encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
  }

  /** encoder.clearBuffer after ending the open pass. */
  clearBuffer(encoder: GPUCommandEncoder, buffer: GPUBuffer): void {
    this.endPass(encoder);
    encoder.clearBuffer(buffer);
  }

  /** Submits `encoder` and frees the buffers let go since (evicted uniforms, outgrown scratch) once the GPU is done with them. */
  submit(encoder: GPUCommandEncoder): Promise<void> {
    this.endPass(encoder);
    const timings = this.profiler?.resolve(encoder) ?? null;
    this.pool.flush();
    this.device.queue.submit([encoder.finish()]);
    const done = this.transient;
    this.transient = [];
    return this.device.queue.onSubmittedWorkDone().then(async () => {
      for (const b of done) b.destroy();
      if (timings) await timings();
    });
  }

  /** Copies several buffers' leading f32 values out with one map (waits for the GPU). */
  async readMany(list: ReadItem[]): Promise<Float32Array[]> {
    return this.submitAndRead(this.device.createCommandEncoder(), list);
  }

  /**
   * Appends copies of `list` to `encoder`, submits it and resolves with the values once the GPU
   * has run it: one round trip for the work and its readback. Nothing waits here, so several of
   * these may be in flight (the queue keeps their order).
   */
  submitAndRead(encoder: GPUCommandEncoder, list: ReadItem[]): Promise<Float32Array[]> {
    const total = list.reduce((s, x) => s + x.count, 0);
    const staging = this.takeStaging(total * 4);
    let off = 0;
    for (const x of list) {
      const from = (x.offset ?? 0) * 4;
      if (x.count > 0) this.copyBuffer(encoder, x.buffer, from, staging, off * 4, x.count * 4);
      off += x.count;
    }
    const done = this.submit(encoder);
    return Promise.all([done, staging.mapAsync(GPUMapMode.READ)]).then(() => {
      const all = new Float32Array(staging.getMappedRange(0, Math.max(4, total * 4)).slice(0));
      staging.unmap();
      this.giveStaging(staging);
      let o = 0;
      return list.map((x) => {
        const part = all.subarray(o, o + x.count);
        o += x.count;
        return part;
      });
    });
  }

  /**
   * A readback buffer of at least `bytes` (MAP_READ): a free one kept from an earlier readback,
   * else a new one of the next power of two (creating one costs more than reusing one, and a
   * run reads back once or twice per layer).
   */
  private takeStaging(bytes: number): GPUBuffer {
    const need = Math.max(4, bytes);
    const i = this.freeStaging.findIndex((b) => b.size >= need);
    if (i >= 0) return this.freeStaging.splice(i, 1)[0];
    return this.device.createBuffer({
      size: Math.max(256, 2 ** Math.ceil(Math.log2(need))),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  private giveStaging(b: GPUBuffer): void {
    if (this.freeStaging.length < MAX_STAGING) this.freeStaging.push(b);
    else b.destroy();
  }

  /** Frees the kept readback buffers (at the end of a run). */
  releaseStaging(): void {
    for (const b of this.freeStaging) b.destroy();
    this.freeStaging = [];
  }

  /** Copies `count` f32 values out of `buffer` (waits for the GPU). */
  async readF32(buffer: GPUBuffer, count: number): Promise<Float32Array> {
    return (await this.readMany([{ buffer, count }]))[0];
  }
}

/** Workgroups needed to cover `n` items with groups of `size`. */
export function groups(n: number, size: number): number {
  return Math.ceil(n / size);
}

/** Most workgroups per grid dimension that every adapter allows. */
export const MAX_GROUPS_PER_DIM = 65535;

/**
 * A 2-D grid of workgroups covering `n` items in groups of `size` (x fastest), for kernels that
 * compute their linear workgroup index as wg.y · groups_x + wg.x.
 */
export function grid(n: number, size: number): { x: number; y: number } {
  const total = Math.max(1, groups(n, size));
  const x = Math.min(total, MAX_GROUPS_PER_DIM);
  return { x, y: Math.ceil(total / x) };
}
