// The signed-in guest, shared by every tab of this browser (localStorage), renewed before it
// expires, and released on sign-out. One tab renews at a time (a Web Lock); the others see the new
// token through the storage event and hand it to their open sockets.
import { api, ApiError } from './api.js';

const KEY = 'chat.session';
const LOCK = 'chat.session.refresh';

function read() {
  try {
    const value = JSON.parse(localStorage.getItem(KEY));
    return value && value.access_token && value.refresh_token ? value : null;
  } catch {
    return null;
  }
}

/** Renew this long before expiry: a fifth of the lifetime, at most five minutes. */
function margin(session) {
  return Math.min(5 * 60_000, (session.lifetime_ms || 3_600_000) / 5);
}

/**
 * Events: `change` (signed in, renewed here or in another tab, signed out) and `ended` (the
 * server no longer knows the session: signed out elsewhere or idle too long).
 */
export class Session extends EventTarget {
  #current = read();
  #timer = 0;

  constructor() {
    super();
    window.addEventListener('storage', (event) => {
      if (event.key !== KEY && event.key !== null) return;
      this.#current = read();
      this.#schedule();
      this.dispatchEvent(new Event('change'));
    });
    // Background tabs' timers are throttled; catch up when the tab is seen again.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.ensureFresh().catch(() => {});
    });
    this.#schedule();
  }

  get signedIn() { return this.#current !== null; }
  get username() { return this.#current?.username ?? null; }
  get token() { return this.#current?.access_token ?? null; }

  /**
   * Signs in, unless another tab of this browser already did (both sign-in forms submitted at
   * once): then that session is taken, and no second one is left holding a name. Returns whether
   * this call signed in.
   */
  async signIn(username) {
    const signIn = async () => {
      const stored = read();
      if (stored) {
        this.#current = stored;
        this.#schedule();
        this.dispatchEvent(new Event('change'));
        return false;
      }
      this.#store(await api.signIn(username));
      return true;
    };
    return navigator.locks ? navigator.locks.request(LOCK, signIn) : signIn();
  }

  /** The server no longer knows the session (a 401 on a REST call): forget it in every tab. */
  expire() {
    if (!this.#current) return;
    this.#forget();
    this.dispatchEvent(new Event('ended'));
  }

  /** Ends the session on the server (every replica closes its sockets) and forgets it here. */
  async signOut() {
    const token = this.token;
    this.#forget();
    if (token) await api.signOut(token).catch(() => {});
  }

  /** Renews now when the token is expired or close to it; returns the token to use. */
  async ensureFresh() {
    const current = this.#current;
    if (!current) return null;
    if (current.expires_at - Date.now() > margin(current)) return current.access_token;
    await this.#renew();
    return this.token;
  }

  #store(answer) {
    const lifetime = answer.expires_in * 1000;
    this.#current = {
      username: answer.username,
      access_token: answer.access_token,
      refresh_token: answer.refresh_token,
      expires_at: Date.now() + lifetime,
      lifetime_ms: lifetime,
    };
    localStorage.setItem(KEY, JSON.stringify(this.#current));
    this.#schedule();
    this.dispatchEvent(new Event('change'));
  }

  #forget() {
    localStorage.removeItem(KEY);
    this.#current = null;
    this.#schedule();
    this.dispatchEvent(new Event('change'));
  }

  #schedule() {
    clearTimeout(this.#timer);
    const current = this.#current;
    if (!current) return;
    // A little jitter so that tabs opened together do not all reach for the lock at once.
    const delay = current.expires_at - Date.now() - margin(current) + Math.random() * 10_000;
    this.#timer = setTimeout(() => this.#renew().catch(() => {}), Math.max(0, delay));
  }

  async #renew() {
    const renew = async () => {
      // Another tab may have renewed while this one waited for the lock.
      const stored = read();
      if (stored && stored.refresh_token === this.#current?.refresh_token
          && stored.expires_at - Date.now() > margin(stored)) {
        if (stored.access_token !== this.#current.access_token) {
          this.#current = stored;
          this.#schedule();
          this.dispatchEvent(new Event('change'));
        }
        return;
      }
      const current = this.#current;
      if (!current) return;
      try {
        this.#store(await api.refresh(current.refresh_token));
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 400)) {
          this.#forget();
          this.dispatchEvent(new Event('ended'));
          return;
        }
        // Unreachable or unavailable: try again soon, while the token still lasts.
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.#renew().catch(() => {}), 10_000);
        throw error;
      }
    };
    if (navigator.locks) await navigator.locks.request(LOCK, renew);
    else await renew();
  }
}
