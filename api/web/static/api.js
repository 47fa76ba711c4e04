// Reads from this page's own API (same origin). Errors carry the API's one-line message.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function request(path, { token, accept = "application/json" } = {}) {
  const headers = { Accept: accept };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { headers, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "the ledger API cannot be reached");
  }
  if (!response.ok) {
    let message = `the ledger API answered HTTP ${response.status}`;
    try {
      const body = await response.json();
      if (body && body.message) message = body.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, message);
  }
  return response;
}

export async function getJson(path, options) {
  return (await request(path, options)).json();
}

/** The exact bytes of a text resource (terms are hashed byte for byte), and its headers. */
export async function getBytes(path, options) {
  const response = await request(path, { ...options, accept: "text/plain" });
  return { bytes: new Uint8Array(await response.arrayBuffer()), headers: response.headers };
}

export const enc = encodeURIComponent;
