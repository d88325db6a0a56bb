// One of a click's candidate shapes as a small picture: the photo with that shape tinted in the selection's colour.
import { createEffect, type JSX } from 'solid-js';
import type { Rgb } from '../lib/sam/overlay-colour.ts';

export default function CandidateThumb(props: {
  photo: HTMLImageElement;
  mask: Uint8Array;
  width: number;
  height: number;
  colour: Rgb;
}): JSX.Element {
  let canvas!: HTMLCanvasElement;
  createEffect(() => {
    const { width, height, mask, colour, photo } = props;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    // The photo, dimmed outside the shape, so that the shape reads at 48 px.
    ctx.drawImage(photo, 0, 0, width, height);
    const pixels = ctx.getImageData(0, 0, width, height);
    const d = pixels.data;
    for (let i = 0; i < mask.length; i++) {
      const o = i * 4;
      if (mask[i]) {
        d[o] = (d[o]! + colour[0] * 1.5) / 2.5;
        d[o + 1] = (d[o + 1]! + colour[1] * 1.5) / 2.5;
        d[o + 2] = (d[o + 2]! + colour[2] * 1.5) / 2.5;
      } else {
        d[o] = d[o]! * 0.45;
        d[o + 1] = d[o + 1]! * 0.45;
        d[o + 2] = d[o + 2]! * 0.45;
      }
    }
    ctx.putImageData(pixels, 0, 0);
  });
  // The share of the photo the shape covers: what tests compare with the selection it gives.
  const share = () => (props.mask.reduce((n, v) => n + v, 0) / props.mask.length).toFixed(3);
  return <canvas ref={canvas} width={props.width} height={props.height} class="block h-12 w-auto rounded" data-share={share()} />;
}
