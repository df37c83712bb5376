import { authorizedFetch } from '../api/api';
import { readError } from '../api/http';

/**
 * Fetches a CSV with the access token (never in a URL) and hands it to the browser as a file.
 * The response streams into a Blob, so a large export does not block the page while it arrives.
 */
export async function downloadCsv(
  path: string,
  filename: string,
  init: { method?: string; body?: unknown } = {},
): Promise<string | null> {
  const res = await authorizedFetch(path, { ...init, headers: { Accept: 'text/csv' } });
  if (!res.ok) return (await readError(res)).message;
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return null;
}
