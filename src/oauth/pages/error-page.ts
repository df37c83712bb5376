import { escapeHtml } from '../../common/http/escape-html';

/** The provider's own error page (a bad authorization request shown to the person). */
export function renderErrorPage(out: { error: string; error_description?: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Authorization error · ข้อผิดพลาด</title></head>
<body><main>
<h1>Authorization error · ข้อผิดพลาดในการอนุญาต</h1>
<p><code>${escapeHtml(out.error)}</code></p>
<p>${escapeHtml(out.error_description ?? '')}</p>
</main></body>
</html>`;
}
