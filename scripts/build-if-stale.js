// `npm start`'s prestart: builds (`npm run build`, ~10 s) only when a source is newer than the
// last build, so a restart without changes starts at once. `npm run build` always builds.
'use strict';
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

/** What the build reads, relative to the project root. */
const SOURCES = [
  'src',
  'migrations',
  'web',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
];
/** What each build writes last-ish, one per half (server, web app). */
const OUTPUTS = ['dist/src/main.js', 'dist/web/index.html'];

function newestChange(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestChange(join(path, entry)));
  }
  return newest;
}

/** The sources changed since the build in `root` (or there is none). */
function isStale(root) {
  const built = Math.min(
    ...OUTPUTS.map((file) =>
      existsSync(join(root, file)) ? statSync(join(root, file)).mtimeMs : 0,
    ),
  );
  return SOURCES.some((source) => newestChange(join(root, source)) > built);
}

module.exports = { isStale };

if (require.main === module) {
  const root = join(__dirname, '..');
  if (isStale(root)) {
    execSync('npm run build', { cwd: root, stdio: 'inherit' });
  } else {
    process.stdout.write('dist/ is newer than every source: starting without a build\n');
  }
}
