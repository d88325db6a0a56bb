// Generates the app icons from public/favicon.svg with sharp (run once; the PNGs are small and kept
// in public/icons/): `node src/pwa/make-icons.ts`. The maskable icon keeps the artwork inside the
// central 80% "safe zone" on a full-bleed background, so launchers may crop it to any shape.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const ROOT = path.resolve(import.meta.dirname, '../..');
const svg = readFileSync(path.join(ROOT, 'public/favicon.svg'));
const out = path.join(ROOT, 'public/icons');
mkdirSync(out, { recursive: true });
const BACKGROUND = '#1c1917'; // the favicon's tile colour = the manifest's theme colour

async function plain(size: number, file: string) {
  await sharp(svg, { density: Math.ceil((72 * size) / 64) })
    .resize(size, size)
    .png({ compressionLevel: 9, palette: true })
    .toFile(path.join(out, file));
}

async function maskable(size: number, file: string) {
  const inner = Math.round(size * 0.72);
  const art = await sharp(svg, { density: Math.ceil((72 * inner) / 64) })
    .resize(inner, inner)
    .png()
    .toBuffer();
  await sharp({ create: { width: size, height: size, channels: 4, background: BACKGROUND } })
    .composite([{ input: art, gravity: 'center' }])
    .png({ compressionLevel: 9, palette: true })
    .toFile(path.join(out, file));
}

await plain(192, 'icon-192.png');
await plain(512, 'icon-512.png');
await maskable(512, 'maskable-512.png');
await maskable(180, 'apple-touch-icon.png');
console.log('icons written to public/icons/');
