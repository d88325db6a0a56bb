// Deleting a session: its jobs are canceled first, then its rows (poses, jobs, results, conflict
// copies go with it through ON DELETE CASCADE) and its blobs. The photo, its embedding and
// thumbnails are shared by every session of the same photo, so they go only with the last one.
import { app } from '../app/context.ts';
import { notFound } from '../http/errors.ts';
import { withReserve } from '../store/disk.ts';
import { cancelJob } from '../jobs/service.ts';
import { isTerminal, type JobState } from '../../lib/api/job-states.ts';

/** How long a running job may take to stop after its cancel before the session is removed anyway. */
const SETTLE_MS = 5000;

export async function deleteSession(sessionId: string): Promise<{ id: string; imageDeleted: boolean }> {
  const { db, blobs } = app();
  const row = db.prepare('SELECT image_id FROM sessions WHERE id = ?').get(sessionId) as { image_id: string } | undefined;
  if (!row) throw notFound('The session');
  const jobs = () => db.prepare('SELECT id, state FROM jobs WHERE session_id = ?').all(sessionId) as { id: string; state: JobState }[];

  // Running and queued jobs are canceled through the scheduler (it interrupts the backend), and
  // given a moment to stop, so that no job writes results for a session that is gone.
  const active = jobs().filter((j) => !isTerminal(j.state));
  for (const j of active) await cancelJob(j.id).catch(() => {});
  const until = Date.now() + SETTLE_MS;
  while (active.length && jobs().some((j) => !isTerminal(j.state)) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
  }

  const jobIds = jobs().map((j) => j.id);
  let imageDeleted = false;
  // On a full disk the database needs a little room to delete: the reserve file is given up for it.
  withReserve(app().config.dataDir, () =>
    db.transaction(() => {
      db.prepare('DELETE FROM sessions WHERE id = ?').run(sessionId);
      const others = db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE image_id = ?').get(row.image_id) as { n: number };
      if (others.n === 0) {
        db.prepare('DELETE FROM images WHERE id = ?').run(row.image_id);
        imageDeleted = true;
      }
    })(),
  );
  // Rows first: a crash here leaves only unreferenced files, never rows pointing at missing files.
  await blobs.deletePrefix(`sessions/${sessionId}`);
  for (const id of jobIds) await blobs.deletePrefix(`results/${id}`);
  if (imageDeleted) await blobs.deletePrefix(`images/${row.image_id}`);
  return { id: sessionId, imageDeleted };
}
