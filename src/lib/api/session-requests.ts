// What the sessions list accepts besides its page (src/server/store/page.ts).
import { z } from 'zod';

/** `?q=`: the part of a session's name to look for (empty: every session). */
export const SessionSearch = z.string().trim().max(100, 'search for at most 100 characters');
