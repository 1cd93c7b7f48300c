// One room's chat socket: connect, resume after any drop with `since` and `epoch` (no gap, no
// duplicate), resend unacknowledged messages with their original client_id, and say which state
// it is in. The protocol is docs/protocol.md.
import { api, ApiError } from './api.js';
import { compareIds, newClientId } from './ids.js';

const PROTOCOL = 1;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 15_000;

/**
 * States: `connecting` (first attempt), `live` (joined: history received, sends go out),
 * `reconnecting` (waiting or retrying after a drop), `offline` (the browser has no network),
 * `closed` (stopped, or refused for good).
 *
 * Handlers: history(messages, { reset, recovered }), message(m), ack(clientId, id),
 * failed(clientId, text), presence(users), join(name), leave(name), typing(name),
 * state(state, detail), instance(name), error(text), trouble(text), ended(text).
 *
 * The user's messages go out one at a time, in the order they were written: the next leaves when
 * the previous one is acknowledged or refused for good. A refusal that asks to wait
 * (`rate_limited`, `unavailable`) holds the whole queue, so nothing overtakes the message that
 * waits, and the server stores them in the order the user wrote them.
 */
export class RoomConnection {
  #roomId;
  #session;
  #on;
  #socket = null;
  #socketToken = null;
  #state = 'closed';
  #lastId = null;
  #epoch = null;
  #attempt = 0;
  #timer = 0;
  #joined = false;
  #stopped = false;
  /** Handshakes in a row that failed although the REST API says the room is open to us. */
  #refusedInARow = 0;
  /** client_id → content, for every message not yet acknowledged, oldest first (a Map keeps insertion order). */
  #pending = new Map();
  /** The client_id on the wire and not yet answered, or null. */
  #inFlight = null;
  /** Set while the queue waits out a `rate_limited` or `unavailable`. */
  #holdTimer = 0;

  constructor(roomId, session, handlers) {
    this.#roomId = roomId;
    this.#session = session;
    this.#on = handlers;
    this.onOnline = () => { if (this.#state === 'offline') this.#connectSoon(0); };
    this.onOffline = () => { if (this.#state !== 'live') this.#setState('offline'); };
    this.onToken = () => this.#renewOnSocket();
  }

  get state() { return this.#state; }
  get roomId() { return this.#roomId; }

  start() {
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.#session.addEventListener('change', this.onToken);
    this.#setState('connecting');
    this.#connect();
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#holdTimer);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.#session.removeEventListener('change', this.onToken);
    if (this.#socket) this.#socket.close(1000, 'left');
    this.#socket = null;
    this.#setState('closed');
  }

  /** Queues a message; it goes out when the ones before it are answered and the room is joined. */
  send(content) {
    const clientId = newClientId();
    this.#pending.set(clientId, content);
    this.#sendNext();
    return clientId;
  }

  typing() {
    if (this.#joined) this.#write({ type: 'typing' });
  }

  #write(frame) {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
  }

  /** Sends the oldest unanswered message, unless one is on the wire or the queue is held. */
  #sendNext() {
    if (!this.#joined || this.#inFlight !== null || this.#holdTimer) return;
    const next = this.#pending.entries().next();
    if (next.done) return;
    const [clientId, content] = next.value;
    this.#inFlight = clientId;
    this.#write({ type: 'message', content, client_id: clientId });
  }

  /** The message on the wire was answered: the next may go. */
  #answered(clientId) {
    if (this.#inFlight === clientId) this.#inFlight = null;
    this.#sendNext();
  }

  #setState(state, detail) {
    if (this.#state === state) return;
    this.#state = state;
    this.#on.state(state, detail);
  }

  async #connect() {
    if (this.#stopped) return;
    const token = await this.#session.ensureFresh().catch(() => this.#session.token);
    if (this.#stopped) return;
    if (!token) return this.#end('Your session has ended. Sign in again.');

    const query = new URLSearchParams({ access_token: token });
    if (this.#lastId && this.#epoch) {
      query.set('since', this.#lastId);
      query.set('epoch', this.#epoch);
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/ws/chat/${encodeURIComponent(this.#roomId)}?${query}`);
    this.#socket = socket;
    this.#socketToken = token;
    this.#joined = false;
    let opened = false;
    socket.onopen = () => { opened = true; this.#refusedInARow = 0; };
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      this.#joined = false;
      // Whatever was on the wire is sent again, with its client_id, after the next join.
      this.#inFlight = null;
      this.#closed(event.code, opened);
    };
  }

  #receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    switch (frame.type) {
      case 'messages': return this.#history(frame);
      case 'message': return this.#message(frame.message);
      case 'ack':
        if (frame.client_id && this.#pending.delete(frame.client_id)) this.#on.ack(frame.client_id, frame.id);
        if (frame.client_id) this.#answered(frame.client_id);
        return;
      case 'presence': return this.#on.presence(frame.users);
      case 'join': return this.#on.join(frame.username);
      case 'leave': return this.#on.leave(frame.username);
      case 'typing': return this.#on.typing(frame.username);
      case 'error': return this.#error(frame);
      default: return undefined; // pong, auth, and frames of later versions
    }
  }

  #history(frame) {
    const first = frame.protocol !== undefined;
    if (first) {
      if (frame.protocol !== PROTOCOL) {
        this.#end(`The server speaks protocol ${frame.protocol}; reload the page.`);
        return;
      }
      // A fresh join, or a resume the server could not vouch for: the list starts again from
      // these messages (older ones load on scroll). A granted resume continues the list.
      const reset = frame.recovered !== true;
      this.#epoch = frame.epoch;
      this.#on.instance(frame.instance);
      this.#on.history(frame.messages, { reset, recovered: frame.recovered });
      this.#advance(frame.messages);
      this.#joined = true;
      this.#attempt = 0;
      this.#setState('live');
      // Everything not acknowledged goes again, in order, with its client_id: what the server
      // already stored is acked with its first id and not stored twice.
      this.#inFlight = null;
      this.#sendNext();
    } else {
      this.#on.history(frame.messages, { reset: false, recovered: true });
      this.#advance(frame.messages);
    }
  }

  #message(message) {
    // A member's socket only moves forward; anything at or before the last id is a repeat.
    if (this.#lastId && compareIds(message.id, this.#lastId) <= 0) return;
    this.#lastId = message.id;
    this.#on.message(message);
  }

  #advance(messages) {
    const last = messages.at(-1);
    if (last && (!this.#lastId || compareIds(last.id, this.#lastId) > 0)) this.#lastId = last.id;
  }

  #error(frame) {
    const clientId = frame.client_id;
    if (clientId && this.#pending.has(clientId)) {
      if (frame.code === 'rate_limited' || frame.code === 'unavailable') {
        // Not stored: the whole queue waits, then this message goes again with its client_id.
        if (this.#inFlight === clientId) this.#inFlight = null;
        clearTimeout(this.#holdTimer);
        this.#holdTimer = setTimeout(() => {
          this.#holdTimer = 0;
          this.#sendNext();
        }, frame.retry_after_ms ?? 1000);
        return;
      }
      this.#pending.delete(clientId);
      this.#on.failed(clientId, frame.message || frame.code);
      this.#answered(clientId);
      return;
    }
    if (frame.code === 'invalid_token') return; // the 1008 close that follows handles it
    this.#on.error(frame.message || frame.code);
  }

  async #closed(code, opened) {
    if (this.#stopped) return;
    if (code === 1008 || !opened) {
      // Policy close (signed out, removed from the room, token expired) or a refused handshake,
      // whose status a browser does not reveal: ask the REST API what holds now.
      const verdict = await this.#diagnose();
      if (this.#stopped) return;
      if (verdict) return this.#end(verdict);
      // The room is open to us, yet the handshake keeps failing: most likely this user holds
      // too many sockets (other tabs), or the replicas are full. Say so, and keep trying.
      if (!opened && ++this.#refusedInARow >= 3) {
        this.#on.trouble('Cannot connect right now: too many open tabs, or the server is busy. Still trying…');
      }
    }
    this.#connectSoon();
  }

  /** Why the socket cannot be opened again, or null when retrying may help. */
  async #diagnose() {
    try {
      const token = await this.#session.ensureFresh();
      if (!token) return 'Your session has ended. Sign in again.';
      await api.presence(token, this.#roomId);
      return null;
    } catch (error) {
      if (!(error instanceof ApiError)) return null;
      if (error.status === 401) {
        // Signed out elsewhere, or idle too long: this browser's session is over in every tab.
        this.#session.expire();
        return 'Your session has ended. Sign in again.';
      }
      if (error.status === 403) return 'This room is private and you are not a member.';
      if (error.status === 400) return 'This is not a valid room name.';
      return null;
    }
  }

  #connectSoon(delay) {
    clearTimeout(this.#timer);
    if (!navigator.onLine) {
      this.#setState('offline');
      return;
    }
    // Exponential backoff with full jitter, so that a restarted replica's clients do not all
    // come back in the same instant.
    const wait = delay ?? Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#setState('reconnecting', { wait });
    this.#timer = setTimeout(() => this.#connect(), wait);
  }

  #end(text) {
    this.stop();
    this.#on.ended(text);
  }

  /** A renewed token (this tab or another) extends the open socket's life: the `auth` frame. */
  #renewOnSocket() {
    const token = this.#session.token;
    if (!token) return;
    if (this.#joined && token !== this.#socketToken) {
      this.#socketToken = token;
      this.#write({ type: 'auth', access_token: token });
    }
  }
}
