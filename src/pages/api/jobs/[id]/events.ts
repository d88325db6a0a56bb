import { parseId, route } from '../../../../server/http/errors.ts';
import { subscribeJob } from '../../../../server/jobs/events.ts';
import { getJobJson } from '../../../../server/jobs/service.ts';
import { isTerminal } from '../../../../lib/api/job-request.ts';

const HEARTBEAT_MS = 15_000;

// GET /api/jobs/:id/events — Server-Sent Events, one `job` event per change (state, progress, step,
// eta, preview URL, result URLs). Watching costs the backend nothing: the scheduler polls once per job.
export const GET = route(({ params, request }) => {
  const id = parseId(params.id, 'Job');
  const first = getJobJson(id);
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const send = (data: unknown) => {
        if (open) controller.enqueue(encoder.encode(`event: job\ndata: ${JSON.stringify(data)}\n\n`));
      };
      cleanup = () => {
        if (!open) return;
        open = false;
        unsubscribe();
        clearInterval(heartbeat);
        try {
          controller.close();
        } catch {
          /* already closed by the client */
        }
      };
      const unsubscribe = subscribeJob(id, (u) => {
        send(u.job);
        if (u.terminal) cleanup();
      });
      const heartbeat = setInterval(() => open && controller.enqueue(encoder.encode(': keep-alive\n\n')), HEARTBEAT_MS);
      request.signal.addEventListener('abort', () => cleanup());
      // Tell the browser to reconnect quickly after a dropped connection.
      controller.enqueue(encoder.encode('retry: 2000\n\n'));
      send(first);
      if (isTerminal(first.state)) cleanup();
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' },
  });
});
