// Builds MediaPipe Tasks model-asset bundles (`.task` files) deterministically.
//
// A `.task` is a zip read in place by MediaPipe (tasks/cc/metadata/utils/zip_utils.cc): members must be
// stored, not compressed ("Expected uncompressed zip archive."). MediaPipe's own bundler
// (model_asset_bundle_utils.py) also pads so that each member's data starts 4-byte aligned from the
// start of the file, letting the models be used without a copy. We do the same, with a zipalign-style
// extra field (id 0xD935: u16 alignment + zero padding), and a fixed timestamp, so the same inputs
// always give the same bytes and the manifest can pin the bundle's sha256.
//
// The Tasks graphs also need TFLite metadata that the legacy `@mediapipe/pose` models lack: a float32
// image input must declare its NormalizationOptions (tasks/cc/vision/utils/image_tensor_specs.cc:
// "Input tensor has type float32: it requires specifying NormalizationOptions metadata").
// `addInputNormalizationMetadata` adds exactly that, without touching the model's own bytes.
import { zipSync, type Zippable } from 'fflate';

export interface BundleMember {
  /** Name inside the zip, e.g. `pose_detector.tflite` (ASCII). */
  name: string;
  data: Uint8Array;
}

export interface PackOptions {
  /** Byte alignment of each member's data from the start of the file. */
  alignment: number;
  /** Member timestamp as `YYYY-MM-DDTHH:MM:SS` (zip stores local date/time fields, 2 s resolution). */
  mtime: string;
}

const ALIGNMENT_EXTRA_ID = 0xd935;
const LOCAL_HEADER_SIZE = 30;
const EXTRA_HEADER_SIZE = 4;

/** Zip stores the date as local fields; a Date built from local fields gives them back in any time zone. */
function dosTimestamp(mtime: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(mtime);
  if (!m) throw new Error(`bundle mtime "${mtime}" must look like 1980-01-01T12:00:00`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  if (y < 1980 || y > 2099 || s % 2 !== 0) throw new Error(`bundle mtime "${mtime}" is not representable in a zip`);
  return new Date(y, mo - 1, d, h, mi, s);
}

/** Builds a stored, aligned, byte-reproducible zip of `members`, in the given order. */
export function packTaskBundle(members: BundleMember[], options: PackOptions): Uint8Array {
  const { alignment } = options;
  if (!Number.isInteger(alignment) || alignment < 1 || alignment > 0xffff) {
    throw new Error(`bundle alignment ${alignment} is not a positive 16-bit integer`);
  }
  const mtime = dosTimestamp(options.mtime);
  const files: Zippable = {};
  let offset = 0;
  for (const member of members) {
    if (!/^[\x21-\x7e]+$/.test(member.name) || member.name.includes('/')) {
      throw new Error(`bundle member name "${member.name}" must be a plain ASCII file name`);
    }
    if (member.name in files) throw new Error(`bundle member "${member.name}" is listed twice`);
    const headerWithoutPadding = LOCAL_HEADER_SIZE + member.name.length + EXTRA_HEADER_SIZE + 2;
    const padding = (alignment - ((offset + headerWithoutPadding) % alignment)) % alignment;
    const extra = new Uint8Array(2 + padding);
    extra[0] = alignment & 0xff;
    extra[1] = alignment >> 8;
    files[member.name] = [member.data, { level: 0, mtime, extra: { [ALIGNMENT_EXTRA_ID]: extra } }];
    offset += headerWithoutPadding + padding + member.data.length;
  }
  return zipSync(files, { level: 0, mtime });
}

export interface StoredMemberInfo {
  name: string;
  /** Compression method from the local header (0 = stored). */
  method: number;
  /** Offset of the member's data from the start of the file. */
  dataOffset: number;
  size: number;
}

/** Walks the local headers of a zip written by `packTaskBundle` (no data descriptors, no zip64). */
export function listZipMembers(zip: Uint8Array): StoredMemberInfo[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const out: StoredMemberInfo[] = [];
  let p = 0;
  while (p + LOCAL_HEADER_SIZE <= zip.length && view.getUint32(p, true) === 0x04034b50) {
    const method = view.getUint16(p + 8, true);
    const compressedSize = view.getUint32(p + 18, true);
    const size = view.getUint32(p + 22, true);
    const nameLength = view.getUint16(p + 26, true);
    const extraLength = view.getUint16(p + 28, true);
    const name = new TextDecoder().decode(zip.subarray(p + LOCAL_HEADER_SIZE, p + LOCAL_HEADER_SIZE + nameLength));
    const dataOffset = p + LOCAL_HEADER_SIZE + nameLength + extraLength;
    out.push({ name, method, dataOffset, size });
    p = dataOffset + compressedSize;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// TFLite metadata (tensorflow/lite/schema/schema.fbs + mediapipe/tasks/metadata/metadata_schema.fbs)

export interface InputNormalization {
  /** Per-channel (or single) mean and std: the model sees (pixel - mean) / std. */
  mean: number[];
  std: number[];
}

interface WrittenTable {
  at: number;
  /** Position of a field written in this table. */
  field(slot: number): number;
}

/** A little-endian byte sink that only grows; offsets are patched once their targets are written. */
class ByteWriter {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + extra));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  /** Pads with zeros until (length + ahead) is a multiple of `n`. */
  align(n: number, ahead = 0): void {
    while ((this.length + ahead) % n !== 0) this.u8(0);
  }
  u8(v: number): number {
    this.ensure(1);
    this.view.setUint8(this.length, v);
    return this.length++;
  }
  u16(v: number): number {
    this.ensure(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
    return this.length - 2;
  }
  u32(v: number): number {
    this.ensure(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
    return this.length - 4;
  }
  f32(v: number): number {
    this.ensure(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
    return this.length - 4;
  }
  bytes(data: Uint8Array): number {
    this.ensure(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
    return this.length - data.length;
  }
  setU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }
  setI32(at: number, v: number): void {
    this.view.setInt32(at, v, true);
  }
  /** Points the uoffset at `at` to `target` (flatbuffer offsets only point forward). */
  link(at: number, target: number): void {
    if (target <= at) throw new Error('flatbuffer offsets must point forward');
    this.setU32(at, target - at);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  /**
   * Writes a vtable then its table. Fields are [slot, kind, value]; 4-byte fields come first, then
   * 1-byte ones. `offset` fields are left 0 for the caller to `link`. Returns the table's position
   * and each slot's position.
   */
  table(fields: Array<[slot: number, kind: 'offset' | 'u32' | 'u8', value?: number]>): WrittenTable {
    const slots = fields.reduce((m, [slot]) => Math.max(m, slot + 1), 0);
    const ordered = [...fields].sort((a, b) => (a[1] === 'u8' ? 1 : 0) - (b[1] === 'u8' ? 1 : 0) || a[0] - b[0]);
    const inline = new Map<number, number>();
    let size = 4;
    for (const [slot, kind] of ordered) {
      inline.set(slot, size);
      size += kind === 'u8' ? 1 : 4;
    }
    const tableSize = size + ((4 - (size % 4)) % 4);
    this.align(2);
    const vtable = this.u16(4 + 2 * slots);
    this.u16(tableSize);
    for (let s = 0; s < slots; s++) this.u16(inline.get(s) ?? 0);
    this.align(4);
    const table = this.u32(0);
    this.setI32(table, table - vtable);
    const positions = new Map<number, number>();
    for (const [slot, kind, value] of ordered) {
      positions.set(slot, kind === 'u8' ? this.u8(value ?? 0) : this.u32(value ?? 0));
    }
    this.align(4);
    return {
      at: table,
      field(slot: number): number {
        const p = positions.get(slot);
        if (p === undefined) throw new Error(`internal: slot ${slot} not written`);
        return p;
      },
    };
  }
  string(s: string): number {
    this.align(4);
    const at = this.u32(s.length);
    this.bytes(new TextEncoder().encode(s));
    this.u8(0);
    return at;
  }
  floats(values: number[]): number {
    this.align(4);
    const at = this.u32(values.length);
    for (const v of values) this.f32(v);
    return at;
  }
}

/** ModelMetadata (file identifier M001) describing one RGB image input with normalization. */
export function buildImageInputMetadata(name: string, norm: InputNormalization): Uint8Array {
  if (norm.mean.length !== norm.std.length || ![1, 3].includes(norm.mean.length)) {
    throw new Error('normalization needs 1 or 3 mean and std values, as many of each');
  }
  const w = new ByteWriter();
  const root = w.u32(0);
  w.bytes(new TextEncoder().encode('M001'));
  // ModelMetadata: name(0), subgraph_metadata(3), min_parser_version(7)
  const model = w.table([
    [0, 'offset'],
    [3, 'offset'],
    [7, 'offset'],
  ]);
  w.link(root, model.at);
  w.link(model.field(0), w.string(name));
  w.link(model.field(7), w.string('1.0.0'));
  w.align(4);
  w.link(model.field(3), w.u32(1));
  const subgraphRef = w.u32(0);
  // SubGraphMetadata: input_tensor_metadata(2)
  const subgraph = w.table([[2, 'offset']]);
  w.link(subgraphRef, subgraph.at);
  w.link(subgraph.field(2), w.u32(1));
  const tensorRef = w.u32(0);
  // TensorMetadata: name(0), content(3), process_units(4)
  const tensor = w.table([
    [0, 'offset'],
    [3, 'offset'],
    [4, 'offset'],
  ]);
  w.link(tensorRef, tensor.at);
  w.link(tensor.field(0), w.string('image'));
  // Content: content_properties_type(0) = ImageProperties (2), content_properties(1)
  const content = w.table([
    [0, 'u8', 2],
    [1, 'offset'],
  ]);
  w.link(tensor.field(3), content.at);
  // ImageProperties: color_space(0) = RGB (1)
  const image = w.table([[0, 'u8', 1]]);
  w.link(content.field(1), image.at);
  w.link(tensor.field(4), w.u32(1));
  const unitRef = w.u32(0);
  // ProcessUnit: options_type(0) = NormalizationOptions (1), options(1)
  const unit = w.table([
    [0, 'u8', 1],
    [1, 'offset'],
  ]);
  w.link(unitRef, unit.at);
  // NormalizationOptions: mean(0), std(1)
  const normalization = w.table([
    [0, 'offset'],
    [1, 'offset'],
  ]);
  w.link(unit.field(1), normalization.at);
  w.link(normalization.field(0), w.floats(norm.mean));
  w.link(normalization.field(1), w.floats(norm.std));
  return w.result();
}

/** Read-only helpers over a flatbuffer. */
class FlatReader {
  readonly view: DataView;
  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u32(p: number): number {
    return this.view.getUint32(p, true);
  }
  deref(p: number): number {
    return p + this.u32(p);
  }
  /** Number of vtable slots of the table at `table`. */
  slots(table: number): number {
    const vtable = table - this.view.getInt32(table, true);
    return (this.view.getUint16(vtable, true) - 4) / 2;
  }
  /** Absolute position of a field, or null when absent. */
  field(table: number, slot: number): number | null {
    if (slot >= this.slots(table)) return null;
    const vtable = table - this.view.getInt32(table, true);
    const off = this.view.getUint16(vtable + 4 + 2 * slot, true);
    return off ? table + off : null;
  }
  /** Absolute positions of the tables/strings referenced by a vector of offsets. */
  vectorTargets(vector: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.u32(vector); i++) out.push(this.deref(vector + 4 + 4 * i));
    return out;
  }
  string(p: number): string {
    return new TextDecoder().decode(new Uint8Array(this.view.buffer, this.view.byteOffset + p + 4, this.u32(p)));
  }
}

// tflite Model table slots
const MODEL_VERSION = 0;
const MODEL_BUFFERS = 4;
const MODEL_METADATA = 6;
const MODEL_KNOWN_SLOTS = 8; // version … signature_defs
const METADATA_NAME = 'TFLITE_METADATA';

/**
 * Returns a TFLite model whose `metadata` gains a TFLITE_METADATA entry declaring the input image's
 * normalization. The original bytes are kept whole after a new root table (flatbuffer offsets only
 * point forward, so a new root placed in front can reference every existing table); the old root is
 * left unreferenced. Existing buffers keep their indices; the metadata goes into a new last buffer.
 */
export function addInputNormalizationMetadata(model: Uint8Array, name: string, norm: InputNormalization): Uint8Array {
  const r = new FlatReader(model);
  if (new TextDecoder().decode(model.subarray(4, 8)) !== 'TFL3') throw new Error(`${name}: not a TFLite model`);
  const root = r.u32(0);
  const slots = r.slots(root);
  if (slots > MODEL_KNOWN_SLOTS) throw new Error(`${name}: unexpected TFLite schema (model table has ${slots} fields)`);
  const buffersField = r.field(root, MODEL_BUFFERS);
  if (buffersField === null) throw new Error(`${name}: model has no buffers`);
  const oldBuffers = r.vectorTargets(r.deref(buffersField));
  for (const b of oldBuffers) {
    // Buffer.offset/size (slots 1, 2) are absolute file positions; prefixing would break them.
    if (r.field(b, 1) !== null || r.field(b, 2) !== null) throw new Error(`${name}: models with external buffers are not supported`);
  }
  const metadataField = r.field(root, MODEL_METADATA);
  const oldMetadata = metadataField === null ? [] : r.vectorTargets(r.deref(metadataField));
  for (const m of oldMetadata) {
    const n = r.field(m, 0);
    if (n !== null && r.string(r.deref(n)) === METADATA_NAME) throw new Error(`${name}: already has TFLite metadata`);
  }
  const metadata = buildImageInputMetadata(name, norm);

  const w = new ByteWriter();
  const toOld: Array<[at: number, oldTarget: number]> = [];
  const rootRef = w.u32(0);
  w.bytes(new TextEncoder().encode('TFL3'));
  const fields: Array<[number, 'offset' | 'u32', number?]> = [];
  for (let slot = 0; slot < Math.max(slots, MODEL_METADATA + 1); slot++) {
    if (slot === MODEL_BUFFERS || slot === MODEL_METADATA) fields.push([slot, 'offset']);
    else if (r.field(root, slot) !== null)
      fields.push(slot === MODEL_VERSION ? [slot, 'u32', r.u32(r.field(root, slot) as number)] : [slot, 'offset']);
  }
  const table = w.table(fields);
  w.link(rootRef, table.at);
  for (const [slot, kind] of fields) {
    if (kind === 'offset' && slot !== MODEL_BUFFERS && slot !== MODEL_METADATA) {
      toOld.push([table.field(slot), r.deref(r.field(root, slot) as number)]);
    }
  }
  // buffers: the old ones, then the metadata buffer
  w.link(table.field(MODEL_BUFFERS), w.u32(oldBuffers.length + 1));
  for (const b of oldBuffers) toOld.push([w.u32(0), b]);
  const newBufferRef = w.u32(0);
  // metadata: the old entries, then TFLITE_METADATA → buffer #oldBuffers.length
  w.link(table.field(MODEL_METADATA), w.u32(oldMetadata.length + 1));
  for (const m of oldMetadata) toOld.push([w.u32(0), m]);
  const newMetadataRef = w.u32(0);
  const entry = w.table([
    [0, 'offset'],
    [1, 'u32', oldBuffers.length],
  ]);
  w.link(newMetadataRef, entry.at);
  w.link(entry.field(0), w.string(METADATA_NAME));
  const buffer = w.table([[0, 'offset']]);
  w.link(newBufferRef, buffer.at);
  w.align(16, 4); // Buffer.data is force_align 16
  w.link(buffer.field(0), w.u32(metadata.length));
  w.bytes(metadata);
  w.align(16); // keeps the original model's own alignment
  const prefixLength = w.length;
  for (const [at, oldTarget] of toOld) w.link(at, prefixLength + oldTarget);

  const out = new Uint8Array(prefixLength + model.length);
  out.set(w.result(), 0);
  out.set(model, prefixLength);
  return out;
}

/** Reads back the input normalization a model declares (for tests and checks); null when none. */
export function readInputNormalization(model: Uint8Array): InputNormalization | null {
  const r = new FlatReader(model);
  const root = r.u32(0);
  const buffersField = r.field(root, MODEL_BUFFERS);
  const metadataField = r.field(root, MODEL_METADATA);
  if (buffersField === null || metadataField === null) return null;
  const buffers = r.vectorTargets(r.deref(buffersField));
  for (const m of r.vectorTargets(r.deref(metadataField))) {
    const n = r.field(m, 0);
    if (n === null || r.string(r.deref(n)) !== METADATA_NAME) continue;
    const data = r.deref(r.field(buffers[r.u32(r.field(m, 1) as number)], 0) as number);
    const meta = model.subarray(data + 4, data + 4 + r.u32(data));
    const mr = new FlatReader(meta);
    const follow = (table: number, slot: number) => {
      const f = mr.field(table, slot);
      if (f === null) throw new Error(`metadata field ${slot} missing`);
      return mr.deref(f);
    };
    const subgraph = mr.vectorTargets(follow(mr.u32(0), 3))[0];
    const tensor = mr.vectorTargets(follow(subgraph, 2))[0];
    const unit = mr.vectorTargets(follow(tensor, 4))[0];
    const options = follow(unit, 1);
    const floats = (v: number) => Array.from({ length: mr.u32(v) }, (_, i) => mr.view.getFloat32(v + 4 + 4 * i, true));
    return { mean: floats(follow(options, 0)), std: floats(follow(options, 1)) };
  }
  return null;
}
