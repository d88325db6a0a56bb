// The stages between choosing a photo and clicking on it, shared by the upload (upload, prepare) and the editor that
// opens next (the selection tool). The editor shows the earlier stages as done only when this tab has just uploaded
// the photo; a session reopened later shows its own loading alone.
import type { MessageKey } from '../i18n/messages.ts';

const KEY = 'atelier-just-uploaded';

export const uploadStages = (m: (key: MessageKey) => string) => [
  m('upload.stage.upload'),
  m('upload.stage.prepare'),
  m('upload.stage.tool'),
];

export function markJustUploaded(sessionId: string): void {
  try {
    sessionStorage.setItem(KEY, sessionId);
  } catch {
    /* storage refused: the editor shows its own stage alone */
  }
}

/** Whether this tab has just uploaded this session's photo (asked once). */
export function takeJustUploaded(sessionId: string): boolean {
  try {
    const id = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    return id === sessionId;
  } catch {
    return false;
  }
}
