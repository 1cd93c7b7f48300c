// The page: sign-in, the rooms directory, and the open room, with the address bar as the source
// of truth (/rooms/{room_id} opens that room, so a link can be shared and a reload stays put).
import { $ } from './dom.js';
import { api, ApiError } from './api.js';
import { Session } from './session.js';
import { RoomConnection } from './room-connection.js';
import { MessageList } from './message-list.js';
import { PresenceView } from './presence-view.js';
import { RoomsView } from './rooms-view.js';

const HISTORY_LENGTH = 50;
const MAX_CONTENT_LENGTH = 4000;
const ROOM_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const NAME = /^[A-Za-z0-9_.-]{1,32}$/;
const TYPING_EVERY_MS = 2000;
const DIRECTORY_EVERY_MS = 15_000;
const STATE_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline', closed: '' };

const session = new Session();
const rooms = new RoomsView($('room-list'), $('rooms-more'), (roomId) => navigate(roomId));
/** Private rooms this user can see (from the directory, or created here): they get the invite form. */
const privateRooms = new Set();

let room = null; // { id, connection, list, presence, hasOlder, loadingOlder }
let lastTypingSent = 0;
let directoryTimer = 0;

// ---- Routing -------------------------------------------------------------------------------

/** The room named by the address, as written (an invalid one is shown as invalid, not ignored). */
function roomFromAddress() {
  const match = location.pathname.match(/^\/rooms\/(.+?)\/?$/);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

function navigate(roomId) {
  const path = roomId ? `/rooms/${encodeURIComponent(roomId)}` : '/';
  if (location.pathname !== path) history.pushState(null, '', path);
  route();
}

function route() {
  if (!session.signedIn) {
    closeRoom();
    clearInterval(directoryTimer);
    directoryTimer = 0;
    $('chat').hidden = true;
    $('sign-in').hidden = false;
    $('sign-in-name').focus();
    return;
  }
  $('sign-in').hidden = true;
  $('chat').hidden = false;
  $('me-name').textContent = session.username;
  if (!directoryTimer) {
    loadDirectory();
    directoryTimer = setInterval(() => { if (document.visibilityState === 'visible') loadDirectory(); }, DIRECTORY_EVERY_MS);
  }
  openRoom(roomFromAddress());
}

// ---- Sign-in and sign-out ------------------------------------------------------------------

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $('sign-in-name').value.trim();
  const error = $('sign-in-error');
  if (!NAME.test(name) || /^\.+$/.test(name)) {
    error.textContent = 'Use 1 to 32 letters, digits, "_", "." or "-" (not only dots).';
    return;
  }
  error.textContent = '';
  try {
    await session.signIn(name);
    // Another tab may have signed in first: its session is the one in use.
    route();
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 409) error.textContent = `"${name}" is taken right now; pick another name.`;
    else if (failure instanceof ApiError && failure.status === 429) error.textContent = `Too many sign-ins; try again in ${failure.retryAfter ?? 60} s.`;
    else error.textContent = failure.message;
  }
});

$('sign-out').addEventListener('click', async () => {
  closeRoom();
  await session.signOut();
  navigate(null);
});

// Another tab signed in or out, or renewed the token: follow it. A different user (another
// tab signed out and in again) reopens the room under the new identity.
session.addEventListener('change', () => {
  const signedIn = !$('chat').hidden;
  if (signedIn !== session.signedIn) {
    route();
  } else if (session.signedIn && $('me-name').textContent !== session.username) {
    closeRoom();
    route();
  }
});
session.addEventListener('ended', () => {
  $('sign-in-error').textContent = 'Your session has ended. Sign in again.';
  route();
});

// ---- Rooms directory -----------------------------------------------------------------------

async function loadDirectory({ more = false } = {}) {
  const token = await session.ensureFresh().catch(() => session.token);
  if (!token) return;
  try {
    const page = await api.rooms(token, more ? rooms.cursor : undefined);
    for (const entry of page.rooms) if (entry.private) privateRooms.add(entry.room_id);
    rooms.show(page, { append: more });
    rooms.current = room?.id ?? null;
    updateInvite();
  } catch {
    // The directory is a convenience; the next refresh tries again.
  }
}

$('rooms-more').addEventListener('click', () => loadDirectory({ more: true }));

$('room-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const roomId = $('room-name').value.trim();
  const isPrivate = $('room-private').checked;
  const error = $('room-error');
  if (!ROOM_ID.test(roomId)) {
    error.textContent = 'A room name is 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit.';
    return;
  }
  error.textContent = '';
  if (isPrivate) {
    try {
      await api.createRoom(await session.ensureFresh(), roomId, true);
      privateRooms.add(roomId);
    } catch (failure) {
      error.textContent = failure.status === 409 ? `"${roomId}" already exists; pick another name for a private room.` : failure.message;
      return;
    }
  }
  // Joining a public room that does not exist yet creates it.
  $('room-name').value = '';
  $('room-private').checked = false;
  navigate(roomId);
  // Straight on to writing: keyboard users need not look for the composer.
  $('composer-input').focus();
});

$('toggle-rooms').addEventListener('click', () => {
  const open = $('rooms').classList.toggle('open');
  $('toggle-rooms').setAttribute('aria-expanded', String(open));
});

// ---- The open room -------------------------------------------------------------------------

function closeRoom() {
  if (!room) return;
  room.connection.stop();
  room.presence.clear();
  room = null;
  document.documentElement.dataset.connectionState = 'offline';
  delete document.documentElement.dataset.instance;
}

function openRoom(roomId) {
  if (room?.id === roomId) return;
  closeRoom();
  $('messages').replaceChildren();
  $('history-state').textContent = '';
  $('room-notice').textContent = '';
  $('composer-error').textContent = '';
  $('connection').textContent = '';
  $('room-title').textContent = roomId ?? 'Pick a room';
  document.title = roomId ? `${roomId} · Chat` : 'Chat';
  setComposerEnabled(false);
  rooms.current = roomId;
  $('rooms').classList.remove('open');
  $('toggle-rooms').setAttribute('aria-expanded', 'false');
  if (!roomId) return updateInvite();
  if (!ROOM_ID.test(roomId)) {
    $('room-notice').textContent = 'This is not a valid room name.';
    return updateInvite();
  }

  const list = new MessageList(
    { list: $('messages'), scroller: $('scroller'), newButton: $('new-messages'), announcer: $('announcer') },
    session.username);
  const presence = new PresenceView($('presence'), $('typing'), session.username);
  const current = { id: roomId, list, presence, hasOlder: false, loadingOlder: false, connection: null, notice: '' };
  current.connection = new RoomConnection(roomId, session, {
    history(messages, { reset, recovered }) {
      if (reset) {
        list.reset(messages);
        current.hasOlder = messages.length >= HISTORY_LENGTH;
        $('history-state').textContent = current.hasOlder ? '' : 'This is the beginning of the room.';
        // Shown once the join completes (the state change right after this would clear it).
        if (recovered === false) current.notice = 'Back online. Some messages in between could not be recovered here; scroll up for earlier ones.';
        fillScreen(current);
      } else {
        list.add(messages, { announce: false });
      }
    },
    message(message) {
      list.add([message]);
      presence.spoke(message.username);
    },
    ack: (clientId, id) => list.acknowledge(clientId, id),
    failed: (clientId, text) => list.fail(clientId, text),
    presence: (users) => presence.replace(users),
    join: (name) => presence.join(name),
    leave: (name) => presence.leave(name),
    typing: (name) => presence.typing(name),
    instance(name) { document.documentElement.dataset.instance = name; },
    state(state) {
      if (room !== current) return;
      document.documentElement.dataset.connectionState = state;
      $('connection').textContent = STATE_TEXT[state] ?? state;
      $('connection').dataset.state = state;
      if (state === 'live') {
        $('room-notice').textContent = current.notice;
        current.notice = '';
        // The join may have created the room or moved it up: show the directory as it is now.
        loadDirectory();
      }
    },
    error(text) { $('composer-error').textContent = text; },
    trouble(text) { if (room === current) $('room-notice').textContent = text; },
    ended(text) {
      if (room !== current) return;
      $('room-notice').textContent = text;
      setComposerEnabled(false);
      presence.clear();
      // Forget the room, so that choosing it again tries again.
      room = null;
      if (!session.signedIn) route();
    },
  });
  room = current;
  updateInvite();
  setComposerEnabled(true);
  current.connection.start();
}

/** Loads older messages until the list can scroll (or the room's beginning is reached). */
function fillScreen(current) {
  const scroller = $('scroller');
  if (current.hasOlder && scroller.scrollHeight <= scroller.clientHeight) loadOlder(current);
}

async function loadOlder(current) {
  if (current.loadingOlder || !current.hasOlder || !current.list.oldestId) return;
  current.loadingOlder = true;
  $('history-state').textContent = 'Loading earlier messages…';
  try {
    const page = await api.history(await session.ensureFresh(), current.id, current.list.oldestId);
    if (room !== current) return;
    current.list.prepend(page.messages);
    current.hasOlder = page.has_more;
    $('history-state').textContent = current.hasOlder ? '' : 'This is the beginning of the room.';
  } catch (failure) {
    $('history-state').textContent = `Earlier messages could not be loaded: ${failure.message}`;
  } finally {
    current.loadingOlder = false;
  }
  if (room === current) fillScreen(current);
}

$('scroller').addEventListener('scroll', () => {
  if (room && $('scroller').scrollTop < 80) loadOlder(room);
});

function updateInvite() {
  $('invite-form').hidden = !(room && privateRooms.has(room.id));
  $('invite-result').textContent = '';
}

$('invite-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $('invite-name').value.trim();
  if (!room || !NAME.test(name)) return;
  try {
    await api.addMember(await session.ensureFresh(), room.id, name);
    $('invite-result').textContent = `${name} can now join.`;
    $('invite-name').value = '';
  } catch (failure) {
    $('invite-result').textContent = failure.status === 404 ? `Nobody is signed in as "${name}".`
      : failure.status === 403 ? 'Only the room\'s owner can add members.' : failure.message;
  }
});

// ---- Composer ------------------------------------------------------------------------------

function setComposerEnabled(enabled) {
  $('composer-input').disabled = !enabled;
  $('composer-send').disabled = !enabled;
}

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('composer-input');
  const content = input.value;
  if (!room || content.trim() === '') return;
  // The server counts Unicode scalar values (an emoji is one), not UTF-16 units as maxlength would.
  const length = [...content].length;
  if (length > MAX_CONTENT_LENGTH) {
    $('composer-error').textContent = `A message is at most ${MAX_CONTENT_LENGTH} characters; this one has ${length}.`;
    return;
  }
  const clientId = room.connection.send(content);
  room.list.addPending(clientId, content);
  input.value = '';
  input.style.height = '';
  $('composer-error').textContent = '';
});

$('composer-input').addEventListener('keydown', (event) => {
  // Enter sends; Shift+Enter is a new line; an IME composing text keeps its Enter.
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $('composer').requestSubmit();
  }
});

$('composer-input').addEventListener('input', (event) => {
  const input = event.target;
  input.style.height = '';
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  const now = Date.now();
  if (room && input.value !== '' && now - lastTypingSent >= TYPING_EVERY_MS) {
    lastTypingSent = now;
    room.connection.typing();
  }
});

window.addEventListener('popstate', route);
route();
