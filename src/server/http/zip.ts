// A ZIP streamed as the client reads it: each entry's bytes are fetched only when the previous ones were taken,
// so a catalogue of hundreds of results never sits in memory (one result at a time). Entries are stored, not
// compressed: PNGs are compressed already.
import { Zip, ZipPassThrough } from 'fflate';

export interface ZipEntry {
  name: string;
  data: () => Promise<Uint8Array>;
}

export function zipStream(entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>): ReadableStream<Uint8Array> {
  const source: AsyncIterator<ZipEntry> | Iterator<ZipEntry> =
    Symbol.asyncIterator in entries ? entries[Symbol.asyncIterator]() : (entries as Iterable<ZipEntry>)[Symbol.iterator]();
  const ready: Uint8Array[] = [];
  let finished = false;
  let failure: unknown = null;
  const zip = new Zip((err, chunk, final) => {
    if (err) failure = err;
    else {
      ready.push(chunk);
      if (final) finished = true;
    }
  });
  let ended = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          while (ready.length === 0 && !finished && !failure) {
            if (ended) break;
            const next = await source.next();
            if (next.done) {
              ended = true;
              zip.end();
              continue;
            }
            const entry = new ZipPassThrough(next.value.name);
            zip.add(entry);
            entry.push(await next.value.data(), true);
          }
        } catch (err) {
          failure = err;
        }
        if (failure) return controller.error(failure);
        while (ready.length) controller.enqueue(ready.shift()!);
        if (finished) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}
