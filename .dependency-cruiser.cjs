/**
 * The module graph runs one way (docs/architecture.md draws it). `npm run lint` runs this check:
 * it fails on any import cycle between files and on any import that goes up or sideways between
 * feature folders. A folder may import from the folders of the layers before its own, never after.
 */
const LAYERS = [
  // Infrastructure, lowest first: the shared pieces (errors, clock, money, logging, events), the
  // configuration, then what it configures.
  ['common'],
  ['config'],
  ['database', 'metrics'],
  ['cache'],
  ['rate-limit', 'health'],
  // Accounts, tokens, who is calling (guards, the authentication service), typed auth events.
  ['auth'],
  ['integration-keys'],
  ['session'],
  // Spending grants: what a user lets an app (OAuth client, integration) spend.
  ['grants'],
  ['credits', 'google-login', 'conversations', 'oauth'],
  ['mcp', 'admin'],
];

const folder = (names) => `^src/(${names.join('|')})/`;

const layerRules = LAYERS.flatMap((layer, index) => {
  const above = LAYERS.slice(index + 1).flat();
  return layer.map((name) => {
    const siblings = layer.filter((other) => other !== name);
    return {
      name: `no-upward-import-from-${name}`,
      comment: `src/${name} may not import ${[...siblings, ...above].join(', ')} (docs/architecture.md).`,
      severity: 'error',
      from: { path: `^src/${name}/` },
      to: { path: folder([...siblings, ...above]) },
    };
  });
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Files may not import each other in a cycle, not even through type-only imports.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-app-root-imports',
      comment: 'Only main.ts and openapi-cli.ts import the application root (app.module, app.factory).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(main|openapi-cli|app\\.factory)\\.ts$' },
      to: { path: '^src/app\\.(module|factory)\\.ts$' },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(test|dist|bench)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
