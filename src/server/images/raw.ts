// Raw pixel reads that say how many channels they return. sharp decides the output channels from the
// pipeline, not from the input: a one-channel raw buffer that is resized comes back as three channels, so
// every raw read states what it expects and checks it.
import type { Sharp } from 'sharp';

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
}

async function read(img: Sharp, channels: 1 | 3): Promise<RawImage> {
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) throw new Error(`expected ${channels} channel(s) from sharp, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/** One 8-bit channel (the first band: a mask's value, a grey photo's luminance). */
export function greyRaw(img: Sharp): Promise<RawImage> {
  return read(img.extractChannel(0), 1);
}

/** Interleaved 8-bit sRGB, alpha dropped (a grey photo is expanded to three equal channels). */
export function rgbRaw(img: Sharp): Promise<RawImage> {
  return read(img.removeAlpha().toColourspace('srgb'), 3);
}
