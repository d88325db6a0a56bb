// The browser's declared API types against what the server's functions return. The checks are types:
// `astro check` (part of `npm test`) fails when a route's answer and its declared type drift apart.
import { describe, expect, it } from 'vitest';
import type { getSession, listSessions, MaskSaveResult } from '../../server/sessions/service.ts';
import type { PoseSaveResult, SavedPose } from '../../server/sessions/pose.ts';
import type { ConflictJson as ServerConflict } from '../../server/sessions/conflicts.ts';
import type { JobJson as ServerJob, ResultJson as ServerResult, sessionJobs, sessionResultsPage } from '../../server/jobs/service.ts';
import type { backendStatus } from '../../server/jobs/backend-status.ts';
import type * as Api from './types.ts';

/** True when each type is assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <A, B>(ok: Same<A, B>) => ok;

describe('API types', () => {
  it('match what the server answers', () => {
    const checks = [
      same<Api.SessionJson, ReturnType<typeof listSessions>['sessions'][number]>(true),
      same<Api.SessionPageJson, ReturnType<typeof listSessions>>(true),
      same<Api.SessionDetailJson, ReturnType<typeof getSession>>(true),
      same<Api.ConflictJson, ServerConflict>(true),
      same<Api.MaskSaveJson, MaskSaveResult>(true),
      same<Api.SavedPoseJson, SavedPose>(true),
      same<Api.PoseSaveJson, PoseSaveResult>(true),
      same<Api.ResultJson, ServerResult>(true),
      same<Api.JobJson, ServerJob>(true),
      same<Api.SessionResultsJson, ReturnType<typeof sessionResultsPage> & { jobs: ReturnType<typeof sessionJobs> }>(true),
      same<Omit<Api.BackendStatusJson, 'message'>, Awaited<ReturnType<typeof backendStatus>>>(true),
    ];
    expect(checks.every(Boolean)).toBe(true);
  });
});
