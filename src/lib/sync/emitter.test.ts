import { describe, expect, it } from 'vitest';
import { createEmitter } from './emitter.ts';

describe('createEmitter', () => {
  it('calls each listener with each value until it unsubscribes', () => {
    const e = createEmitter<number>();
    const a: number[] = [];
    const b: number[] = [];
    const offA = e.on((v) => a.push(v));
    e.on((v) => b.push(v));
    e.emit(1);
    offA();
    e.emit(2);
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
  });

  it('lets a listener unsubscribe while it is being called', () => {
    const e = createEmitter<string>();
    const seen: string[] = [];
    const off = e.on((v) => {
      seen.push(`once:${v}`);
      off();
    });
    e.on((v) => seen.push(`always:${v}`));
    e.emit('x');
    e.emit('y');
    expect(seen).toEqual(['once:x', 'always:x', 'always:y']);
  });
});
