import { describe, expect, it } from 'vitest';
import {
  edited,
  initialDocument,
  isUnsaved,
  keptOnDevice,
  needsSaving,
  saveAccepted,
  saveFailed,
  saveStarted,
  showingKept,
  syncSettled,
  type DocumentState,
} from './document.ts';

const applied = { applied: true, conflict: null };

describe('a synced document', () => {
  it('starts saved (or dirty: a detected pose not saved yet), untouched', () => {
    const s = initialDocument(3);
    expect(s).toMatchObject({ status: 'saved', rev: 3, touched: false });
    expect(needsSaving(s)).toBe(false);
    const detected = initialDocument(0, 'dirty');
    expect(needsSaving(detected)).toBe(true);
    // Nothing the merchant did would be lost by leaving.
    expect(isUnsaved(detected)).toBe(false);
  });

  it('an edit marks it dirty and unsaved; the accepted save makes it saved at the new revision', () => {
    let s = edited(initialDocument(1));
    expect(s).toMatchObject({ status: 'dirty', touched: true, version: 1 });
    expect(isUnsaved(s)).toBe(true);
    const version = s.version;
    s = saveStarted(s);
    expect(s.status).toBe('saving');
    expect(isUnsaved(s)).toBe(true);
    s = saveAccepted(s, version, { rev: 2, ...applied });
    expect(s).toMatchObject({ status: 'saved', touched: false, rev: 2, conflict: null });
    expect(isUnsaved(s)).toBe(false);
  });

  it('an edit made while saving keeps it dirty after the save', () => {
    let s = saveStarted(edited(initialDocument(1)));
    const version = s.version;
    s = edited(s);
    s = saveAccepted(s, version, { rev: 2, ...applied });
    expect(s).toMatchObject({ status: 'dirty', touched: true, rev: 2 });
  });

  it('the answer to a save says whether a conflict copy was made', () => {
    const s = saveStarted(edited(initialDocument(1)));
    expect(saveAccepted(s, s.version, { rev: 3, applied: true, conflict: { id: 'c' } }).conflict).toBe('kept');
    const lost = saveAccepted(s, s.version, { rev: 5, applied: false, conflict: { id: 'c' } });
    expect(lost).toMatchObject({ conflict: 'lost', rev: 5 });
    // The next save builds on what the server kept.
    expect(saveStarted(edited(lost)).conflict).toBeNull();
  });

  it('offline, the save is kept on the device: pending until the sync settles it', () => {
    let s = saveStarted(edited(initialDocument(4)));
    s = keptOnDevice(s, s.version);
    expect(s).toMatchObject({ status: 'pending', touched: false });
    expect(needsSaving(s)).toBe(false);
    expect(isUnsaved(s)).toBe(false);
    s = syncSettled(s, { applied: true, rev: 5, conflict: null });
    expect(s).toMatchObject({ status: 'saved', rev: 5, conflict: null });
  });

  it('a kept save overtaken by an edit stays dirty', () => {
    let s = saveStarted(edited(initialDocument(4)));
    const version = s.version;
    s = keptOnDevice(edited(s), version);
    expect(s).toMatchObject({ status: 'dirty', touched: true });
  });

  it('a sync that lost to a newer version says so and keeps the revision', () => {
    const s = syncSettled(showingKept(initialDocument(2)), { applied: false, rev: 7, conflict: { id: 'x' } });
    expect(s).toMatchObject({ status: 'saved', rev: 2, conflict: 'lost' });
  });

  it('a refused sync is an error, and the edit is unsaved again', () => {
    const s = syncSettled(showingKept(initialDocument(2)), { applied: false, rev: null, conflict: null, error: 'gone' });
    expect(s).toMatchObject({ status: 'error', error: 'gone', touched: true });
    expect(isUnsaved(s)).toBe(true);
    expect(needsSaving(s)).toBe(true);
  });

  it('a sync report leaves newer states alone (only pending settles)', () => {
    const dirty: DocumentState = edited(showingKept(initialDocument(2)));
    expect(syncSettled(dirty, { applied: true, rev: 3, conflict: null })).toMatchObject({ status: 'dirty', rev: 3 });
  });

  it('a failed save is an error with its reason, and can be saved again', () => {
    const s = saveFailed(saveStarted(edited(initialDocument(0))), 'Network error');
    expect(s).toMatchObject({ status: 'error', error: 'Network error' });
    expect(needsSaving(s)).toBe(true);
    expect(isUnsaved(s)).toBe(true);
  });
});
