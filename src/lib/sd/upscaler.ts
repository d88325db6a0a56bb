// Which of the server's upscalers brings a generated image to the photo's resolution. Pure.
//
// ESRGAN-class models add the fine detail a plain resize cannot (A1111/Forge list them by name in
// /sdapi/v1/upscalers next to plain resamplers). Preferred in this order; anime-tuned models and LDSR (a slow
// diffusion upscaler) are never picked automatically. The operator can name one (ATELIER_UPSCALER).

const RESAMPLERS = new Set(['None', 'Lanczos', 'Nearest']);
const PREFERRED = [
  /ultrasharp/i,
  /^R-ESRGAN 4x\+$/i,
  /^ESRGAN_4x$/i,
  /R-ESRGAN General/i,
  /SwinIR/i,
  /\bDAT\b/i,
  /\bHAT\b/i,
  /ESRGAN/i,
  /ScuNET/i,
];
const NEVER_AUTO = /anime|LDSR/i;

export interface UpscalerChoice {
  name: string;
  /** Named by the operator rather than picked from the list. */
  configured: boolean;
}

/**
 * The upscaler to use: the configured one when the server has it (exact name), else the first preferred model
 * the server lists, else null (the studio then resizes, and says so in the result's details).
 */
export function pickUpscaler(names: readonly string[], configured: string | null = null): UpscalerChoice | null {
  if (configured && names.includes(configured)) return { name: configured, configured: true };
  const models = names.filter((n) => !RESAMPLERS.has(n) && !NEVER_AUTO.test(n));
  for (const pattern of PREFERRED) {
    const hit = models.find((n) => pattern.test(n));
    if (hit) return { name: hit, configured: false };
  }
  return null;
}
