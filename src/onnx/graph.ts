// Builds ONNX graphs node by node: named values, initializers from typed arrays, attributes.
// Serialises to a ModelProto (opset 17, IR 8) with our own protobuf writer (proto.ts).
import { ProtoWriter } from './proto';

const FLOAT = 1;
const INT64 = 7;

type Attr = number | number[] | { float: number };

interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
}

interface Init {
  name: string;
  dims: number[];
  type: typeof FLOAT | typeof INT64;
  data: Uint8Array;
}

interface Io {
  name: string;
  type: typeof FLOAT | typeof INT64;
  dims: number[];
}

export class GraphBuilder {
  private nodes: Node[] = [];
  private inits: Init[] = [];
  private inputs: Io[] = [];
  private outputs: Io[] = [];
  private n = 0;
  private consts = new Map<string, string>();

  /** A graph input of int64 or float type. */
  input(name: string, type: 'int64' | 'float', dims: number[]): string {
    this.inputs.push({ name, type: type === 'int64' ? INT64 : FLOAT, dims });
    return name;
  }

  output(name: string, dims: number[]): void {
    this.outputs.push({ name, type: FLOAT, dims });
  }

  /** A float initializer (a copy of data is not made: the builder keeps a view). */
  floats(name: string, data: Float32Array, dims: number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length)
      throw new Error(`initializer ${name}: ${data.length} values for dims [${dims}]`);
    this.inits.push({
      name,
      dims,
      type: FLOAT,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /** An int64 constant, shared between uses with equal values. */
  ints(values: number[], dims: number[] = [values.length]): string {
    const key = `i:${dims}:${values}`;
    const have = this.consts.get(key);
    if (have) return have;
    const name = `const_${this.consts.size}`;
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.inits.push({ name, dims, type: INT64, data: new Uint8Array(data.buffer) });
    this.consts.set(key, name);
    return name;
  }

  /** A float scalar constant (shape []), shared between uses. */
  scalar(value: number): string {
    const key = `f:${value}`;
    const have = this.consts.get(key);
    if (have) return have;
    const name = `const_${this.consts.size}`;
    this.floats(name, Float32Array.of(value), []);
    this.consts.set(key, name);
    return name;
  }

  /** Adds a node with one output; returns the output's name. */
  op(op: string, inputs: string[], attrs: Record<string, Attr> = {}, name?: string): string {
    const out = name ?? `${op.toLowerCase()}_${this.n++}`;
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  toModel(graphName: string): Uint8Array {
    const w = new ProtoWriter();
    w.int(1, 8); // ir_version
    w.string(2, 'paramscope');
    w.message(8, (o) => o.string(1, '').int(2, 17)); // opset_import: ai.onnx 17
    w.message(7, (g) => {
      for (const node of this.nodes) {
        g.message(1, (nw) => {
          for (const i of node.inputs) nw.string(1, i);
          for (const o of node.outputs) nw.string(2, o);
          nw.string(3, node.outputs[0]);
          nw.string(4, node.op);
          for (const [k, v] of Object.entries(node.attrs)) {
            nw.message(5, (a) => {
              a.string(1, k);
              if (typeof v === 'number') a.int(3, v).int(20, 2);
              else if (Array.isArray(v)) a.packedInts(8, v).int(20, 7);
              else a.float(2, v.float).int(20, 1);
            });
          }
        });
      }
      g.string(2, graphName);
      for (const t of this.inits) {
        g.message(5, (tw) => {
          if (t.dims.length) tw.packedInts(1, t.dims);
          tw.int(2, t.type);
          tw.string(8, t.name);
          tw.bytes(9, t.data);
        });
      }
      const io = (field: number, v: Io) =>
        g.message(field, (vw) => {
          vw.string(1, v.name);
          vw.message(2, (tp) =>
            tp.message(1, (tt) => {
              tt.int(1, v.type);
              tt.message(2, (sh) => {
                for (const d of v.dims) sh.message(1, (dm) => dm.int(1, d));
              });
            }),
          );
        });
      for (const v of this.inputs) io(11, v);
      for (const v of this.outputs) io(12, v);
    });
    return w.finish();
  }
}
