// A minimal JSON-RPC client for the node the reader chose: the page's only source of truth.

const BATCH_SIZE = 50; // public nodes often cap batches; small chunks keep every node happy
const IN_FLIGHT = 4; // batches sent at once: a long history checks in a fraction of the time

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

  /** Many calls in JSON-RPC batches, a few in flight at once; each result is the value or an
   * RpcError (never thrown), in the order of `calls`. */
  async batch(calls) {
    const chunks = [];
    for (let i = 0; i < calls.length; i += BATCH_SIZE) chunks.push(calls.slice(i, i + BATCH_SIZE));
    const results = new Array(chunks.length);
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const k = next++;
        results[k] = await this.batchOnce(chunks[k]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, chunks.length) }, worker));
    return results.flat();
  }

  async batchOnce(chunk) {
    const ids = chunk.map(() => this.nextId++);
    const answer = await this.post(chunk.map(([method, params], k) => ({ jsonrpc: "2.0", id: ids[k], method, params })));
    if (!Array.isArray(answer)) {
      // A node without batch support: ask one by one.
      const one = [];
      for (const [method, params] of chunk) one.push(await this.call(method, params).catch((e) => e));
      return one;
    }
    const byId = new Map(answer.map((a) => [a.id, a]));
    return chunk.map(([method], k) => {
      try {
        return unwrap(byId.get(ids[k]), method);
      } catch (err) {
        return err;
      }
    });
  }
}

function unwrap(answer, method) {
  if (!answer || typeof answer !== "object") throw new RpcError(`no answer to ${method}`);
  if (answer.error) throw new RpcError(`${method} failed: ${answer.error.message || JSON.stringify(answer.error)}`);
  return answer.result;
}
