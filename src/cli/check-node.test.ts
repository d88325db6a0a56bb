import { describe, expect, it } from 'vitest';
import { nodeProblem } from './check-node.mjs';

describe('the Node check before npm install', () => {
  it('lets Node 22.12 and newer through anywhere', () => {
    for (const v of ['v22.12.0', 'v24.21.0', 'v26.0.1']) expect(nodeProblem(v, 'darwin', 'arm64')).toBeNull();
  });

  it('lets an older Node through on Linux x64, where the project brings Node 24', () => {
    expect(nodeProblem('v20.20.2', 'linux', 'x64')).toBeNull();
  });

  it('stops an older Node elsewhere, saying what to install', () => {
    expect(nodeProblem('v20.20.2', 'darwin', 'arm64')).toMatch(/needs Node\.js 24.*v20\.20\.2.*\.nvmrc/);
    expect(nodeProblem('v22.11.0', 'linux', 'arm64')).toMatch(/needs Node\.js 24/);
  });
});
