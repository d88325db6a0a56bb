// How tests and benches start Chromium here: Debian's package (or CHROMIUM_PATH), with the flags this
// closed network needs (no background networking, no component updates, no sync, no QUIC).
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
