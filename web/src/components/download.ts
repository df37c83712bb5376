import { toApiError } from '../api/client';

/**
 * Hands a CSV fetched by the typed client (with the access token, never in a URL; `parseAs:
 * 'blob'`) to the browser as a file. The response streams into a Blob, so a large export does not
 * block the page while it arrives. Answers the server's error message, or null.
 */
export async function downloadCsv(
  filename: string,
  request: () => Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<string | null> {
  const { data, error, response } = await request();
  if (!response.ok) return toApiError(response, error).message;
  const url = URL.createObjectURL(data as Blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return null;
}
