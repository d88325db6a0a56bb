import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiErrorMessage, TRANSLATED_ERROR_CODES } from './api-errors.ts';

/** Every error code the server can answer with, read from its source (throws, refusals, the fallbacks). */
function codesInSource(): Set<string> {
  const root = path.resolve(import.meta.dirname, '..');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
    (f) => /\.(ts|mjs)$/.test(f) && !f.includes('.test.') && /^(server|pages)\/|^middleware\.ts$/.test(f),
  );
  const codes = new Set<string>();
  const patterns = [
    /new ApiError\(\s*\d+,\s*'([a-z_]+)'/g,
    /badRequest\(\s*'([a-z_]+)'/g,
    /problem(?:Response)?\(\s*\d+,\s*'([a-z_]+)'/g,
    /error: \{ code: '([a-z_]+)'/g,
  ];
  for (const f of files) {
    const text = readFileSync(path.join(root, f), 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) codes.add(m[1]!);
    if (/notFound\(/.test(text)) codes.add('not_found');
  }
  return codes;
}

describe('server errors in Chinese', () => {
  it('every code the server answers with has a Chinese message', () => {
    const codes = codesInSource();
    expect(codes.size).toBeGreaterThan(40); // the scan found the throws
    expect([...codes].filter((c) => !TRANSLATED_ERROR_CODES.includes(c))).toEqual([]);
  });

  it('fills in the numbers, or says it plainly without them', () => {
    expect(apiErrorMessage('file_too_large', 'The file is larger than 40 MB.', 'zh-CN', { max: '40 MB' })).toBe(
      '文件超过 40 MB。请上传更小的照片。',
    );
    expect(apiErrorMessage('file_too_large', 'The file is larger than 40 MB.', 'zh-CN')).toBe('文件太大。请上传更小的照片。');
    expect(apiErrorMessage('too_many_uploads', 'x', 'zh-CN', { limit: 120, seconds: 7 })).toBe(
      '这个工作区一分钟内已上传 120 张照片（每分钟上限 120 张）。请 7 秒后再试。',
    );
  });

  it('English stays the server’s own words; an unknown code keeps them too', () => {
    expect(apiErrorMessage('empty_file', 'The file is empty.', 'en')).toBe('The file is empty.');
    expect(apiErrorMessage('some_new_code', 'Something new.', 'zh-CN')).toBe('Something new.');
  });
});
