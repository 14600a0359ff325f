// The µTorrent Web API over fetch: token handling, query building, error replies.
// The browser already holds the HTTP Basic credentials of the page, so fetch reuses them.

const BASE = '/gui/';
// The token as a promise: requests sent together (the first list beside the settings) share one
// token request.
let token = null;

class ApiError extends Error {}

async function fetchToken() {
  const res = await fetch(`${BASE}token.html?t=${Date.now()}`, { cache: 'no-store' });
  if (!res.ok) throw new ApiError(`token request failed: HTTP ${res.status}`);
  const m = />([^<]+)</.exec(await res.text());
  if (!m) throw new ApiError('token page has no token');
  return m[1];
}

// params: object or array of [key, value] pairs (repeated keys such as hash, s, v, f keep their
// order, which setprops relies on). Array values expand into repeated keys.
function query(params) {
  const pairs = Array.isArray(params) ? params : Object.entries(params);
  const q = new URLSearchParams();
  for (const [k, v] of pairs) {
    for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) q.append(k, one);
  }
  return q.toString();
}

// One request; a 400 means the token is stale (daemon restarted or expired): get a new one, retry once.
async function request(params, init = {}, retry = true) {
  const asked = (token ||= fetchToken().catch((e) => { token = null; throw e; }));
  const res = await fetch(`${BASE}?token=${encodeURIComponent(await asked)}&${query(params)}`, { cache: 'no-store', ...init });
  if (res.status === 400 && retry) {
    if (token === asked) token = null;
    return request(params, init, false);
  }
  if (!res.ok) throw new ApiError(`HTTP ${res.status}`);
  const json = await res.json();
  if (json.error) throw new ApiError(json.error);
  return json;
}

export const get = (params) => request(params);
export const action = (name, params = {}) => request([['action', name], ...toPairs(params)]);

const toPairs = (p) => (Array.isArray(p) ? p : Object.entries(p));

// add-file: multipart POST with the field name clients have always used.
export function addFile(file, params = {}) {
  const body = new FormData();
  body.append('torrent_file', file, file.name);
  return request([['action', 'add-file'], ...toPairs(params)], { method: 'POST', body });
}
