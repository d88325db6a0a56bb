// SAM image encoder on the server (onnxruntime-node, MobileSAM by default). One shared session;
// requests queue for it because a second concurrent run would only split the same CPU cores.
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { samInputSize } from '../sam/coords.ts';

export interface EncoderInputImage {
  rgb: Buffer; // interleaved 8-bit RGB
  width: number;
  height: number;
}

export class SamEncoder {
  private session: ort.InferenceSession;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  private constructor(session: ort.InferenceSession) {
    this.session = session;
  }

  static async load(file: string): Promise<SamEncoder> {
    const session = await ort.InferenceSession.create(file, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
    });
    const input = session.inputNames[0];
    const output = session.outputNames[0];
    if (input !== 'input_image' || output !== 'image_embeddings') {
      throw new Error(`${file} is not a SAM image encoder (inputs ${session.inputNames}, outputs ${session.outputNames})`);
    }
    return new SamEncoder(session);
  }

  /** Requests waiting for the encoder (including the running one). */
  get pending(): number {
    return this.waiting;
  }

  /** SAM preprocessing (longer side 1024; the exported model normalises and pads) then one encoder run. */
  embed(image: EncoderInputImage): Promise<Float32Array> {
    this.waiting++;
    const run = this.queue.then(async () => {
      const size = samInputSize(image.width, image.height);
      const resized = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
        .resize(size.width, size.height, { fit: 'fill', kernel: 'cubic' })
        .raw()
        .toBuffer();
      const pixels = new Float32Array(resized.length);
      for (let i = 0; i < resized.length; i++) pixels[i] = resized[i];
      const feeds = { input_image: new ort.Tensor('float32', pixels, [size.height, size.width, 3]) };
      const out = await this.session.run(feeds);
      const tensor = out.image_embeddings;
      if (tensor.dims.join(',') !== '1,256,64,64') throw new Error(`unexpected embedding shape ${tensor.dims}`);
      return tensor.data as Float32Array;
    });
    this.queue = run.catch(() => undefined);
    return run.finally(() => {
      this.waiting--;
    });
  }
}
