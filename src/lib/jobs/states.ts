// Recipe and job-state names, shared by the server and the browser (no dependencies).
export const RECIPES = ['model-shot', 'outfit-swap', 'scene-swap', 'pose-change', 'portrait'] as const;
export type Recipe = (typeof RECIPES)[number];

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const isTerminal = (s: JobState) => s === 'succeeded' || s === 'failed' || s === 'canceled';

/** Recipes whose body follows the completed pose through an OpenPose ControlNet (SD 1.5 / SDXL only). */
export const POSE_GUIDED: Record<Recipe, boolean> = {
  'model-shot': true,
  'pose-change': true,
  'outfit-swap': true,
  'scene-swap': false,
  portrait: false,
};
