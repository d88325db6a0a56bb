// Recipe and job-state names, shared by the server and the browser (no dependencies).
export const RECIPES = ['model-shot', 'outfit-swap', 'scene-swap', 'pose-change', 'portrait'] as const;
export type Recipe = (typeof RECIPES)[number];

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const isTerminal = (s: JobState) => s === 'succeeded' || s === 'failed' || s === 'canceled';
