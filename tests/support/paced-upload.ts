// A photo upload (POST /api/images, multipart field "image") sent at the test's pace: the headers at once,
// then the body in pieces on demand, so a test can hold an upload open, stall it, or drop it mid-body.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { TEST_API_KEY } from './auth.ts';

export interface UploadAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { error?: { code: string; message: string }; session?: { id: string }; image?: { id: string } };
}

export interface PacedUpload {
  /** Body bytes (multipart framing included) sent so far, and in all. */
  readonly sent: number;
  readonly total: number;
  /** Sends the next `bytes` of the body. */
  send(bytes: number): void;
  /** Sends the rest of the body. */
  finish(): void;
  /** Drops the connection, as a client that goes away does. */
  abort(): void;
  /** The server's answer; rejects when the connection ends without one. */
  answer: Promise<UploadAnswer>;
  /** Resolves when the connection is gone (answered or not). */
  closed: Promise<void>;
}

export function pacedUpload(baseUrl: string, photo: Buffer, opts: { filename?: string; type?: string } = {}): PacedUpload {
  const boundary = `atelier-${randomBytes(8).toString('hex')}`;
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${opts.filename ?? 'photo.jpg'}"\r\n` +
    `Content-Type: ${opts.type ?? 'image/jpeg'}\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head), photo, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const req = http.request(`${baseUrl}/api/images`, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': body.length,
      authorization: `Bearer ${TEST_API_KEY}`,
    },
  });
  req.flushHeaders();
  let sent = 0;
  let responded = false;
  const answer = new Promise<UploadAnswer>((resolve, reject) => {
    req.on('response', (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: UploadAnswer['body'] = {};
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON (Node's own 408) */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!responded) reject(new Error('the connection closed without an answer'));
    });
  });
  answer.catch(() => {});
  const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
  return {
    get sent() {
      return sent;
    },
    total: body.length,
    send(bytes) {
      const chunk = body.subarray(sent, Math.min(body.length, sent + bytes));
      sent += chunk.length;
      if (!req.destroyed) req.write(chunk);
    },
    finish() {
      const rest = body.subarray(sent);
      sent = body.length;
      if (!req.destroyed) req.end(rest);
    },
    abort() {
      req.destroy();
    },
    answer,
    closed,
  };
}
