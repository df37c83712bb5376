/** The package.json version, set by vite at build time. */
declare const __APP_VERSION__: string;
