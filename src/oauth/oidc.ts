/**
 * oidc-provider is an ES module only. Node (20.19+) loads it with `require` (require(esm)), and
 * Jest through its transform (jest.config.js); TypeScript (module node16) needs its types
 * imported in import mode. Everything in src/oauth takes it from here.
 */
import type * as Oidc from 'oidc-provider' with { 'resolution-mode': 'import' };

// It warns on load about Node 20 (it supports the current LTS lines; it runs on 20.19+, which can
// require() it, and the tests run it there): the engines field and the Dockerfile say which Node.
/* eslint-disable no-console */
const warn = console.warn;
console.warn = (...args: unknown[]) => {
  if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
};
let oidc: typeof Oidc;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  oidc = require('oidc-provider') as typeof Oidc;
} finally {
  console.warn = warn;
}
/* eslint-enable no-console */

export const Provider = oidc.default;
export type Provider = Oidc.default;
export const errors = oidc.errors;
export type Adapter = Oidc.Adapter;
export type AdapterPayload = Oidc.AdapterPayload;
export type ClientMetadata = Oidc.ClientMetadata;
export type Configuration = Oidc.Configuration;
export type KoaContextWithOIDC = Oidc.KoaContextWithOIDC;
