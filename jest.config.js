// Two projects: `unit` (src/**/*.spec.ts: pure rules with fakes; no PostgreSQL, no Redis, no
// global setup) and `e2e` (test/**/*.e2e-spec.ts: the real app on PostgreSQL and Redis, found or
// started once by test/support/global-setup.ts). `npx jest` runs both (as `npm test` does);
// `npm run test:unit` / `npm run test:e2e` run one.
//
// Options Jest reads only from the top level (maxWorkers, testTimeout, …) must stay here: inside
// a project entry they are ignored. A project inherits nothing from the top level, so each one
// names its own transform and environment.
const PROJECTS = ['unit', 'e2e'];

/**
 * `--selectProjects` and `--ignoreProjects` take any number of values, so in
 * `jest --selectProjects e2e test/credits/deduct` the path is swallowed as a project name and
 * Jest, finding no such project, silently runs every e2e file (minutes without a result for the
 * file you asked about). Such words are taken back here as path patterns.
 */
function swallowedPathPatterns(argv) {
  const patterns = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].split('=')[0];
    if (flag !== '--selectProjects' && flag !== '--ignoreProjects') continue;
    for (let j = i + 1; j < argv.length && !argv[j].startsWith('-'); j++) {
      if (!PROJECTS.includes(argv[j])) patterns.push(argv[j]);
    }
  }
  return patterns;
}

const pathPatterns = swallowedPathPatterns(process.argv.slice(2));
// Jest runs a test file when its path matches one of the patterns; files matching none are ignored.
const onlyMatching = pathPatterns.length > 0 ? [`^(?!.*(?:${pathPatterns.join('|')})).*$`] : [];

const shared = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // oidc-provider and openid-client (and jose, oauth4webapi under them) ship only ES modules.
    // Node runs them through require(esm) (20.19+); Jest's module system cannot, so ts-jest
    // compiles just these packages to CommonJS (cached after the first run).
    '^.+\\.js$': [
      'ts-jest',
      {
        diagnostics: false,
        tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(oidc-provider|openid-client|oauth4webapi|jose)/)'],
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', ...onlyMatching],
};

module.exports = {
  maxWorkers: 2,
  testTimeout: 60000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testRegex: ['src/.*\\.spec\\.ts$'],
      // Refuses connections to PostgreSQL and Redis: a unit test must not need them.
      setupFilesAfterEnv: ['<rootDir>/test/support/unit-isolation.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testRegex: ['test/.*\\.e2e-spec\\.ts$'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
