// Job-state names, shared by the server and the browser (no dependencies). Recipes live in
// src/lib/recipes/table.ts.
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const isTerminal = (s: JobState) => s === 'succeeded' || s === 'failed' || s === 'canceled';
