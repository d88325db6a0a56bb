// What this device is, for choices such as the pose model's size (src/lib/device/pose-model.ts).
import { choosePoseModel, type DeviceFacts } from '../lib/device/pose-model.ts';

/** On the server (islands render there first) there is no device: the facts of a desktop. */
export function deviceFacts(): DeviceFacts {
  if (typeof matchMedia !== 'function') return { coarsePointer: false, screenShortSide: 1080, saveData: false, deviceMemoryGiB: null };
  const nav = navigator as Navigator & { connection?: { saveData?: boolean }; deviceMemory?: number };
  return {
    coarsePointer: matchMedia('(pointer: coarse)').matches,
    screenShortSide: Math.min(screen.width, screen.height),
    saveData: !!nav.connection?.saveData,
    deviceMemoryGiB: typeof nav.deviceMemory === 'number' ? nav.deviceMemory : null,
  };
}

/** The pose model URL for this device, from the page's two (full and lite). */
export function poseModelForDevice(urls: { full: string | null; lite: string | null }): string | null {
  return choosePoseModel(urls, deviceFacts());
}

/**
 * `?debug` in the address: engineers' read-outs (milliseconds, pixel counts) are shown; merchants never see them.
 * Remembered for the tab, so that moving between steps and pages keeps it.
 */
export function debugReadouts(): boolean {
  if (typeof location === 'undefined') return false;
  if (new URLSearchParams(location.search).has('debug')) sessionStorage.setItem('atelier-debug', '1');
  return sessionStorage.getItem('atelier-debug') === '1';
}
