// The OpenAPI document describes every API route and method the access table knows (and nothing else), and its
// request bodies are the schemas the routes validate with.
import { describe, expect, it } from 'vitest';
import { CreateJobSchema } from '../../src/lib/api/job-request.ts';
import { ROUTE_ACCESS } from '../../src/server/auth/access.ts';
import { openApiDocument } from '../../src/server/http/openapi.ts';

type Paths = Record<
  string,
  Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>
>;

describe('openapi.json', () => {
  const doc = openApiDocument('http://studio.test') as { openapi: string; paths: Paths };

  it('is OpenAPI 3.1 and lists exactly the API routes and methods of the access table', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const routed = Object.entries(ROUTE_ACCESS)
      .filter(([p]) => p.startsWith('/api/') && p !== '/api/[...path]')
      .flatMap(([p, rule]) => Object.keys(rule.methods).map((m) => `${m} ${p.replace(/\[(\w+)\]/g, '{$1}')}`))
      .sort();
    expect(documented).toEqual(routed);
  });

  it('takes the job request body from the schema POST /api/jobs validates with', () => {
    const schema = doc.paths['/api/jobs']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(Object.keys(CreateJobSchema.shape).sort());
  });
});
