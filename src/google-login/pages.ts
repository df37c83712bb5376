import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { escapeHtml } from '../common/http/escape-html';

export { escapeHtml };

export const RETURN_TO_TARGETS = ['chatgpt', 'api'] as const;
export type ReturnTo = (typeof RETURN_TO_TARGETS)[number];

const INSTRUCTIONS: Record<ReturnTo, string> = {
  chatgpt: 'กรุณาคัดลอกรหัสนี้และส่งกลับไปที่ ChatGPT:',
  api: 'กรุณาคัดลอกรหัสนี้และนำไปใส่ในแอปพลิเคชันที่ขอให้คุณเข้าสู่ระบบ:',
};

const STYLE = `
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI","Noto Sans Thai",Tahoma,Arial,sans-serif;
background:#f8fafc;color:#0f172a;line-height:1.6}
main{max-width:34rem;margin:0 auto;padding:2rem 1rem;text-align:center}
h1{font-size:1.6rem;margin:0 0 1rem}
.code{display:block;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1.35rem;
font-weight:700;color:#1d4ed8;background:#eff6ff;border:2px solid #bfdbfe;border-radius:.5rem;
padding:1rem;margin:1rem 0;overflow-wrap:anywhere;word-break:break-all;user-select:all;-webkit-user-select:all}
button,.button{display:inline-block;font:inherit;font-size:1.05rem;padding:.75rem 1.5rem;background:#2563eb;
color:#fff;border:0;border-radius:.4rem;cursor:pointer;text-decoration:none;min-height:44px}
button:focus-visible,.button:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
.status{min-height:1.6em;margin:.75rem 0;font-weight:600;color:#15803d}
.hint{font-size:.9rem;color:#475569}
.link{color:#1d4ed8;font-weight:600}
.error h1{color:#b91c1c}
.warning{background:#fef3c7;border:1px solid #f59e0b;border-radius:.4rem;padding:.75rem;text-align:left}
`;

interface PageParts {
  title: string;
  body: string;
  script?: string;
}

/**
 * Sends a page of our own: no caching, no referrer, and a CSP that allows only this page's own
 * style and script (by nonce) and nothing else — no inline handlers, no external resources.
 */
export function sendPage(res: Response, status: number, parts: PageParts): void {
  const nonce = randomBytes(16).toString('base64');
  const script = parts.script ? `<script nonce="${nonce}">${parts.script}</script>` : '';
  const html = `<!DOCTYPE html>
<html lang="th">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(parts.title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main>
${parts.body}
</main>
${script}
</body>
</html>
`;
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; ` +
      `base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  res.send(html);
}

// Copies with the Clipboard API; where it is missing or refused, selects the code and asks for
// Ctrl+C. The button is shown only when this script runs: without JavaScript the code is plain,
// selectable text and the <noscript> hint says how to copy it.
const COPY_SCRIPT = `
(function () {
  var code = document.getElementById('code');
  var button = document.getElementById('copy');
  var status = document.getElementById('status');
  function select() {
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function manual() {
    select();
    status.textContent = 'เลือกรหัสให้แล้ว กด Ctrl+C (หรือ ⌘+C บน Mac) เพื่อคัดลอก';
  }
  button.hidden = false;
  button.addEventListener('click', function () {
    var text = code.textContent.trim();
    if (!navigator.clipboard || !window.isSecureContext) return manual();
    navigator.clipboard.writeText(text).then(function () {
      status.textContent = '✓ คัดลอกรหัสแล้ว';
      button.textContent = '✓ คัดลอกแล้ว';
    }, manual);
  });
})();
`;

export interface SuccessPageData {
  code: string;
  returnTo: ReturnTo;
  email: string;
  /**
   * How the login met the service's pending claim: bound (with the service that is already
   * waiting, when one polled), completed or started elsewhere (S-12), or none.
   */
  claim: { state: 'bound'; client: string | null } | { state: 'elsewhere' } | { state: 'none' };
  unclaimedTtlMinutes: number;
}

/** The page the third party's user sees after a session-mode Google login. */
export function sendSuccessPage(res: Response, data: SuccessPageData): void {
  const claim = data.claim;
  if (claim.state === 'bound' && claim.client) {
    // One instruction: the service that is polling connects by itself; nothing to paste.
    sendPage(res, 200, {
      title: 'Login สำเร็จ - Smart AI Hub',
      body: `<h1>✅ Login สำเร็จ!</h1>
<p class="client">บริการ <strong>${escapeHtml(claim.client)}</strong> กำลังเชื่อมต่อกับบัญชีของคุณโดยอัตโนมัติ ไม่ต้องคัดลอกรหัสใด ๆ กลับไปที่บริการได้เลย</p>
<p class="hint">เข้าสู่ระบบด้วย ${escapeHtml(data.email)} · ${escapeHtml(claim.client)} connects to your account by itself: nothing to copy.</p>
<p><a class="link" href="/dashboard">เปิดบัญชีของฉัน (ยอดเครดิต ประวัติ แชท) · Open my account</a></p>`,
    });
    return;
  }
  const elsewhere =
    claim.state === 'elsewhere'
      ? `\n<p class="warning" role="alert">⚠️ คำขอเข้าสู่ระบบของบริการนี้ถูกเริ่มหรือทำเสร็จแล้วในเบราว์เซอร์อื่น บริการจะไม่ถูกเชื่อมกับบัญชีนี้โดยอัตโนมัติ หากคุณไม่ได้ทำเอง อย่าใช้ลิงก์นั้นต่อ<br><span class="hint">This service's login was started or already completed in another browser: it will not be connected to this account automatically.</span></p>`
      : '';
  sendPage(res, 200, {
    title: 'Login สำเร็จ - Smart AI Hub',
    body: `<h1>✅ Login สำเร็จ!</h1>${elsewhere}
<p>${escapeHtml(INSTRUCTIONS[data.returnTo])}</p>
<code class="code" id="code">${escapeHtml(data.code)}</code>
<button type="button" id="copy" hidden>📋 คัดลอกรหัส</button>
<p class="status" id="status" role="status" aria-live="polite"></p>
<noscript><p>เลือกรหัสด้านบนแล้วกด Ctrl+C (หรือ ⌘+C บน Mac) เพื่อคัดลอก</p></noscript>
<p class="hint">เข้าสู่ระบบด้วย ${escapeHtml(data.email)}<br>
รหัสนี้ใช้แทนการเข้าสู่ระบบของคุณ ห้ามแชร์ให้ผู้อื่น และต้องนำไปใช้ภายใน ${data.unclaimedTtlMinutes} นาที</p>
<p><a class="link" href="/dashboard">เปิดบัญชีของฉัน (ยอดเครดิต ประวัติ แชท) · Open my account</a></p>`,
    script: COPY_SCRIPT,
  });
}

export function sendErrorPage(
  res: Response,
  status: number,
  error: { thai: string; english: string; retryUrl?: string },
): void {
  const retry = error.retryUrl
    ? `<p><a class="button" href="${escapeHtml(error.retryUrl)}">ลองเข้าสู่ระบบอีกครั้ง</a></p>`
    : '';
  sendPage(res, status, {
    title: 'เข้าสู่ระบบไม่สำเร็จ - Smart AI Hub',
    body: `<div class="error"><h1>เข้าสู่ระบบไม่สำเร็จ</h1>
<p>${escapeHtml(error.thai)}</p>
${retry}
<p class="hint">${escapeHtml(error.english)}</p></div>`,
  });
}
