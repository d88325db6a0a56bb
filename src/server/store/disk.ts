// A full disk is a state the studio lives through, not a crash. Server-only.
//
// The data dir's free space is read from the file system (statfs). Below `minFreeBytes` the studio is "full":
// uploads and generations are refused with 507 before they write anything, while deleting and clean-up go on.
// Deleting needs a little room too (SQLite appends to its WAL before it can free pages), so a small reserve file
// is kept in the data dir and given up when a delete meets a full disk; it is made again once there is room.
import { closeSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ApiError, DISK_FULL_MESSAGE } from '../http/errors.ts';

const RESERVE_FILE = '.space-reserve';
const RESERVE_BYTES = 8 * 1024 * 1024;

export interface DiskState {
  freeBytes: number;
  minFreeBytes: number;
  full: boolean;
}

export function diskState(dataDir: string, minFreeBytes: number): DiskState {
  const s = statfsSync(dataDir);
  const freeBytes = Number(s.bavail) * Number(s.bsize);
  return { freeBytes, minFreeBytes, full: freeBytes < minFreeBytes };
}

/** ENOSPC from the file system or SQLITE_FULL from the database. */
export function isDiskFullError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT';
}

export function diskFullError(): ApiError {
  return new ApiError(507, 'disk_full', DISK_FULL_MESSAGE);
}

/** Refuses work that writes new data while the disk is full. */
export function assertRoom(dataDir: string, minFreeBytes: number): void {
  if (diskState(dataDir, minFreeBytes).full) throw diskFullError();
}

/** Makes the reserve file when there is room for it (best effort: a full disk simply has none yet). */
export function keepReserve(dataDir: string, minFreeBytes: number): void {
  const file = path.join(dataDir, RESERVE_FILE);
  try {
    if (diskState(dataDir, minFreeBytes).freeBytes < minFreeBytes + RESERVE_BYTES) return;
    const fd = openSync(file, 'wx');
    try {
      const chunk = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < RESERVE_BYTES / chunk.length; i++) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Exists already, or no room: either way nothing to do now.
  }
}

/** Gives the reserve up so that a delete can reach the database on a full disk. */
export function releaseReserve(dataDir: string): boolean {
  const file = path.join(dataDir, RESERVE_FILE);
  try {
    rmSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Runs `work`; when it meets a full disk, gives up the reserve and tries once more. */
export function withReserve<T>(dataDir: string, work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (!isDiskFullError(err) || !releaseReserve(dataDir)) throw err;
    return work();
  }
}
