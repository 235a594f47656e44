// Dispatch of shaders/linear.wgsl. Reference twin: src/reference/linear.ts.
import code from '../../../shaders/linear.wgsl?raw';
import f16Code from '../../../shaders/linear_f16.wgsl?raw';
import f16pCode from '../../../shaders/linear_f16p.wgsl?raw';
import mmCode from '../../../shaders/linear_mm.wgsl?raw';
import mmdCode from '../../../shaders/linear_mmd.wgsl?raw';
import mmcCode from '../../../shaders/linear_mmc.wgsl?raw';
import mmvCode from '../../../shaders/linear_mmv.wgsl?raw';
import mmvsCode from '../../../shaders/linear_mmvs.wgsl?raw';
import mmvFetchCode from '../../../shaders/linear_mmv_fetch.wgsl?raw';
import mmRightCode from '../../../shaders/linear_mm_right.wgsl?raw';
import mmPackedCode from '../../../shaders/linear_mm_packed.wgsl?raw';
import {
  bindingLimit,
  f32Bits,
  grid,
  groups,
  withConstants,
  workgroupSize,
  type GpuContext,
} from '../runtime/context';
import type { LinearDims } from '../../model/shapes';
import { F16_ENABLE, qtype, withQuant, type GpuWeight } from './quant';
import { packRows, packWeight } from './linear_pack';

/** Side of shaders/linear_f16p.wgsl's output tiles (its PM, PN). */
export const F16P_TILE = 128;

/** Workgroups split-K aims for (the best of 256, 528 and 1056 measured: bench/results/README.md). */
const TARGET_WORKGROUPS = 528;
/**
 * The same for the direct matrix kernels (128 × 256 tiles): half as many splits, half the partials'
 * traffic — on an H100 at T = 128 in a batch of 4 the split sums 8.3 → 5.6 ms per sample for the
 * same linears (bench/results/README.md, session 18).
 */
const MATRIX_TARGET_WORKGROUPS = 264;
const MIN_CHUNK = 256;

/**
 * Split-K for the tiled kernels: the number of reduction chunks (1: none) and their length (a
 * multiple of the kernels' k-steps, 16 and 32), so that a (T, N) output of few tiles still fills the GPU.
 */
export function splitK(
  T: number,
  N: number,
  K: number,
  target = TARGET_WORKGROUPS,
  tileRows = 64,
  tileCols = 64,
): { splits: number; chunk: number } {
  const tiles = Math.ceil(T / tileRows) * Math.ceil(N / tileCols);
  const want = Math.min(8, Math.ceil(target / tiles), Math.floor(K / MIN_CHUNK));
  if (want <= 1) return { splits: 1, chunk: 0 };
  const chunk = Math.ceil(K / want / 32) * 32;
  return { splits: Math.ceil(K / chunk), chunk };
}

/**
 * The most f32 values the split-K partials of a (T, N) output over K take with any tile shape
 * the kernels use (64 × 64, 128 × 128, the matrix kernels' 128 × 16·n), for memory estimates.
 */
export function splitScratchFloats(T: number, N: number, K: number): number {
  const shapes = [
    [64, 64],
    [128, 128],
    [128, 64],
    [64, 128],
    [128, 256],
  ];
  // (the split-K target is the default one: bench --split-target may take more)
  return (
    Math.max(...shapes.map(([r, c]) => splitK(T, N, K, TARGET_WORKGROUPS, r, c).splits)) * T * N
  );
}

/** WGSL `enable` lines of the subgroup-matrix variant of the f16 path (F16_ENABLE: quant.ts). */
// The subgroup-matrix builtins want uniform offsets; ours come from subgroup_id, uniform within
// a subgroup, which the analysis sees under `requires subgroup_uniformity`.
export const MATRIX_ENABLE =
  'enable f16;\nenable subgroups;\nenable chromium_experimental_subgroup_matrix;\nrequires subgroup_uniformity;\n';

/**
 * Gradients are multiplied by this power of two before they are rounded to f16 (and the result
 * divided by it), so that values down to 2⁻²⁴ stay normal f16 numbers; |dY| up to 64 fits.
 */
export const F16_GRAD_SCALE = 1024;

const ONE_BITS = f32Bits(1);
export const GRAD_SCALE_BITS = f32Bits(F16_GRAD_SCALE);
export const GRAD_UNSCALE_BITS = f32Bits(1 / F16_GRAD_SCALE);

/**
 * Side of the f32 tiled kernels' output tiles: 64 (8 × 8 invocations) or 128 (16 × 16), the
 * faster one measured (bench/results/README.md).
 */
export const LINEAR_TILE = 128;
/** linear.wgsl with its tile side: TW invocations per side, 8 TW outputs per side. */
const linearCode = (tile: number) => withConstants(code, { TW: tile / 8 });
const SIMPLE_WG = workgroupSize(code, 'linear_forward');
const [SUM_WG] = workgroupSize(code, 'linear_split_sum');

/**
 * Tiles of the matrix kernels (shaders/linear_mm.wgsl): SR × SC subgroups, each FR × FC result
 * matrices of 16 × 16, so BM = 16·FR·SR rows × BN = 16·FC·SC columns, reduced in chunks of BK;
 * NST = 2 double-buffers the staged chunks (one barrier per chunk instead of two). One entry per
 * tile. Measured on an H100 at 7B shapes, M = 512 (bench/results/README.md, session 11):
 * 128x256 52–72 TFLOP/s, 128x128x2 29–47, 128x128k64 25–40 — the staging of each chunk (f32
 * activations rounded to f16, weights decoded, both stored to workgroup memory) bounds them all
 * (without it the 128x128x2 loop runs at 87–139), so the widest tile, which stages each chunk of
 * activations once for 256 columns, is fastest. 128x128 and 128x64 serve devices with less
 * workgroup memory. Session 12: operands packed to f16 and loaded straight from storage (direct),
 * pipelined, or copied in 16 × 16 blocks (copy-staged) all end at the same ≈ 70 TFLOP/s, while the
 * direct loop whose loads hit L1 runs at 124–388: the operands' delivery is the limit.
 */
export const MATRIX_TILES = {
  '128x256': { SR: 4, SC: 4, FR: 2, FC: 4, NST: 1, BK: 32, direct: false },
  '128x128': { SR: 4, SC: 2, FR: 2, FC: 4, NST: 1, BK: 32, direct: false },
  '128x64': { SR: 4, SC: 1, FR: 2, FC: 4, NST: 1, BK: 32, direct: false },
  '128x128x2': { SR: 2, SC: 4, FR: 4, FC: 2, NST: 2, BK: 32, direct: false },
  '128x128k64': { SR: 2, SC: 4, FR: 4, FC: 2, NST: 1, BK: 64, direct: false },
  // direct (shaders/linear_mmd.wgsl): operands packed to f16 in storage first, loaded from there
  // by the tensor cores (PIPE = 1: one 16-wide step ahead); copy-staged (COPY = 1,
  // shaders/linear_mmc.wgsl): the packed operands copied block by block into workgroup memory.
  // Bench-only (--matrix-tile): all measured slower than 128x256 (bench/results/README.md, s12)
  // (these direct, pipelined and copy-staged ones)
  d64x64: { SR: 1, SC: 1, FR: 4, FC: 4, NST: 0, BK: 16, direct: true },
  d64x128: { SR: 1, SC: 2, FR: 4, FC: 4, NST: 0, BK: 16, direct: true },
  d128x128: { SR: 2, SC: 2, FR: 4, FC: 4, NST: 0, BK: 16, direct: true },
  d128x256: { SR: 2, SC: 4, FR: 4, FC: 4, NST: 0, BK: 16, direct: true },
  d64x64p: { SR: 1, SC: 1, FR: 4, FC: 4, NST: 0, BK: 16, direct: true, PIPE: 1 },
  d128x128p: { SR: 2, SC: 2, FR: 4, FC: 4, NST: 0, BK: 16, direct: true, PIPE: 1 },
  d32x64p: { SR: 1, SC: 1, FR: 2, FC: 4, NST: 0, BK: 16, direct: true, PIPE: 1 },
  c128x128: { SR: 2, SC: 2, FR: 4, FC: 4, NST: 1, BK: 32, direct: true, COPY: 1 },
  c128x256: { SR: 2, SC: 4, FR: 4, FC: 4, NST: 1, BK: 32, direct: true, COPY: 1 },
  c128x128b: { SR: 4, SC: 2, FR: 2, FC: 4, NST: 1, BK: 32, direct: true, COPY: 1 },
  // vector-staged (VEC = 1, shaders/linear_mmv.wgsl): the packed operands 16 bytes per read into
  // registers during the multiplies, then into workgroup memory (session 13, H100, M = 512:
  // v128x256b 62–101 TFLOP/s, v128x128 75–96, v128x256 49–82; the default is v128x256b)
  v128x256: { SR: 4, SC: 4, FR: 2, FC: 4, NST: 1, BK: 32, direct: true, COPY: 1, VEC: 1 },
  v128x128: { SR: 2, SC: 2, FR: 4, FC: 4, NST: 1, BK: 32, direct: true, COPY: 1, VEC: 1 },
  v128x256b: { SR: 2, SC: 4, FR: 4, FC: 4, NST: 1, BK: 32, direct: true, COPY: 1, VEC: 1 },
  // v128x256b staged into slabs (SLAB = 1, shaders/linear_mmvs.wgsl): every matrix load at a
  // constant offset into a fixed-size array, so WGSL's bounds rule leaves it unbranched (on an
  // H100 the linears ran 25–50 % faster with Dawn's robustness off, session 15). The default since
  // session 16 (H100, same call as v128x256b: 65–114 TFLOP/s at M = 512 against 60–101, 104–130 at
  // M = 2048 against 90–116; 0.1673 against 0.1792 s per sample in a batch of 4 at T = 128)
  s128x256b: { SR: 2, SC: 4, FR: 4, FC: 4, NST: 1, BK: 32, direct: true, COPY: 1, VEC: 1, SLAB: 1 },
} as const;
export type MatrixTileName = keyof typeof MATRIX_TILES;
/** One entry of MATRIX_TILES. */
export interface MatrixTile {
  SR: number;
  SC: number;
  FR: number;
  FC: number;
  NST: number;
  BK: number;
  direct: boolean;
  PIPE?: number;
  COPY?: number;
  VEC?: number;
  SLAB?: number;
}
/**
 * The tile taken by default, then the fallbacks in order where workgroup memory is short. The
 * default, s128x256b, packs both operands to f16 first and stages them in slabs (session 16: see
 * its entry; v128x256b, its unslabbed form, was the default from session 13: linears 62–101
 * TFLOP/s at M = 512 against 51–72 for the staged 128x256); where its packed weight exceeds what
 * the device binds, the first staged tile of the order that fits takes the call.
 */
export const MATRIX_TILE_ORDER: MatrixTileName[] = ['s128x256b', '128x128', '128x64'];

/** Rows and columns of a matrix tile. */
export function matrixTileShape(name: MatrixTileName): { rows: number; cols: number } {
  const t = MATRIX_TILES[name];
  return { rows: 16 * t.FR * t.SR, cols: 16 * t.FC * t.SC };
}

/** Workgroup memory of linear_mm.wgsl with tile `name`: NST staged chunks (padded rows), slots. */
export function matrixTileBytes(name: MatrixTileName): number {
  const t: MatrixTile = MATRIX_TILES[name];
  if (t.direct && t.COPY !== 1) return 1024 * t.SR * t.SC;
  if (t.SLAB === 1) {
    const [RG, CG, PK] = [16 * t.FR, 16 * t.FC, t.BK + 8];
    const slabs = t.SR * RG * PK + t.SC * Math.max(CG * PK, t.BK * (CG + 8));
    return slabs * 2 + 1024 * t.SR * t.SC;
  }
  const { rows, cols } = matrixTileShape(name);
  const stage = rows * (t.BK + 8) + Math.max(cols * (t.BK + 8), t.BK * (cols + 8));
  return t.NST * stage * 2 + 1024 * t.SR * t.SC;
}

/**
 * The tile asked for (or the default order's first) that the device's workgroup memory allows;
 * `staged`: of the tiles that stage their operands themselves (no packing).
 */
function matrixTileFor(ctx: GpuContext, want?: MatrixTileName, staged = false): MatrixTileName {
  const limit = ctx.device.limits.maxComputeWorkgroupStorageSize;
  const order = want ? [want, ...MATRIX_TILE_ORDER] : MATRIX_TILE_ORDER;
  const ok = (n: MatrixTileName) =>
    matrixTileBytes(n) <= limit && !(staged && MATRIX_TILES[n].direct);
  return order.find(ok) ?? '128x64';
}

/**
 * Bytes of the packed f16 operands (shaders/linear_pack.wgsl's scratch) the default matrix tile
 * takes for the largest of the linears `shapes` (each O × I) at T rows: the largest activations,
 * forward or backward, and the largest weight, padded to 128 rows and 256 columns.
 */
export function packScratchBytes(shapes: { O: number; I: number }[], T: number): number {
  if (!MATRIX_TILES[MATRIX_TILE_ORDER[0]].direct) return 0;
  let a = 0;
  let w = 0;
  for (const d of shapes) {
    const p = packedShapes({ T, ...d }, Math.max(d.I, d.O));
    a = Math.max(a, p.a[0] * p.a[1] * 2);
    w = Math.max(w, p.w[0] * p.w[1] * 2);
  }
  return a + w;
}
/**
 * shaders/linear_mm.wgsl for tile `name`: its constants, and at its //@ lines the FR × FC result
 * matrices as plain variables c_i_j with every loop over them written out (an array of subgroup
 * matrices indexed in a loop is not kept in registers: measured a third of the speed).
 */
export function matrixCode(name: MatrixTileName): string {
  // built once per tile: dispatchLinear asks for it on every dispatch (the pipeline is cached)
  let code = matrixCodes.get(name);
  if (!code) matrixCodes.set(name, (code = buildMatrixCode(name)));
  return code;
}
const matrixCodes = new Map<MatrixTileName, string>();

const SM_RESULT = 'subgroup_matrix_result<f32, 16, 16>';
const SM_LEFT = 'subgroup_matrix_left<f16, 16, 16>';

/** The generated lines of the staged kernel (shaders/linear_mm.wgsl) at each //@ line. */
function stagedParts(FR: number, FC: number, ij: (readonly [number, number])[]) {
  return {
    MMA: [
      ...Array.from(
        { length: FR },
        (_, i) =>
          `let a${i} = subgroupMatrixLoad<${SM_LEFT}>(&ms, ab + (rs + ${16 * i}u) * PK + ks, false, PK);`,
      ),
      ...Array.from({ length: FC }, (_, j) => [
        `let b${j} = mm_right(bb, ks, cs + ${16 * j}u, backward);`,
        ...Array.from(
          { length: FR },
          (_, i) => `c_${i}_${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, c_${i}_${j});`,
        ),
      ]).flat(),
    ],
    STORE: ij.map(
      ([i, j]) =>
        `subgroupMatrixStore(&out, at + ${16 * i}u * s.N + ${16 * j}u, c_${i}_${j}, false, s.N);`,
    ),
    EMIT: ij.map(
      ([i, j]) => `mm_emit(c_${i}_${j}, wg.z, s, r0 + ${16 * i}u, c0 + ${16 * j}u, sg, lane);`,
    ),
  };
}

const SM_RIGHT = 'subgroup_matrix_right<f16, 16, 16>';

/**
 * The multiplies of one chunk of shaders/linear_mmvs.wgsl: both 16-wide steps written out, every
 * load at a literal offset and stride into the subgroup's slabs sa[ga] and sb[gb] (a branch on
 * `backward`, a constant in each entry point, picks B's layout).
 */
function slabMma(t: MatrixTile): string[] {
  const { FR, FC, BK } = t;
  const [PK, PNS] = [BK + 8, 16 * FC + 8];
  const load = (m: string, slab: string, off: number, cm: boolean, stride: number) =>
    `subgroupMatrixLoad<${m}>(&${slab}, ${off}u, ${cm}, ${stride}u)`;
  const step = (ks: number, backward: boolean) => [
    '{',
    ...Array.from(
      { length: FR },
      (_, i) => `  let a${i} = ${load(SM_LEFT, 'sa[ga]', 16 * i * PK + ks, false, PK)};`,
    ),
    ...Array.from({ length: FC }, (_, j) => [
      `  let b${j} = ${
        backward
          ? load(SM_RIGHT, 'sb[gb]', ks * PNS + 16 * j, false, PNS)
          : load(SM_RIGHT, 'sb[gb]', 16 * j * PK + ks, true, PK)
      };`,
      ...Array.from(
        { length: FR },
        (_, i) => `  c_${i}_${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, c_${i}_${j});`,
      ),
    ]).flat(),
    '}',
  ];
  const steps = (backward: boolean) =>
    Array.from({ length: BK / 16 }, (_, s) => step(16 * s, backward))
      .flat()
      .map((l) => `  ${l}`);
  return ['if (backward) {', ...steps(true), '} else {', ...steps(false), '}'];
}

/**
 * The generated lines of the direct kernel (shaders/linear_mmd.wgsl); pipe: the next 16-wide step's operands are loaded before this step's multiplies (software
 * pipelining in registers, to hide the loads' latency with few subgroups per multiprocessor).
 */
function directParts(FR: number, FC: number, ij: (readonly [number, number])[], pipe: boolean) {
  const loadA = (i: number, k: string) =>
    `subgroupMatrixLoad<${SM_LEFT}>(&a16, (rs + ${16 * i}u) * kp + ${k}, false, kp)`;
  const loadB = (j: number, k: string) => `mmd_right(${k}, cs + ${16 * j}u, backward)`;
  const mmas = Array.from({ length: FC }, (_, j) =>
    Array.from(
      { length: FR },
      (_, i) => `c_${i}_${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, c_${i}_${j});`,
    ),
  ).flat();
  const rows = Array.from({ length: FR }, (_, i) => i);
  const cols = Array.from({ length: FC }, (_, j) => j);
  return {
    PRE: pipe
      ? [
          ...rows.map((i) => `var a${i} = ${loadA(i, 'kb')};`),
          ...cols.map((j) => `var b${j} = ${loadB(j, 'kb')};`),
        ]
      : [],
    MMA: pipe
      ? [
          'let kn = k + 16u;',
          ...rows.map((i) => `let na${i} = ${loadA(i, 'kn')};`),
          ...cols.map((j) => `let nb${j} = ${loadB(j, 'kn')};`),
          ...mmas,
          ...rows.map((i) => `a${i} = na${i};`),
          ...cols.map((j) => `b${j} = nb${j};`),
        ]
      : [
          ...rows.map((i) => `let a${i} = ${loadA(i, 'k')};`),
          ...cols.flatMap((j) => [
            `let b${j} = ${loadB(j, 'k')};`,
            ...rows.map(
              (i) => `c_${i}_${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, c_${i}_${j});`,
            ),
          ]),
        ],
    STORE: ij.map(
      ([i, j]) =>
        `subgroupMatrixStore(&out, at + ${16 * i}u * N + ${16 * j}u, c_${i}_${j}, false, N);`,
    ),
    EMIT: ij.map(
      ([i, j]) => `mmd_emit(c_${i}_${j}, wg.z, N, rs + ${16 * i}u, cs + ${16 * j}u, f, sg, lane);`,
    ),
  };
}

function buildMatrixCode(name: MatrixTileName): string {
  const t: MatrixTile = MATRIX_TILES[name];
  const { FR, FC } = t;
  const ij = Array.from({ length: FR * FC }, (_, k) => [Math.floor(k / FC), k % FC] as const);
  const copy = t.COPY === 1;
  const parts: Record<string, string[]> = {
    ACC_DECL: ij.map(([i, j]) => `var c_${i}_${j} = ${SM_RESULT}();`),
    ...(t.direct ? directParts(FR, FC, ij, t.PIPE === 1) : stagedParts(FR, FC, ij)),
  };
  if (copy) {
    // the staged kernel's multiplies from workgroup memory; the direct kernel's epilogue, its
    // rows and columns made absolute (rs, cs are within the tile here)
    parts.MMA = stagedParts(FR, FC, ij).MMA;
    if (t.SLAB === 1) {
      parts.MMA_ALL = slabMma(t);
      delete parts.MMA;
    }
    parts.EMIT = parts.EMIT.map((l) =>
      l.replace('rs + ', 'row0 + rs + ').replace('cs + ', 'col0 + cs + '),
    );
    delete parts.PRE;
  }
  const vec = t.SLAB === 1 ? mmvsCode : mmvCode;
  let code = copy ? (t.VEC === 1 ? vec : mmcCode) : t.direct ? mmdCode : mmCode;
  // what the kernels share: the staged right operand (all but the direct kernel), and the packed
  // kernels' widths and partial-tile epilogue
  if (!t.direct || (copy && t.SLAB !== 1)) code += `\n${mmRightCode}`;
  if (t.direct) code += `\n${mmPackedCode}`;
  if (t.VEC === 1) code += `\n${mmvFetchCode}`;
  for (const [k, lines] of Object.entries(parts)) {
    const m = new RegExp(`^( *)//@${k}$`, 'm').exec(code);
    if (!m) throw new Error(`the matrix kernel of ${name} has no //@${k} line`);
    code = code.replace(m[0], lines.map((l) => m[1] + l).join('\n'));
  }
  const { SR, SC, NST, BK } = t;
  return withConstants(
    code,
    copy ? { SR, SC, FR, FC, BK } : t.direct ? { SR, SC, FR, FC } : { SR, SC, FR, FC, NST, BK },
  );
}

/**
 * out (T, N) = a (T, K) · B with B = Wᵀ (forward) or W (backward_input). The simple kernel (one
 * invocation per output, 16 × 16 workgroups) on software adapters; else the tiled kernel
 * (LINEAR_TILE-sided tiles), split over K when that fills the GPU better. The f16 path: operands
 * rounded to f16, f32 sums, on subgroup matrices (shaders/linear_mm.wgsl, MATRIX_TILES)
 * where the context has them, else with f32 multiply-adds (shaders/linear_f16.wgsl, 64 × 64
 * tiles) or, with options.f16Packed, 16-long runs in packed f16 (shaders/linear_f16p.wgsl,
 * F16P_TILE-sided tiles); split-K alike.
 */
function dispatchLinear(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  name: string,
  out: GPUBuffer,
  a: GPUBuffer,
  W: GpuWeight,
  d: LinearDims,
  N: number,
  K: number,
): void {
  const { f16, matrix } = ctx.options;
  if (!f16 && !ctx.options.tiledLinear) {
    const p = ctx.pipeline('linear', withQuant(linearCode(64)), name, qtype(W));
    const u = ctx.uniform([d.T, d.I, d.O, 0]);
    ctx.dispatch(enc, p, { out, a, wbytes: W.buffer, dims: u }, [
      groups(N, SIMPLE_WG[0]),
      groups(d.T, SIMPLE_WG[1]),
    ]);
    return;
  }
  let mt = matrix ? matrixTileFor(ctx, ctx.options.matrixTile as MatrixTileName) : undefined;
  if (mt && MATRIX_TILES[mt].direct) {
    if (dispatchDirect(ctx, enc, name, out, a, W, d, N, K, mt)) return;
    mt = matrixTileFor(ctx, undefined, true);
  }
  const tile = ctx.options.linearTile ?? LINEAR_TILE;
  const packed = f16 && !mt && !!ctx.options.f16Packed;
  const p = !f16
    ? ctx.pipeline(`linear${tile}`, withQuant(linearCode(tile)), `${name}_tiled`, qtype(W))
    : mt
      ? ctx.pipeline(
          `linear_mm${mt}`,
          withQuant(`${f16Code}\n${matrixCode(mt)}`, MATRIX_ENABLE),
          `${name}_mm`,
          qtype(W),
        )
      : packed
        ? ctx.pipeline(
            'linear_f16p',
            withQuant(`${f16Code}\n${f16pCode}`, F16_ENABLE),
            `${name}_f16p`,
            qtype(W),
          )
        : ctx.pipeline('linear_f16', withQuant(f16Code, F16_ENABLE), `${name}_f16`, qtype(W));
  const mts = mt && matrixTileShape(mt);
  const side = !f16 ? tile : packed ? F16P_TILE : 64;
  const rows = mts ? mts.rows : side;
  const cols = mts ? mts.cols : side;
  const { splits, chunk } = splitK(d.T, N, K, ctx.options.splitTarget, rows, cols);
  const wg: [number, number, number] = [groups(N, cols), groups(d.T, rows), splits];
  const words = [d.T, d.I, d.O, splits === 1 ? 0 : chunk];
  // the f16 kernels also take the left operand's scale: 1 forward, F16_GRAD_SCALE for gradients
  if (f16) words.push(name === 'linear_forward' ? ONE_BITS : GRAD_SCALE_BITS);
  const u = ctx.uniform(words);
  if (splits === 1) {
    ctx.dispatch(enc, p, { out, a, wbytes: W.buffer, dims: u }, wg);
    return;
  }
  const part = ctx.scratch('linear.splitK', splits * d.T * N * 4);
  ctx.dispatch(enc, p, { out: part, a, wbytes: W.buffer, dims: u }, wg);
  // the f16 kernels leave raw partials: the sum unscales them
  const f = f16 && name !== 'linear_forward' ? GRAD_UNSCALE_BITS : ONE_BITS;
  splitSum(ctx, enc, out, part, d.T * N, splits, f);
}

const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

/** The direct kernels' packed operands: a (pad(T, 128), pad(K, 256)), W (pad(O, 256), pad(I, 256)). */
export function packedShapes(
  d: LinearDims,
  K: number,
): { a: [number, number]; w: [number, number] } {
  return { a: [roundUp(d.T, 128), roundUp(K, 256)], w: [roundUp(d.O, 256), roundUp(d.I, 256)] };
}

/**
 * The direct matrix linear (shaders/linear_mmd.wgsl, tile `mt`): both operands packed to f16
 * (shaders/linear_pack.wgsl: activations times the scale, weights decoded once per call), then
 * multiplied from storage. False (nothing recorded) when the packed weight exceeds what the
 * device binds: the caller takes the staged kernel.
 */
function dispatchDirect(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  name: string,
  out: GPUBuffer,
  a: GPUBuffer,
  W: GpuWeight,
  d: LinearDims,
  N: number,
  K: number,
  mt: MatrixTileName,
): boolean {
  const shapes = packedShapes(d, K);
  const [Tp, Kp] = shapes.a;
  const [Op, Ip] = shapes.w;
  const limit = bindingLimit(ctx.device.limits);
  if (Op * Ip * 2 > limit || Tp * Kp * 2 > limit) return false;
  const forward = name === 'linear_forward';
  const a16 = ctx.scratch('linear.a16', Tp * Kp * 2);
  const w16 = ctx.scratch('linear.w16', Op * Ip * 2);
  packRows(ctx, enc, a16, a, d.T, K, Tp, Kp, forward ? 1 : F16_GRAD_SCALE);
  packWeight(ctx, enc, w16, W, d.O, d.I, Op, Ip);
  const tile: MatrixTile = MATRIX_TILES[mt];
  const kernel = tile.VEC === 1 ? 'mmv' : tile.COPY === 1 ? 'mmc' : 'mmd';
  const p = ctx.pipeline(
    `linear_${kernel}${mt}`,
    `${MATRIX_ENABLE}${matrixCode(mt)}`,
    `${name}_${kernel}`,
  );
  const { rows, cols } = matrixTileShape(mt);
  const target = ctx.options.splitTarget ?? MATRIX_TARGET_WORKGROUPS;
  const { splits, chunk } = splitK(d.T, N, K, target, rows, cols);
  const wg: [number, number, number] = [groups(N, cols), groups(d.T, rows), splits];
  const u = ctx.uniform([
    d.T,
    d.I,
    d.O,
    splits === 1 ? 0 : chunk,
    forward ? ONE_BITS : GRAD_SCALE_BITS,
  ]);
  if (splits === 1) {
    ctx.dispatch(enc, p, { out, a16, w16, dims: u }, wg);
    return true;
  }
  const part = ctx.scratch('linear.splitK', splits * d.T * N * 4);
  ctx.dispatch(enc, p, { out: part, a16, w16, dims: u }, wg);
  splitSum(ctx, enc, out, part, d.T * N, splits, forward ? ONE_BITS : GRAD_UNSCALE_BITS);
  return true;
}

/** out (n) = Σ_z part (z, n) · f (f32 bits) — the split-K partials summed in order. */
function splitSum(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  out: GPUBuffer,
  part: GPUBuffer,
  n: number,
  splits: number,
  f: number,
): void {
  const g = grid(n, SUM_WG);
  // (one pipeline for every weight type: the sum reads no weights)
  const ps = ctx.pipeline('linear', withQuant(linearCode(64)), 'linear_split_sum');
  ctx.dispatch(enc, ps, { out, a: part, dims: ctx.uniform([n, splits, f, 0]) }, [g.x, g.y]);
}

/** Y (T, O) = X (T, I) · Wᵀ with W (O, I) quantized. Overwrites Y. */
export function linearForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  Y: GPUBuffer,
  X: GPUBuffer,
  W: GpuWeight,
  d: LinearDims,
): void {
  dispatchLinear(ctx, enc, 'linear_forward', Y, X, W, d, d.O, d.I);
}

/** dX (T, I) = dY (T, O) · W (O, I). Overwrites dX. */
export function linearBackwardInput(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  dX: GPUBuffer,
  dY: GPUBuffer,
  W: GpuWeight,
  d: LinearDims,
): void {
  dispatchLinear(ctx, enc, 'linear_backward_input', dX, dY, W, d, d.I, d.O);
}
