import { describe, expect, it } from 'vitest';
import {
  addPending,
  EMPTY_LEDGER,
  fileSignature,
  freshest,
  type Ledger,
  forget,
  markPrepared,
  markUploaded,
  parseLedger,
  sortChosen,
  unfinished,
} from './ledger.ts';

const file = (name: string, size = 100, lastModified = 1) => ({ name, size, lastModified });

describe('batch ledger', () => {
  it('follows a file from chosen to uploaded to prepared, and survives a round trip through storage', () => {
    const a = file('a.jpg');
    const b = file('b.jpg');
    let l = addPending(
      EMPTY_LEDGER,
      [a, b].map((f) => ({ sig: fileSignature(f), name: f.name })),
    );
    l = markUploaded(l, fileSignature(a), 's1');
    l = { ...l, batchId: 'b1' };
    l = parseLedger(JSON.stringify(l));
    expect(unfinished(l)).toEqual({
      notUploaded: [{ sig: fileSignature(b), name: 'b.jpg', sessionId: null, prepared: false }],
      toPrepare: ['s1'],
    });
    l = markPrepared(l, 's1');
    expect(unfinished(l).toPrepare).toEqual([]);
    expect(l.batchId).toBe('b1');
  });

  it('does not upload again a file already in the batch, and takes a file chosen twice once', () => {
    const a = file('a.jpg');
    const l = markUploaded(addPending(EMPTY_LEDGER, [{ sig: fileSignature(a), name: 'a.jpg' }]), fileSignature(a), 's1');
    // Same name, other size: another photo.
    const other = file('a.jpg', 200);
    const c = file('c.jpg');
    const r = sortChosen(l, [a, other, c, c], fileSignature);
    expect(r.alreadyIn).toBe(1);
    expect(r.upload).toEqual([other, c]);
  });

  it('a pending file chosen again is uploaded (not counted as in the batch); a failed one is forgotten', () => {
    const a = file('a.jpg');
    let l = addPending(EMPTY_LEDGER, [{ sig: fileSignature(a), name: 'a.jpg' }]);
    expect(sortChosen(l, [a], fileSignature)).toEqual({ upload: [a], alreadyIn: 0 });
    l = addPending(l, [{ sig: fileSignature(a), name: 'a.jpg' }]);
    expect(l.entries).toHaveLength(1);
    expect(forget(l, fileSignature(a)).entries).toEqual([]);
  });

  it('reads anything unreadable as empty', () => {
    for (const bad of [null, '', '{', '[]', '{"entries":3}', 'null']) expect(parseLedger(bad)).toEqual(EMPTY_LEDGER);
    expect(parseLedger('{"entries":[{"sig":1},{"sig":"x","name":"x","sessionId":null}]}').entries).toEqual([
      { sig: 'x', name: 'x', sessionId: null, prepared: false },
    ]);
  });

  it('two tabs on the same batch: each change goes to the freshest record, so neither loses the other’s uploads', () => {
    const start: Ledger = { batchId: 'b1', entries: [] };
    let stored = JSON.stringify(start);
    const tab = { a: start, b: start };
    const change = (t: 'a' | 'b', f: (l: Ledger) => Ledger) => {
      tab[t] = f(freshest(parseLedger(stored), tab[t]));
      stored = JSON.stringify(tab[t]);
    };
    change('a', (l) => addPending(l, [{ sig: 'a|1|1', name: 'a.jpg' }]));
    change('b', (l) => addPending(l, [{ sig: 'b|1|1', name: 'b.jpg' }])); // tab b never saw a.jpg
    change('a', (l) => markUploaded(l, 'a|1|1', 'sa'));
    expect(parseLedger(stored).entries.map((e) => [e.name, e.sessionId])).toEqual([
      ['a.jpg', 'sa'],
      ['b.jpg', null],
    ]);
    // Storage holding another batch's record: the tab's own is changed, not the other batch's.
    const other = { batchId: 'b2', entries: [{ sig: 'x|1|1', name: 'x.jpg', sessionId: 'sx', prepared: true }] };
    expect(freshest(other, tab.a)).toBe(tab.a);
  });
});
