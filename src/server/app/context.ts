// Process-wide services for API routes: configuration, database, blob store, SAM encoder.
// Created lazily on first use so that importing a route never touches the disk. Tests run the
// services on a context of their own (a temp data dir) through setAppContext.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getConfig, type Config } from '../../config.ts';
import { openDatabase, type Db } from '../store/db.ts';
import type { BlobStore } from '../store/blobs.ts';
import { openBlobStore } from '../store/open.ts';
import { SamEncoder } from '../embedding/encoder.ts';
import { FETCH_COMMAND, isUsable, modelPath, modelStatuses, type ModelStatus } from '../models/status.ts';
import { ApiError } from '../http/errors.ts';
import { assertRoom, diskState, keepReserve, type DiskState } from '../store/disk.ts';
import { checkpoint } from '../store/check.ts';
import { sweepUploadLeftovers } from '../images/upload-leftovers.ts';

export interface AppContext {
  config: Config;
  db: Db;
  blobs: BlobStore;
}

let ctx: AppContext | null = null;

/** Opens the database and the blob store of `config.dataDir` (creating it when new). */
export function openAppContext(config: Config): AppContext {
  mkdirSync(config.dataDir, { recursive: true });
  return {
    config,
    db: openDatabase(path.join(config.dataDir, 'atelier.sqlite')),
    blobs: openBlobStore(config),
  };
}

export function app(): AppContext {
  if (!ctx) {
    const opened = openAppContext(getConfig());
    ctx = opened;
    // Uploads a crash cut short are removed first (uploads wait for it: src/server/images/upload-leftovers.ts).
    void sweepUploadLeftovers(opened);
    keepReserve(opened.config.dataDir, opened.config.minFreeBytes);
    // On exit (a stop, a signal) the WAL goes into the main file and the connection closes.
    process.once('exit', () => {
      checkpoint(opened.db);
      opened.db.close();
    });
  }
  return ctx;
}

/** Makes `next` the context every service uses; null: the process-wide one again, opened on next use. */
export function setAppContext(next: AppContext | null): void {
  ctx = next;
}

/** The data dir's free space against the configured minimum. */
export function disk(): DiskState {
  const { config } = app();
  return diskState(config.dataDir, config.minFreeBytes);
}

/** Refuses (507) work that would write new data while the disk is full. */
export function assertDiskRoom(): void {
  const { config } = app();
  assertRoom(config.dataDir, config.minFreeBytes);
}

/** Really writes (and removes) a file: permission bits say nothing about a full or read-only disk. */
export function dataDirWritable(): boolean {
  const probe = path.join(app().config.dataDir, `.health-${process.pid}`);
  try {
    writeFileSync(probe, 'ok');
    rmSync(probe, { force: true });
    return true;
  } catch {
    return false;
  }
}

export function models(): Promise<ModelStatus[]> {
  const { config } = app();
  return modelStatuses(config.modelsDir, config.allowTestModels);
}

let encoder: Promise<SamEncoder> | null = null;
let encoderLoaded = false;

/** Whether the SAM encoder is in memory (it loads on the first upload, or at start-up warm-up). */
export function isEncoderLoaded(): boolean {
  return encoderLoaded;
}

/** The shared encoder, loaded on first use; a clear 503 when the model file is not there. */
export async function samEncoder(): Promise<SamEncoder> {
  const status = (await models()).find((m) => m.role === 'sam-encoder');
  if (!isUsable(status)) {
    throw new ApiError(
      503,
      'model_missing',
      `The segmentation model is not installed on the server (${status?.message ?? `run \`${FETCH_COMMAND}\``}).`,
    );
  }
  encoder ??= SamEncoder.load(modelPath(app().config.modelsDir, 'sam-encoder')).then(
    (e) => {
      encoderLoaded = true;
      return e;
    },
    (err) => {
      encoder = null;
      throw err;
    },
  );
  return encoder;
}
