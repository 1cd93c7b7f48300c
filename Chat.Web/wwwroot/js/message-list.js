// The conversation: confirmed messages in stream order (grouped by sender and day), then the
// user's own messages still pending. Scrolls with the conversation only when the reader is at the
// bottom; otherwise a "New messages" button says there is more below.
import { el, formatTime, dayKey, dayLabel } from './dom.js';
import { compareIds } from './ids.js';

/** Consecutive messages from one sender within this time share one header. */
const GROUP_MS = 5 * 60_000;
const BOTTOM_SLACK_PX = 48;
/** Embeddings, overrides and isolates, which the server refuses in content (protocol.md). */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export class MessageList {
  #list;
  #scroller;
  #newButton;
  #announcer;
  #me;
  /** Confirmed messages, oldest first, and their items by id. */
  #messages = [];
  #items = new Map();
  /** client_id → pending item. */
  #pending = new Map();

  constructor({ list, scroller, newButton, announcer }, me) {
    this.#list = list;
    this.#scroller = scroller;
    this.#newButton = newButton;
    this.#announcer = announcer;
    this.#me = me;
    newButton.addEventListener('click', () => this.scrollToBottom());
    scroller.addEventListener('scroll', () => {
      if (this.atBottom) newButton.hidden = true;
    });
  }

  get oldestId() { return this.#messages[0]?.id ?? null; }
  get count() { return this.#messages.length; }

  get atBottom() {
    const s = this.#scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < BOTTOM_SLACK_PX;
  }

  scrollToBottom() {
    this.#scroller.scrollTop = this.#scroller.scrollHeight;
    this.#newButton.hidden = true;
  }

  /** Replaces the confirmed messages (a fresh join, or a resume that could not be granted). */
  reset(messages) {
    this.#messages = [];
    this.#items.clear();
    for (const message of messages) this.#remember(message);
    this.#renderAll();
    this.scrollToBottom();
  }

  /** Adds messages that arrived live or by resume; repeats are ignored. */
  add(messages, { announce = true } = {}) {
    const wasAtBottom = this.atBottom;
    let mine = false;
    for (const message of messages) {
      this.#confirmPending(message.client_id, message.username);
      const known = this.#items.get(message.id);
      if (known) {
        // Confirmed earlier by its ack: the server's copy has the real timestamp.
        this.#refresh(known, message);
        continue;
      }
      this.#insert(message);
      if (message.username === this.#me) mine = true;
      else if (announce) this.#announcer.textContent = `${message.username}: ${message.content}`;
    }
    if (wasAtBottom || mine) this.scrollToBottom();
    else this.#newButton.hidden = false;
  }

  /** Older messages from the history API, above what is shown; the view stays where it was. */
  prepend(messages) {
    const fromBottom = this.#scroller.scrollHeight - this.#scroller.scrollTop;
    for (const message of messages) {
      if (!this.#items.has(message.id)) this.#remember(message);
    }
    this.#messages.sort((a, b) => compareIds(a.id, b.id));
    this.#renderAll();
    this.#scroller.scrollTop = this.#scroller.scrollHeight - fromBottom;
  }

  /** Shows the user's own message at once, marked as sending. */
  addPending(clientId, content) {
    const item = el('li', { className: 'message mine pending', dataset: { clientId } },
      el('div', { className: 'meta' },
        el('span', { className: 'sender', text: this.#me }),
        el('span', { className: 'status', text: 'Sending…' })),
      el('p', { className: 'content', text: content }));
    this.#pending.set(clientId, item);
    this.#list.append(item);
    this.scrollToBottom();
  }

  /** The ack: the message is stored under `id`. Until its live copy arrives it stands in for it. */
  acknowledge(clientId, id) {
    const item = this.#pending.get(clientId);
    if (!item) return;
    const content = item.querySelector('.content').textContent;
    this.#confirmPending(clientId, this.#me);
    if (!this.#items.has(id)) {
      this.#insert({ id, username: this.#me, content, client_id: clientId, timestamp: new Date().toISOString() });
      this.scrollToBottom();
    }
  }

  /**
   * The server refused the message for good; it stays visible, marked, so the text is not lost,
   * until dismissed. Bidirectional controls (the usual reason) are shown as their code points, so
   * the refused text cannot reorder what is displayed around it.
   */
  fail(clientId, reason) {
    const item = this.#pending.get(clientId);
    if (!item) return;
    this.#pending.delete(clientId);
    item.classList.replace('pending', 'failed');
    const content = item.querySelector('.content');
    content.textContent = content.textContent.replace(BIDI_CONTROLS, (c) => `<U+${c.codePointAt(0).toString(16).toUpperCase()}>`);
    item.querySelector('.status').textContent = `Not sent: ${reason}`;
    item.querySelector('.meta').append(el('button', { type: 'button', className: 'dismiss', text: 'Dismiss', onclick: () => item.remove() }));
  }

  #confirmPending(clientId, username) {
    if (!clientId || username !== this.#me) return;
    const item = this.#pending.get(clientId);
    if (item) {
      this.#pending.delete(clientId);
      item.remove();
    }
  }

  #remember(message) {
    this.#messages.push(message);
    this.#items.set(message.id, null);
  }

  /** Appends when newest (the usual case); anything else re-renders in order. */
  #insert(message) {
    const last = this.#messages.at(-1);
    this.#messages.push(message);
    if (last && compareIds(message.id, last.id) < 0) {
      this.#messages.sort((a, b) => compareIds(a.id, b.id));
      this.#renderAll();
      return;
    }
    this.#appendItems(message, last);
  }

  #renderAll() {
    for (const item of this.#list.querySelectorAll('li:not(.pending):not(.failed)')) item.remove();
    const firstPending = this.#list.querySelector('li.pending');
    let previous = null;
    for (const message of this.#messages) {
      this.#appendItems(message, previous, firstPending);
      previous = message;
    }
  }

  #appendItems(message, previous, before = this.#list.querySelector('li.pending')) {
    const date = new Date(message.timestamp);
    const previousDate = previous ? new Date(previous.timestamp) : null;
    const newDay = !previousDate || dayKey(previousDate) !== dayKey(date);
    if (newDay) {
      const day = el('li', { className: 'day' }, el('span', { text: dayLabel(date) }));
      this.#list.insertBefore(day, before);
    }
    const continued = !newDay && previous.username === message.username && date - previousDate < GROUP_MS;
    const item = this.#render(message, continued);
    this.#list.insertBefore(item, before);
    this.#items.set(message.id, item);
  }

  #render(message, continued) {
    const time = formatTime(new Date(message.timestamp));
    const mine = message.username === this.#me;
    return el('li', {
      className: `message${mine ? ' mine' : ''}${continued ? ' continued' : ''}`,
      dataset: { id: message.id, username: message.username },
    },
    el('div', { className: 'meta' },
      el('span', { className: 'sender', text: message.username }),
      el('time', { datetime: message.timestamp, title: time.full, text: time.short })),
    el('p', { className: 'content', text: message.content }));
  }

  #refresh(item, message) {
    const index = this.#messages.findIndex((m) => m.id === message.id);
    if (index >= 0) this.#messages[index] = message;
    const time = item.querySelector('time');
    const formatted = formatTime(new Date(message.timestamp));
    time.dateTime = message.timestamp;
    time.title = formatted.full;
    time.textContent = formatted.short;
  }
}
