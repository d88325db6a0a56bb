// Task bookkeeping of the SD WebUI test double, as A1111/Forge `modules/progress.py` keeps it (read at A1111
// 6685e53 = v1.10.1 for these lines, Forge dfdcbab): a request's task id is added to `pending_tasks` before it
// waits for queue_lock (api.py add_task_to_queue), moved to `current_task` when its job starts (start_task),
// and to the last 16 `finished_tasks` only when it succeeds (finish_task is not in a finally: a failed task
// stays "active" until the next one starts). `POST /internal/progress` answers from these. TEST TOOL ONLY.

const FINISHED_KEPT = 16; // progress.py: finished_tasks.pop(0) beyond 16

export interface TaskRegistry {
  /** api.py: `force_task_id or create_task_id(type)`; create_task_id = "task(<type>-<7 chars>)". */
  idFor(forced: unknown, type: 'txt2img' | 'img2img'): string;
  add(id: string): void;
  start(id: string): void;
  finish(id: string): void;
  current(): string | null;
  pending(): string[];
  /** The /internal/progress flags for an id. */
  flags(id: string | undefined): { active: boolean; queued: boolean; completed: boolean; position: number; waiting: number };
}

export function createTaskRegistry(): TaskRegistry {
  const pending = new Map<string, number>();
  const finished: string[] = [];
  let current: string | null = null;
  return {
    idFor(forced, type) {
      if (typeof forced === 'string' && forced) return forced;
      const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
      let res = '';
      for (let i = 0; i < 7; i++) res += chars[Math.floor(Math.random() * chars.length)];
      return `task(${type}-${res})`;
    },
    add(id) {
      pending.set(id, Date.now());
    },
    start(id) {
      pending.delete(id);
      current = id;
    },
    finish(id) {
      if (current === id) current = null;
      finished.push(id);
      if (finished.length > FINISHED_KEPT) finished.shift();
    },
    current: () => current,
    pending: () => [...pending.keys()],
    flags(id) {
      // `req.id_task == current_task`: an omitted id matches while no task has run (None == None).
      const active = (id ?? null) === current;
      const queued = id !== undefined && pending.has(id);
      const completed = id !== undefined && finished.includes(id);
      const ids = [...pending.keys()];
      return { active, queued, completed, position: ids.indexOf(id ?? '') + 1, waiting: ids.length };
    },
  };
}
