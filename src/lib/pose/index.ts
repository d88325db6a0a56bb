// Pose completion, OpenPose conversion and skeleton rendering. Pure: runs in the browser and on the server.
export * from './types.ts';
export { completePose, completeObservations, type CompleteOptions, type Observation } from './complete.ts';
export { estimateSilhouetteAnchors, type SilhouetteAnchors } from './silhouette.ts';
export { observeMediaPipe, VISIBILITY_THRESHOLD, PRESENCE_THRESHOLD, MEDIAPIPE_INDEX } from './mediapipe.ts';
export { PROPORTIONS, TEMPLATE } from './proportions.ts';
export { toOpenPoseJson, fromOpenPoseJson, scalePose, type OpenPoseJson, type OpenPosePerson } from './openpose.ts';
export { renderSkeleton } from './render.ts';
export { JOINT_COLORS, LIMBS, limbColor, stickWidthFor } from './skeleton.ts';
export { POSE_PRESETS, PRESET_IDS, applyPreset, placePreset, getPreset, type PosePreset, type PresetId } from './presets.ts';
export { poseSchema, poseSchemaFor, parsePose, COORDINATE_BAND } from './schema.ts';
