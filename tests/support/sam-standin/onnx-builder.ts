// A very small ONNX graph builder on top of the protobufjs ONNX messages (onnx-proto).
// Enough to write the SAM stand-in models: named graph inputs/outputs with symbolic dims,
// float32/int64 initialisers (int32 inputs too), plain operator nodes with typed attributes.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type Dim = number | string;
export type ElemType = 'float32' | 'int32' | 'int64';

export interface ValueSpec {
  name: string;
  type: ElemType;
  /** Numbers are fixed sizes, strings are symbolic (dynamic) dims. */
  dims: Dim[];
}

/** A typed attribute value (ONNX distinguishes int from float attributes, JS numbers do not). */
export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] };

export const int = (value: number): Attr => ({ kind: 'int', value });
export const float = (value: number): Attr => ({ kind: 'float', value });
export const str = (value: string): Attr => ({ kind: 'string', value });
export const ints = (value: number[]): Attr => ({ kind: 'ints', value });
export const floats = (value: number[]): Attr => ({ kind: 'floats', value });

const DATA_TYPE: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
};

const ATTR_TYPE = onnx.AttributeProto.AttributeType;

function attributeProto(name: string, attr: Attr): Record<string, unknown> {
  switch (attr.kind) {
    case 'int':
      return { name, type: ATTR_TYPE.INT, i: attr.value };
    case 'float':
      return { name, type: ATTR_TYPE.FLOAT, f: attr.value };
    case 'string':
      return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(attr.value) };
    case 'ints':
      return { name, type: ATTR_TYPE.INTS, ints: attr.value };
    case 'floats':
      return { name, type: ATTR_TYPE.FLOATS, floats: attr.value };
  }
}

function valueInfo(spec: ValueSpec): Record<string, unknown> {
  return {
    name: spec.name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[spec.type],
        shape: { dim: spec.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export interface ModelOptions {
  graphName: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  opset?: number;
  docString?: string;
  producerName?: string;
  producerVersion?: string;
  metadata?: Record<string, string>;
}

export class GraphBuilder {
  private nodes: Record<string, unknown>[] = [];
  private initializers: Record<string, unknown>[] = [];
  private counter = 0;

  private fresh(hint: string): string {
    this.counter += 1;
    return `${hint}_${this.counter}`;
  }

  /** A float32 initialiser; `dims` [] makes a scalar. */
  f32(values: ArrayLike<number>, dims: number[], hint = 'const_f'): string {
    if (values.length !== product(dims)) throw new Error(`${hint}: ${values.length} values for dims [${dims}]`);
    const name = this.fresh(hint);
    const data = Float32Array.from(values);
    this.initializers.push({
      name,
      dataType: DATA_TYPE.float32,
      dims,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /** An int64 initialiser; `dims` [] makes a scalar. */
  i64(values: ArrayLike<number>, dims: number[], hint = 'const_i'): string {
    if (values.length !== product(dims)) throw new Error(`${hint}: ${values.length} values for dims [${dims}]`);
    const name = this.fresh(hint);
    const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
    this.initializers.push({
      name,
      dataType: DATA_TYPE.int64,
      dims,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /** Scalar float32 constant. */
  scalar(value: number): string {
    return this.f32([value], [], 'scalar');
  }

  /**
   * Adds one node and returns its (first) output name. `output` names the output explicitly
   * (used for the graph outputs); an empty string in `inputs` is an omitted optional input.
   */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, output?: string): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({
      name: this.fresh(`n_${opType}`),
      opType,
      input: inputs,
      output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attributeProto(k, v)),
    });
    return out;
  }

  /** Adds one node with `outputs` outputs (e.g. Split) and returns their names. */
  opMulti(opType: string, inputs: string[], outputs: number, attrs: Record<string, Attr> = {}): string[] {
    const names = Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({
      name: this.fresh(`n_${opType}`),
      opType,
      input: inputs,
      output: names,
      attribute: Object.entries(attrs).map(([k, v]) => attributeProto(k, v)),
    });
    return names;
  }

  /** Serialises the graph to ONNX protobuf bytes. */
  build(options: ModelOptions): Uint8Array {
    const opset = options.opset ?? 17;
    const model = onnx.ModelProto.fromObject({
      irVersion: 8,
      producerName: options.producerName ?? 'atelier-sam-standin',
      producerVersion: options.producerVersion ?? '1',
      docString: options.docString ?? '',
      opsetImport: [{ domain: '', version: opset }],
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: options.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: options.inputs.map(valueInfo),
        output: options.outputs.map(valueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
