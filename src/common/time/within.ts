/**
 * What `promise` resolves to, or `fallback` once `ms` of real time have passed (shutdown waits:
 * they bound how long a process takes to stop, so they do not follow the injectable clock).
 */
export async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<T>((resolve) => (timer = setTimeout(resolve, ms, fallback))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
