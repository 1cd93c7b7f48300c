// The rooms directory: the rooms this user can see, how many are online in each, and the last
// activity. Each room is a link to its own address, /rooms/{room_id}.
import { el, formatAgo } from './dom.js';

export class RoomsView {
  #list;
  #more;
  #onOpen;
  #cursor = null;
  #current = null;

  constructor(list, more, onOpen) {
    this.#list = list;
    this.#more = more;
    this.#onOpen = onOpen;
  }

  set current(roomId) {
    this.#current = roomId;
    for (const link of this.#list.querySelectorAll('a[data-room]')) {
      if (link.dataset.room === roomId) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  /** Shows a first page (replacing) or the next one (appending). */
  show(page, { append = false } = {}) {
    const items = page.rooms.map((room) => this.#item(room));
    if (append) this.#list.append(...items);
    else this.#list.replaceChildren(...items);
    this.#cursor = page.next_cursor;
    this.#more.hidden = !this.#cursor;
  }

  get cursor() { return this.#cursor; }

  #item(room) {
    const link = el('a', {
      href: `/rooms/${encodeURIComponent(room.room_id)}`,
      dataset: { room: room.room_id },
      'aria-current': room.room_id === this.#current ? 'page' : undefined,
      onclick: (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        this.#onOpen(room.room_id);
      },
    },
    el('span', { className: 'room-name', text: room.room_id }),
    room.private ? el('span', { className: 'badge', text: 'private' }) : null,
    el('span', { className: 'online', text: `${room.online} online` }),
    el('span', { className: 'activity', text: formatAgo(new Date(room.last_activity)) }),
    room.last_message
      ? el('span', { className: 'preview', text: `${room.last_message.username}: ${room.last_message.content}` })
      : null);
    return el('li', {}, link);
  }
}
