// SAM image encoder on the server (onnxruntime-node; the family src/lib/sam/model.ts names, MobileSAM).
// One shared session; requests queue for it because a second concurrent run would only split the same CPU cores.
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { samInputSize } from '../../lib/sam/coords.ts';
import { encoderInputDims, encoderInputValues } from '../../lib/sam/encoder-input.ts';
import { SAM_MODEL, embeddingLength, encoderOutputNames, signatureProblem, type SamModelDescription } from '../../lib/sam/model.ts';

export interface EncoderInputImage {
  rgb: Buffer; // interleaved 8-bit RGB
  width: number;
  height: number;
}

export class SamEncoder {
  private session: ort.InferenceSession;
  private model: SamModelDescription;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  private constructor(session: ort.InferenceSession, model: SamModelDescription) {
    this.session = session;
    this.model = model;
  }

  static async load(file: string, model: SamModelDescription = SAM_MODEL): Promise<SamEncoder> {
    const session = await ort.InferenceSession.create(file, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
    });
    const expected = { inputs: [model.encoder.input], outputs: encoderOutputNames(model) };
    const problem = signatureProblem(`${file} (${model.title} image encoder)`, expected, session);
    if (problem) throw new Error(problem);
    return new SamEncoder(session, model);
  }

  /** Requests waiting for the encoder (including the running one). */
  get pending(): number {
    return this.waiting;
  }

  /**
   * SAM preprocessing (MobileSAM: longer side 1024; the exported model normalises and pads) then one encoder
   * run. Returns the embedding's tensors end to end, in the description's order (one tensor: its data).
   */
  embed(image: EncoderInputImage): Promise<Float32Array> {
    this.waiting++;
    const model = this.model;
    const run = this.queue.then(async () => {
      const size = samInputSize(image.width, image.height, model);
      const resized = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
        .resize(size.width, size.height, { fit: 'fill', kernel: 'cubic' })
        .raw()
        .toBuffer();
      const input = new ort.Tensor('float32', encoderInputValues(model, resized, size), encoderInputDims(model, size));
      const out = await this.session.run({ [model.encoder.input]: input });
      const parts = model.embedding.tensors.map((spec) => {
        const tensor = out[spec.name];
        if (tensor.dims.join(',') !== spec.dims.join(',')) throw new Error(`unexpected ${spec.name} shape ${tensor.dims}`);
        return tensor.data as Float32Array;
      });
      if (parts.length === 1) return parts[0];
      const values = new Float32Array(embeddingLength(model));
      let offset = 0;
      for (const part of parts) {
        values.set(part, offset);
        offset += part.length;
      }
      return values;
    });
    this.queue = run.catch(() => undefined);
    return run.finally(() => {
      this.waiting--;
    });
  }
}
