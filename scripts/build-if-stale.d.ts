/** True when a source in `root` changed since its last build (or it has none). */
export function isStale(root: string): boolean;
