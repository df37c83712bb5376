/**
 * The `/chat` try-it page: plain HTML + one script, no build step. The script is served from
 * `/chat/app.js` (helmet's CSP allows same-origin scripts only) and uses the Socket.IO client the
 * server itself serves at `/socket.io/socket.io.js`.
 */
export const CHAT_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Smart AI Hub · Chat</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 760px; margin: 2rem auto; padding: 0 1rem; color: #222; }
  fieldset { border: 1px solid #ccc; border-radius: 6px; margin-bottom: 1rem; }
  input, select, textarea, button { font: inherit; padding: .35rem .5rem; }
  textarea { width: 100%; box-sizing: border-box; min-height: 5rem; }
  #output { white-space: pre-wrap; border: 1px solid #ddd; border-radius: 6px; padding: .75rem; min-height: 4rem; background: #fafafa; }
  #status { color: #555; margin: .5rem 0; }
  .error { color: #b00020; }
  .row { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; margin: .25rem 0; }
</style>
</head>
<body>
<h1>Chat</h1>
<fieldset id="login">
  <legend>Sign in</legend>
  <div class="row"><input id="code" placeholder="VERIFIED-… session code" size="40" autocomplete="off"><button id="use-code">Use code</button></div>
  <div class="row">or <input id="email" type="email" placeholder="email"><input id="password" type="password" placeholder="password"><button id="log-in">Log in</button></div>
</fieldset>
<fieldset id="chat" disabled>
  <legend>Ask</legend>
  <div class="row"><label>Model <select id="model"></select></label> <span id="price"></span></div>
  <textarea id="prompt" placeholder="Your message"></textarea>
  <div class="row"><button id="send">Send</button><button id="stop" disabled>Stop</button></div>
</fieldset>
<div id="status">Not connected.</div>
<div id="output" aria-live="polite"></div>
<p>Cost: <span id="cost">–</span> credits · Balance: <span id="balance">–</span> credits</p>
<script src="/socket.io/socket.io.js"></script>
<script src="/chat/app.js"></script>
</body>
</html>`;

export const CHAT_PAGE_SCRIPT = `'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  let socket = null;
  let models = [];
  let current = null;

  function status(text, isError) {
    $('status').textContent = text;
    $('status').className = isError ? 'error' : '';
  }

  async function loadModels() {
    const res = await fetch('/api/mcp/v1/models');
    models = (await res.json()).models;
    $('model').innerHTML = '';
    for (const m of models) {
      const option = document.createElement('option');
      option.value = m.id;
      option.textContent = m.name + (m.available ? '' : ' (unavailable)');
      option.disabled = !m.available;
      $('model').appendChild(option);
    }
    showPrice();
  }

  function showPrice() {
    const m = models.find((x) => x.id === $('model').value);
    $('price').textContent = m ? m.inputPricePer1k + ' in / ' + m.outputPricePer1k + ' out per 1,000 tokens' : '';
  }

  function connect(token) {
    if (socket) socket.close();
    status('Connecting…');
    socket = io('/mcp', { auth: { token: token }, transports: ['websocket'] });
    socket.on('connect', () => { status('Connected.'); $('chat').disabled = false; });
    socket.on('connect_error', (e) => status('Could not connect: ' + e.message, true));
    socket.on('disconnect', (reason) => { status('Disconnected: ' + reason, true); $('chat').disabled = true; });
    socket.on('chat:chunk', (c) => { if (c.requestId === current) $('output').textContent += c.delta; });
    socket.on('chat:end', (e) => {
      if (e.requestId !== current) return;
      finish();
      $('cost').textContent = e.cost;
      $('balance').textContent = e.balance;
      status('Done (' + e.model + (e.fallbackFrom ? ', fallback from ' + e.fallbackFrom : '') + ', ' +
        e.usage.inputTokens + ' in / ' + e.usage.outputTokens + ' out tokens).');
    });
    socket.on('chat:error', (e) => {
      if (e.requestId !== current) return;
      finish();
      $('cost').textContent = e.cost;
      status(e.code + ': ' + e.message, e.code !== 'CANCELLED');
    });
  }

  function finish() {
    current = null;
    $('send').disabled = false;
    $('stop').disabled = true;
  }

  $('use-code').addEventListener('click', () => connect($('code').value.trim()));
  $('log-in').addEventListener('click', async () => {
    const res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: $('email').value, password: $('password').value }),
    });
    const body = await res.json();
    if (!res.ok) return status('Login failed: ' + body.message, true);
    connect(body.access_token);
  });
  $('model').addEventListener('change', showPrice);
  $('send').addEventListener('click', () => {
    const text = $('prompt').value.trim();
    if (!text || !socket) return;
    current = 'web-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    $('output').textContent = '';
    $('cost').textContent = '…';
    $('send').disabled = true;
    $('stop').disabled = false;
    status('Streaming…');
    const requestId = current;
    socket.emit('chat:start', { requestId: requestId, model: $('model').value, messages: [{ role: 'user', content: text }] }, (ack) => {
      if (!ack.ok && current === requestId) { finish(); status(ack.code + ': ' + ack.message, true); }
    });
  });
  $('stop').addEventListener('click', () => { if (current) socket.emit('chat:cancel', { requestId: current }); });
  loadModels().catch((e) => status('Could not load models: ' + e.message, true));
})();
`;
