// A typed event source: what one module announces and others follow on the same page (the studio's
// edits reaching the server, an edit kept for later), instead of named window events.
export interface Emitter<T> {
  emit(value: T): void;
  /** Calls `listener` for every later value; returns the unsubscribe. */
  on(listener: (value: T) => void): () => void;
}

export function createEmitter<T>(): Emitter<T> {
  const listeners = new Set<(value: T) => void>();
  return {
    emit(value) {
      // A copy: a listener may unsubscribe (or subscribe another) while being called.
      for (const listener of [...listeners]) listener(value);
    },
    on(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
