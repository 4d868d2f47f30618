// A plain-module chat page: one socket per room, reconnecting with jittered backoff.
const $ = (id) => document.getElementById(id);
let socket = null;
let attempt = 0;
let retryTimer = 0;

function setState(state, label) {
  $('state').dataset.state = state;
  $('state').textContent = label;
}

function show(html, className) {
  const item = document.createElement('li');
  if (className) item.className = className;
  item.append(...html);
  $('messages').append(item);
  $('messages').scrollTop = $('messages').scrollHeight;
}

function connect() {
  clearTimeout(retryTimer);
  socket?.close(1000);
  const room = $('room').value;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/chat/${encodeURIComponent(room)}/`;
  const current = new WebSocket(url);
  socket = current;
  setState('connecting', 'connecting…');
  current.onopen = () => {
    attempt = 0;
    setState('open', `online in #${room}`);
    show([`joined #${room}`], 'notice');
  };
  current.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'message') {
      const name = document.createElement('b');
      name.textContent = message.name;
      show([name, message.text]);
    } else if (message.type === 'error') {
      show([message.message], 'notice');
    }
  };
  current.onclose = () => {
    if (socket !== current) return;
    const delay = Math.random() * Math.min(30_000, 500 * 2 ** attempt++);
    setState('reconnecting', `reconnecting in ${Math.ceil(delay / 1000)} s`);
    retryTimer = setTimeout(connect, delay);
  };
}

$('join').addEventListener('submit', (event) => {
  event.preventDefault();
  connect();
});
$('say').addEventListener('submit', (event) => {
  event.preventDefault();
  if (socket?.readyState !== WebSocket.OPEN) return show(['not connected yet'], 'notice');
  socket.send(JSON.stringify({ name: $('name').value, text: $('text').value }));
  $('text').value = '';
});
connect();
