// A minimal JSON-RPC client for the node the reader chose: the page's only source of truth.

const BATCH_SIZE = 50; // public nodes often cap batches; small chunks keep every node happy

export class RpcError extends Error {}

export class Rpc {
  constructor(url, { timeoutMs = 20000 } = {}) {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      throw new RpcError(`"${url}" is not a URL`);
    }
    if (!/^https?:$/.test(parsed.protocol)) throw new RpcError(`the node URL must be http(s), not ${parsed.protocol}`);
    this.url = parsed.href;
    this.timeoutMs = timeoutMs;
    this.nextId = 1;
  }

  async post(body) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    let response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: abort.signal,
        credentials: "omit",
        referrerPolicy: "no-referrer",
      });
    } catch (err) {
      const why = err.name === "AbortError" ? `no answer within ${this.timeoutMs / 1000} s` : "unreachable (or it refuses cross-origin requests)";
      throw new RpcError(`the node at ${this.url} is ${why}`);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw new RpcError(`the node at ${this.url} answered HTTP ${response.status}`);
    try {
      return await response.json();
    } catch {
      throw new RpcError(`the node at ${this.url} did not answer JSON`);
    }
  }

  /** One call; throws RpcError on a transport or JSON-RPC error. */
  async call(method, params = []) {
    const answer = await this.post({ jsonrpc: "2.0", id: this.nextId++, method, params });
    return unwrap(answer, method);
  }

  /** Many calls in JSON-RPC batches; each result is the value or an RpcError (never thrown). */
  async batch(calls) {
    const results = [];
    for (let i = 0; i < calls.length; i += BATCH_SIZE) {
      const chunk = calls.slice(i, i + BATCH_SIZE);
      const ids = chunk.map(() => this.nextId++);
      const answer = await this.post(chunk.map(([method, params], k) => ({ jsonrpc: "2.0", id: ids[k], method, params })));
      if (!Array.isArray(answer)) {
        // A node without batch support: ask one by one.
        for (const [method, params] of chunk) results.push(await this.call(method, params).catch((e) => e));
        continue;
      }
      const byId = new Map(answer.map((a) => [a.id, a]));
      chunk.forEach(([method], k) => {
        try {
          results.push(unwrap(byId.get(ids[k]), method));
        } catch (err) {
          results.push(err);
        }
      });
    }
    return results;
  }
}

function unwrap(answer, method) {
  if (!answer || typeof answer !== "object") throw new RpcError(`no answer to ${method}`);
  if (answer.error) throw new RpcError(`${method} failed: ${answer.error.message || JSON.stringify(answer.error)}`);
  return answer.result;
}
