import { app } from '../../../../server/app/context.ts';
import { batchCatalogue } from '../../../../server/batches/service.ts';
import { notFound, parseId, route } from '../../../../server/http/errors.ts';
import { zipStream, type ZipEntry } from '../../../../server/http/zip.ts';
import { resultKey } from '../../../../server/jobs/runner.ts';

// GET /api/batches/:id/results.zip — the catalogue: a folder per photo (named after its file) with its results
// and parameters.json. Streamed one result at a time.
export const GET = route(({ params }) => {
  const id = parseId(params.id, 'Batch');
  const { batch, folders } = batchCatalogue(id);
  if (folders.length === 0) throw notFound('Results for this batch');
  const { blobs } = app();
  function* entries(): Generator<ZipEntry> {
    for (const f of folders) {
      const names = f.results.map((r, i) => `${f.folder}/${String(i + 1).padStart(2, '0')}-${r.params.recipe}-seed${r.seed ?? 'x'}.png`);
      for (const [i, r] of f.results.entries()) {
        yield { name: names[i]!, data: async () => new Uint8Array(await blobs.get(resultKey(r.jobId, r.id))) };
      }
      const described = f.results.map((r, i) => ({ file: names[i]!.split('/').pop(), seed: r.seed, checks: r.checks, ...r.params }));
      yield { name: `${f.folder}/parameters.json`, data: async () => new TextEncoder().encode(JSON.stringify(described, null, 2)) };
    }
  }
  const file = (batch.name || `batch-${id.slice(0, 8)}`).replace(/[^\w .-]/g, '_');
  return new Response(zipStream(entries()), {
    headers: {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${file}.zip"`,
      'cache-control': 'no-store',
    },
  });
});
