// The chat API's REST calls, on this origin (the frontend forwards /api to chat-api).

/** An HTTP failure carrying the status and the ProblemDetails' words. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem?.detail || problem?.title || `The server answered ${status}.`);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

async function call(method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { title: 'The server cannot be reached.' });
  }
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiError(response.status, data, Number(response.headers.get('Retry-After')) || undefined);
  return data;
}

export const api = {
  signIn: (username) => call('POST', '/api/auth/guest', { body: { username } }),
  refresh: (refreshToken) => call('POST', '/api/auth/refresh', { body: { refresh_token: refreshToken } }),
  signOut: (token) => call('POST', '/api/auth/logout', { token }),
  rooms: (token, cursor) => call('GET', `/api/rooms?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token }),
  createRoom: (token, roomId, isPrivate) => call('POST', '/api/rooms', { token, body: { room_id: roomId, private: isPrivate } }),
  history: (token, roomId, before) =>
    call('GET', `/api/rooms/${encodeURIComponent(roomId)}/messages?limit=50&before=${encodeURIComponent(before)}`, { token }),
  presence: (token, roomId) => call('GET', `/api/rooms/${encodeURIComponent(roomId)}/presence`, { token }),
  addMember: (token, roomId, username) =>
    call('PUT', `/api/rooms/${encodeURIComponent(roomId)}/members/${encodeURIComponent(username)}`, { token }),
};
