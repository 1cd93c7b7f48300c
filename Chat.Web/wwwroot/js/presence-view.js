// Who is online in the open room, and who is typing.
import { el } from './dom.js';

/** The server forwards a typing signal at most every 2 s; show it this long after the last one. */
const TYPING_SHOWN_MS = 5000;

export class PresenceView {
  #list;
  #typingLine;
  #me;
  #online = new Set();
  #typing = new Map();

  constructor(list, typingLine, me) {
    this.#list = list;
    this.#typingLine = typingLine;
    this.#me = me;
  }

  /** A snapshot replaces the list. */
  replace(users) {
    this.#online = new Set(users);
    this.#render();
  }

  // Events may follow a snapshot that already holds them: a join of someone listed and a leave
  // of someone absent are no-ops (protocol.md).
  join(name) {
    this.#online.add(name);
    this.#render();
  }

  leave(name) {
    this.#online.delete(name);
    this.#stopTyping(name);
    this.#render();
  }

  typing(name) {
    if (name === this.#me) return;
    clearTimeout(this.#typing.get(name));
    this.#typing.set(name, setTimeout(() => this.#stopTyping(name), TYPING_SHOWN_MS));
    this.#renderTyping();
  }

  /** A message from someone ends their typing. */
  spoke(name) {
    this.#stopTyping(name);
  }

  clear() {
    for (const timer of this.#typing.values()) clearTimeout(timer);
    this.#typing.clear();
    this.replace([]);
    this.#renderTyping();
  }

  #stopTyping(name) {
    if (!this.#typing.has(name)) return;
    clearTimeout(this.#typing.get(name));
    this.#typing.delete(name);
    this.#renderTyping();
  }

  #render() {
    const names = [...this.#online].sort((a, b) => a.localeCompare(b));
    this.#list.replaceChildren(...names.map((name) =>
      el('li', { className: name === this.#me ? 'me' : undefined, dataset: { username: name } },
        el('span', { className: 'dot', 'aria-hidden': 'true' }), el('span', { className: 'name', text: name }))));
  }

  #renderTyping() {
    const names = [...this.#typing.keys()];
    let text = '';
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = `${names.length} people are typing…`;
    this.#typingLine.textContent = text;
  }
}
