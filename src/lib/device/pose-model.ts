// Which pose landmark model this device downloads: the lite one (5.5 MiB, ~4.7 compressed) on phones and on a
// connection the browser asks to spare, the full one (9 MiB) elsewhere, where it is steadier on partial bodies.

export interface DeviceFacts {
  /** A touch screen as the main pointer. */
  coarsePointer: boolean;
  /** The screen's shorter side in CSS pixels. */
  screenShortSide: number;
  /** The browser's Save-Data preference (navigator.connection.saveData). */
  saveData: boolean;
  /** navigator.deviceMemory in GiB, when the browser tells. */
  deviceMemoryGiB: number | null;
}

/** Phones: a touch screen whose shorter side is under 600 CSS px (tablets get the full model). */
export function isPhoneClass(d: DeviceFacts): boolean {
  return d.coarsePointer && d.screenShortSide < 600;
}

export function choosePoseModel(urls: { full: string | null; lite: string | null }, d: DeviceFacts): string | null {
  const light = isPhoneClass(d) || d.saveData || (d.deviceMemoryGiB != null && d.deviceMemoryGiB <= 2);
  return light ? (urls.lite ?? urls.full) : (urls.full ?? urls.lite);
}
