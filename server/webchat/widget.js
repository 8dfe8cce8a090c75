/* Switchboard web chat widget. Embed with:
 *   <script src="https://YOUR-SERVER/widget.js" data-channel="WIDGET-KEY"></script>
 * Plain JS, no framework, no eval; its own DOM with inline styles. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.__switchboardWebchat) return;
  window.__switchboardWebchat = true;
  var widgetKey = script.getAttribute('data-channel') || '';
  // Filled in by the server from protocol/attachments.ts, so the widget checks the server's own limits.
  var config = /*SWITCHBOARD_CONFIG*/ null || { attachmentsPath: '/webchat/attachments', visitorHeader: 'x-switchboard-visitor', types: {}, maxFiles: 10, maxTotalBytes: 5242880 };
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
  var errorLine = el('div', { display: 'none', padding: '6px 8px', background: '#fef2f2', color: '#991b1b', fontSize: '12px', borderTop: '1px solid #fecaca' }, { role: 'alert', 'data-testid': 'webchat-error' });
  var staged = el('div', { display: 'none', flexWrap: 'wrap', gap: '4px', padding: '6px 8px 0' }, { 'data-testid': 'webchat-staged' });
  var list = el('div', { flex: '1', overflowY: 'auto', padding: '8px', display: 'flex', flexDirection: 'column', gap: '6px', background: '#f8fafc' }, { 'data-testid': 'webchat-messages' });
  var form = el('form', { display: 'flex', gap: '6px', padding: '8px', borderTop: '1px solid #eee' });
  var fileInput = el('input', { display: 'none' }, { type: 'file', multiple: '', accept: Object.keys(config.types).join(','), 'data-testid': 'webchat-file' });
  var attachButton = el('button', { background: '#fff', color: '#2563eb', border: '1px solid #2563eb', borderRadius: '6px', padding: '8px', cursor: 'pointer', font: 'inherit' }, { type: 'button', 'data-testid': 'webchat-attach', 'aria-label': 'Attach a file', title: 'Attach a file' });
  attachButton.textContent = 'Attach';
  var input = el('input', { flex: '1', minWidth: '0', padding: '8px', border: '1px solid #ccc', borderRadius: '6px', font: 'inherit' }, { placeholder: 'Type a message…', maxlength: '2000', 'data-testid': 'webchat-input', 'aria-label': 'Message' });
  var sendButton = el('button', { background: '#2563eb', color: '#fff', border: 'none', borderRadius: '6px', padding: '8px 12px', cursor: 'pointer', font: 'inherit' }, { type: 'submit', 'data-testid': 'webchat-send' });
  sendButton.textContent = 'Send';
  form.appendChild(fileInput);
  form.appendChild(attachButton);
  form.appendChild(input);
  form.appendChild(sendButton);
  panel.appendChild(header);
  panel.appendChild(about);
  panel.appendChild(list);
  panel.appendChild(errorLine);
  panel.appendChild(staged);
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
  // Inline satisfaction surveys (issue 12 §2): 1–5 buttons and an optional comment under the agent's message.
  var surveyBoxes = {};
  function renderSurvey(messageId, survey) {
    var box = surveyBoxes[messageId];
    if (!box) {
      box = el('div', { alignSelf: 'flex-start', maxWidth: '90%', padding: '8px 10px', borderRadius: '10px', background: '#fff', border: '1px solid #cbd5e1', color: '#111' }, { 'data-testid': 'webchat-survey', role: 'group', 'aria-label': 'Rate this chat' });
      surveyBoxes[messageId] = box;
      list.appendChild(box);
    }
    box.setAttribute('data-state', survey.state);
    box.textContent = '';
    if (survey.state !== 'open') {
      box.textContent = survey.state === 'answered' ? 'Thank you! You rated this chat ' + survey.rating + ' out of 5.' : 'This survey has expired.';
      return;
    }
    var prompt = el('div', { marginBottom: '6px', fontWeight: '600' });
    prompt.textContent = 'How did we do? 1 = very unhappy, 5 = very happy';
    var comment = el('input', { width: '100%', boxSizing: 'border-box', padding: '6px', border: '1px solid #64748b', borderRadius: '6px', font: 'inherit', marginBottom: '6px' }, { placeholder: 'Comment (optional)', maxlength: '1000', 'aria-label': 'Comment (optional)', 'data-testid': 'webchat-survey-comment' });
    var buttons = el('div', { display: 'flex', gap: '4px' });
    [1, 2, 3, 4, 5].forEach(function (n) {
      var b = el('button', { flex: '1', padding: '8px 0', border: '1px solid #1d4ed8', borderRadius: '6px', background: '#fff', color: '#1d4ed8', cursor: 'pointer', font: 'inherit', fontWeight: '700' }, { type: 'button', 'aria-label': 'Rate ' + n + ' out of 5', 'data-testid': 'webchat-survey-rate', 'data-rating': String(n) });
      b.textContent = String(n);
      b.addEventListener('click', function () {
        if (!send({ type: 'surveyAnswer', surveyId: survey.id, rating: n, comment: comment.value.trim().slice(0, 1000) })) showError('You are offline; rate again when the chat is back.');
      });
      buttons.appendChild(b);
    });
    box.appendChild(prompt);
    box.appendChild(comment);
    box.appendChild(buttons);
  }
  function render(message) {
    if (shown[message.id]) {
      // A history after a reconnect: only a survey's state may have moved on.
      if (message.survey) renderSurvey(message.id, message.survey);
      return;
    }
    shown[message.id] = true;
    var mine = message.from === 'visitor';
    var bubble = el('div', { alignSelf: mine ? 'flex-end' : 'flex-start', maxWidth: '80%', padding: '6px 10px', borderRadius: '10px', background: mine ? '#2563eb' : '#e5e7eb', color: mine ? '#fff' : '#111', whiteSpace: 'pre-wrap', wordBreak: 'break-word' }, { 'data-testid': 'webchat-message', 'data-from': message.from, 'data-id': message.id });
    if (message.body) bubble.appendChild(document.createTextNode(message.body));
    (message.attachments || []).forEach(function (a) { bubble.appendChild(renderAttachment(a, mine)); });
    list.appendChild(bubble);
    if (message.survey) renderSurvey(message.id, message.survey);
    list.scrollTop = list.scrollHeight;
  }
  var previewable = { 'image/jpeg': 1, 'image/png': 1, 'image/gif': 1, 'image/webp': 1 };
  function formatBytes(n) { return n < 1024 ? n + ' B' : n < 1048576 ? Math.round(n / 1024) + ' KB' : (n / 1048576).toFixed(1) + ' MB'; }
  // Files are read with the visitor token in a header (never in a URL), then shown from a blob.
  function fetchAttachment(a) {
    var headers = {};
    headers[config.visitorHeader] = saved.token || '';
    return fetch(origin + config.attachmentsPath + '/' + encodeURIComponent(a.id) + '?widget=' + encodeURIComponent(widgetKey), { headers: headers, mode: 'cors', credentials: 'omit', cache: 'no-store' })
      .then(function (res) { if (!res.ok) throw new Error('status ' + res.status); return res.blob(); })
      .then(function (blob) { return URL.createObjectURL(blob); });
  }
  function renderAttachment(a, mine) {
    var box = el('div', { marginTop: '4px' });
    if (previewable[a.contentType]) {
      var img = el('img', { display: 'block', maxWidth: '100%', maxHeight: '200px', borderRadius: '6px', background: '#cbd5e1', minWidth: '40px', minHeight: '40px' }, { alt: a.name, 'data-testid': 'webchat-attachment-image', 'data-name': a.name });
      box.appendChild(img);
      fetchAttachment(a).then(function (url) { img.src = url; img.setAttribute('data-loaded', 'true'); }, function () { img.setAttribute('data-loaded', 'failed'); img.alt = a.name + ' (could not be loaded)'; });
      return box;
    }
    var link = el('a', { color: mine ? '#fff' : '#1d4ed8', textDecoration: 'underline', cursor: 'pointer' }, { href: '#', 'data-testid': 'webchat-attachment', 'data-name': a.name, download: a.name });
    link.textContent = a.name + ' (' + formatBytes(a.size) + ')';
    var loading = false;
    link.addEventListener('click', function (event) {
      if (link.getAttribute('data-loaded') === 'true') return; // the blob URL downloads itself
      event.preventDefault();
      if (loading) return;
      loading = true;
      fetchAttachment(a).then(function (url) {
        link.href = url;
        link.setAttribute('data-loaded', 'true');
        link.click();
      }, function () { showError('Could not download ' + a.name + '; try again.'); }).then(function () { loading = false; });
    });
    box.appendChild(link);
    return box;
  }

  var errorTimer = null;
  function showError(text) {
    errorLine.textContent = text;
    errorLine.style.display = text ? 'block' : 'none';
    if (errorTimer) clearTimeout(errorTimer);
    if (text) errorTimer = setTimeout(function () { showError(''); }, 8000);
  }

  // ---- attachments: checked here with the server's limits, uploaded over HTTP, named in `send`
  var stagedFiles = [];
  var sending = false;
  function typeOf(file) {
    var declared = (file.type || '').split(';')[0].trim().toLowerCase();
    if (config.types[declared]) return declared;
    var ext = (/\.([a-z0-9]{1,8})$/i.exec(file.name) || [])[1];
    if (!ext) return null;
    ext = ext.toLowerCase();
    var found = null;
    Object.keys(config.types).forEach(function (t) { if (!found && config.types[t].indexOf(ext) >= 0) found = t; });
    return found;
  }
  function stage(files) {
    for (var i = 0; i < files.length; i++) {
      var file = files[i];
      var type = typeOf(file);
      if (!type) { showError(file.name + ' cannot be sent: attach images, PDF, audio, video, vCard or plain text.'); continue; }
      if (file.size <= 0) { showError(file.name + ' is empty.'); continue; }
      var total = stagedFiles.reduce(function (n, f) { return n + f.file.size; }, 0) + file.size;
      if (file.size > config.maxTotalBytes || total > config.maxTotalBytes) { showError(file.name + ' is too large: a message can carry at most ' + formatBytes(config.maxTotalBytes) + '.'); continue; }
      if (stagedFiles.length >= config.maxFiles) { showError('A message can carry at most ' + config.maxFiles + ' attachments.'); break; }
      stagedFiles.push({ file: file, type: type });
    }
    renderStaged();
  }
  function renderStaged() {
    staged.textContent = '';
    staged.style.display = stagedFiles.length ? 'flex' : 'none';
    stagedFiles.forEach(function (s, index) {
      var chip = el('span', { background: '#e0e7ff', borderRadius: '10px', padding: '2px 8px', fontSize: '12px' }, { 'data-testid': 'webchat-staged-file' });
      chip.textContent = s.file.name + ' ';
      var remove = el('button', { border: 'none', background: 'transparent', cursor: 'pointer', padding: '0 2px' }, { type: 'button', 'aria-label': 'Remove ' + s.file.name });
      remove.textContent = '×';
      remove.addEventListener('click', function () { stagedFiles.splice(index, 1); renderStaged(); });
      chip.appendChild(remove);
      staged.appendChild(chip);
    });
  }
  function upload(s) {
    var headers = { 'content-type': s.type };
    headers[config.visitorHeader] = saved.token || '';
    var url = origin + config.attachmentsPath + '?widget=' + encodeURIComponent(widgetKey) + '&name=' + encodeURIComponent(s.file.name);
    return fetch(url, { method: 'POST', headers: headers, body: s.file, mode: 'cors', credentials: 'omit' }).then(function (res) {
      return res.json().then(function (json) {
        if (!res.ok) throw new Error((json && json.error && json.error.message) || 'The upload failed.');
        return json.id;
      }, function () { throw new Error('The upload failed (' + res.status + ').'); });
    });
  }
  attachButton.addEventListener('click', function () { activity(); fileInput.click(); });
  fileInput.addEventListener('change', function () { stage(fileInput.files || []); fileInput.value = ''; });
  input.addEventListener('paste', function (event) {
    var files = event.clipboardData && event.clipboardData.files;
    if (files && files.length) { event.preventDefault(); stage(files); }
  });
  panel.addEventListener('dragover', function (event) { event.preventDefault(); });
  panel.addEventListener('drop', function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) stage(event.dataTransfer.files);
  });

  var unacked = [];
  function ackShown() {
    if (!unacked.length || panel.style.display === 'none') return;
    if (send({ type: 'ack', messageIds: unacked.slice(0, 100) })) unacked = unacked.slice(100);
  }

  var ws = null;
  var attempt = 0;
  var idle = false; // the server closed a quiet socket: reconnect on the visitor's next activity
  var stopped = false; // this site may not use the chat, or the widget is unknown
  var lastSent = 0;
  var readyWaiters = [];
  function send(frame) {
    if (!ws || ws.readyState !== 1 || !ws.ready) return false;
    ws.send(JSON.stringify(frame));
    lastSent = Date.now();
    return true;
  }
  function whenReady(fn) {
    if (ws && ws.readyState === 1 && ws.ready) return fn();
    readyWaiters.push(fn);
    activity();
  }
  function activity() {
    if (stopped) return;
    if (idle && !ws) { idle = false; connect(); return; }
    // Keeps an attended socket from being closed as idle (at most one ping a minute).
    if (Date.now() - lastSent > 60000) send({ type: 'ping' });
  }
  ['pointerdown', 'keydown', 'focusin', 'touchstart'].forEach(function (type) { document.addEventListener(type, activity, true); });
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'visible') activity(); });
  var lastMove = 0;
  document.addEventListener('mousemove', function () { var now = Date.now(); if (now - lastMove > 5000) { lastMove = now; activity(); } }, true);
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
        var waiters = readyWaiters; readyWaiters = [];
        waiters.forEach(function (fn) { fn(); });
      } else if (frame.type === 'message') {
        render(frame.message);
        if (frame.clientMessageId) pending = pending.filter(function (f) { return f.clientMessageId !== frame.clientMessageId; });
        if (frame.message.from === 'agent') { unacked.push(frame.message.id); ackShown(); }
      } else if (frame.type === 'survey') {
        renderSurvey(frame.messageId, frame.survey);
      } else if (frame.type === 'error') {
        if (frame.clientMessageId) {
          // Refused: stop resending it, and give the visitor their text back to send again.
          var refused = pending.filter(function (f) { return f.clientMessageId === frame.clientMessageId; })[0];
          pending = pending.filter(function (f) { return f !== refused; });
          if (refused && refused.body && !input.value) input.value = refused.body;
        }
        showError(frame.message);
      }
    };
    socket.onclose = function (event) {
      if (ws !== socket) return;
      ws = null;
      if (event.code === 4404 || event.code === 4403) { stopped = true; setStatus('offline', 'unavailable'); return; }
      if (event.code === 4408) { idle = true; setStatus('idle', 'paused'); return; }
      setStatus('offline', 'reconnecting…');
      // Refused for rate: wait longer before trying again.
      if (event.code === 4429) attempt = Math.max(attempt, 5);
      var delay = Math.min(30000, 500 * Math.pow(2, attempt++)) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = input.value.trim();
    if (!body && !stagedFiles.length) return;
    if (sending) return;
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
    var files = stagedFiles;
    if (!files.length) {
      pending.push(frame);
      send(frame);
      input.value = '';
      return;
    }
    // Uploads need the visitor's token and a live socket; the ids then ride on the message.
    sending = true;
    sendButton.disabled = true;
    sendButton.textContent = 'Sending…';
    whenReady(function () {
      var ids = [];
      files.reduce(function (chain, s) {
        return chain.then(function () { return upload(s).then(function (id) { ids.push(id); }); });
      }, Promise.resolve()).then(function () {
        frame.attachmentIds = ids;
        pending.push(frame);
        send(frame);
        stagedFiles = [];
        renderStaged();
        input.value = '';
      }, function (err) {
        showError(err.message || 'The upload failed; try again.');
      }).then(function () {
        sending = false;
        sendButton.disabled = false;
        sendButton.textContent = 'Send';
      });
    });
  });

  if (saved.open) setOpen(true);
  connect();
})();
