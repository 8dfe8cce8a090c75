/* Switchboard web chat widget. Embed with:
 *   <script src="https://YOUR-SERVER/widget.js" data-channel="WIDGET-KEY"></script>
 * Plain JS, no framework, no eval; its own DOM with inline styles. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.__switchboardWebchat) return;
  window.__switchboardWebchat = true;
  var widgetKey = script.getAttribute('data-channel') || '';
  var origin = new URL(script.src, location.href).origin;
  var socketUrl = origin.replace(/^http/, 'ws') + '/webchat';
  var storeKey = 'switchboard-webchat:' + origin + ':' + widgetKey;
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(storeKey) || '{}') || {}; } catch { saved = {}; }
  function persist() { try { localStorage.setItem(storeKey, JSON.stringify(saved)); } catch { /* private mode */ } }

  function el(tag, style, attrs) {
    var node = document.createElement(tag);
    Object.keys(style || {}).forEach(function (k) { node.style[k] = style[k]; });
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  var font = 'system-ui, -apple-system, Segoe UI, sans-serif';
  var root = el('div', { position: 'fixed', right: '20px', bottom: '20px', zIndex: '2147483000', fontFamily: font, fontSize: '14px' }, { 'data-switchboard-webchat': '' });
  var button = el('button', { background: '#2563eb', color: '#fff', border: 'none', borderRadius: '24px', padding: '12px 18px', cursor: 'pointer', boxShadow: '0 4px 12px rgba(0,0,0,.2)', font: 'inherit' }, { type: 'button', 'data-testid': 'webchat-open', 'aria-label': 'Open chat' });
  button.textContent = 'Chat with us';
  var panel = el('div', { display: 'none', flexDirection: 'column', width: '320px', height: '420px', background: '#fff', color: '#111', border: '1px solid #ddd', borderRadius: '12px', boxShadow: '0 8px 24px rgba(0,0,0,.2)', overflow: 'hidden' }, { role: 'dialog', 'data-testid': 'webchat-panel' });
  var header = el('div', { background: '#2563eb', color: '#fff', padding: '10px 12px', display: 'flex', justifyContent: 'space-between', alignItems: 'center' });
  var title = el('strong', {}, { 'data-testid': 'webchat-title' });
  title.textContent = 'Chat';
  var status = el('span', { fontSize: '11px', opacity: '.85', marginLeft: '8px' }, { 'data-testid': 'webchat-status', 'data-status': 'connecting' });
  status.textContent = 'connecting…';
  var close = el('button', { background: 'transparent', color: '#fff', border: 'none', cursor: 'pointer', fontSize: '18px' }, { type: 'button', 'aria-label': 'Close chat' });
  close.textContent = '×';
  var titleBox = el('div');
  titleBox.appendChild(title);
  titleBox.appendChild(status);
  header.appendChild(titleBox);
  header.appendChild(close);
  var about = el('div', { display: saved.introduced ? 'none' : 'flex', gap: '6px', padding: '8px', borderBottom: '1px solid #eee' });
  var nameInput = el('input', { flex: '1', minWidth: '0', padding: '6px', border: '1px solid #ccc', borderRadius: '6px', font: 'inherit' }, { placeholder: 'Name (optional)', maxlength: '80', 'data-testid': 'webchat-name' });
  var emailInput = el('input', { flex: '1', minWidth: '0', padding: '6px', border: '1px solid #ccc', borderRadius: '6px', font: 'inherit' }, { placeholder: 'Email (optional)', type: 'email', maxlength: '254', 'data-testid': 'webchat-email' });
  about.appendChild(nameInput);
  about.appendChild(emailInput);
  var list = el('div', { flex: '1', overflowY: 'auto', padding: '8px', display: 'flex', flexDirection: 'column', gap: '6px', background: '#f8fafc' }, { 'data-testid': 'webchat-messages' });
  var form = el('form', { display: 'flex', gap: '6px', padding: '8px', borderTop: '1px solid #eee' });
  var input = el('input', { flex: '1', padding: '8px', border: '1px solid #ccc', borderRadius: '6px', font: 'inherit' }, { placeholder: 'Type a message…', maxlength: '2000', 'data-testid': 'webchat-input', 'aria-label': 'Message' });
  var sendButton = el('button', { background: '#2563eb', color: '#fff', border: 'none', borderRadius: '6px', padding: '8px 12px', cursor: 'pointer', font: 'inherit' }, { type: 'submit', 'data-testid': 'webchat-send' });
  sendButton.textContent = 'Send';
  form.appendChild(input);
  form.appendChild(sendButton);
  panel.appendChild(header);
  panel.appendChild(about);
  panel.appendChild(list);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(button);
  (document.body || document.documentElement).appendChild(root);

  function setOpen(open) {
    panel.style.display = open ? 'flex' : 'none';
    button.style.display = open ? 'none' : 'inline-block';
    saved.open = open;
    persist();
    if (open) { input.focus(); ackShown(); }
  }
  button.addEventListener('click', function () { setOpen(true); });
  close.addEventListener('click', function () { setOpen(false); });

  var shown = {};
  var pending = []; // frames typed while offline, sent on reconnect (idempotent by clientMessageId)
  function render(message) {
    if (shown[message.id]) return;
    shown[message.id] = true;
    var mine = message.from === 'visitor';
    var bubble = el('div', { alignSelf: mine ? 'flex-end' : 'flex-start', maxWidth: '80%', padding: '6px 10px', borderRadius: '10px', background: mine ? '#2563eb' : '#e5e7eb', color: mine ? '#fff' : '#111', whiteSpace: 'pre-wrap', wordBreak: 'break-word' }, { 'data-testid': 'webchat-message', 'data-from': message.from, 'data-id': message.id });
    bubble.textContent = message.body;
    list.appendChild(bubble);
    list.scrollTop = list.scrollHeight;
  }
  var unacked = [];
  function ackShown() {
    if (!unacked.length || panel.style.display === 'none') return;
    if (send({ type: 'ack', messageIds: unacked.slice(0, 100) })) unacked = unacked.slice(100);
  }

  var ws = null;
  var attempt = 0;
  function send(frame) {
    if (!ws || ws.readyState !== 1 || !ws.ready) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }
  function setStatus(value, text) { status.setAttribute('data-status', value); status.textContent = text; }
  function connect() {
    setStatus('connecting', 'connecting…');
    var socket = new WebSocket(socketUrl);
    ws = socket;
    socket.onopen = function () {
      var hello = { type: 'hello', widgetKey: widgetKey, visitorToken: saved.token || null };
      if (saved.name) hello.name = saved.name;
      if (saved.email) hello.email = saved.email;
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame.type === 'welcome') {
        attempt = 0;
        socket.ready = true;
        saved.token = frame.visitorToken;
        persist();
        title.textContent = frame.title;
        setStatus('online', 'online');
        frame.history.forEach(function (m) { render(m); if (m.from === 'agent') unacked.push(m.id); });
        var queue = pending; pending = [];
        queue.forEach(function (f) { if (!send(f)) pending.push(f); });
        ackShown();
      } else if (frame.type === 'message') {
        render(frame.message);
        if (frame.clientMessageId) pending = pending.filter(function (f) { return f.clientMessageId !== frame.clientMessageId; });
        if (frame.message.from === 'agent') { unacked.push(frame.message.id); ackShown(); }
      }
    };
    socket.onclose = function (event) {
      if (ws !== socket) return;
      ws = null;
      if (event.code === 4404) { setStatus('offline', 'unavailable'); return; }
      setStatus('offline', 'reconnecting…');
      var delay = Math.min(30000, 500 * Math.pow(2, attempt++)) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = input.value.trim();
    if (!body) return;
    if (!saved.introduced) {
      saved.name = nameInput.value.trim().slice(0, 80) || undefined;
      var email = emailInput.value.trim();
      saved.email = /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) ? email.slice(0, 254) : undefined;
      saved.introduced = true;
      about.style.display = 'none';
      persist();
    }
    var frame = { type: 'send', clientMessageId: Date.now().toString(36) + Math.random().toString(36).slice(2, 10), body: body.slice(0, 2000) };
    if (saved.name) frame.name = saved.name;
    if (saved.email) frame.email = saved.email;
    pending.push(frame);
    send(frame);
    input.value = '';
  });

  if (saved.open) setOpen(true);
  connect();
})();
