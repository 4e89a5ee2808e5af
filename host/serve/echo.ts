// The upstream `wasmgate serve --echo` sends every cluster to: it answers each request with what it
// received, as JSON — method, path, headers (every value, in order, as go-httpbin's /anything
// lists them, UTF-8 values as text) and body — so a developer sees what the filters and the router did to the request.
// Like go-httpbin (the Envoy suite's upstream), /status/N answers status N with no body.
import { createServer, type Server } from "node:http";
import { fromWire } from "./wire.ts";

export interface Echo { server: Server; target: string; close(): Promise<void> }

export function startEcho(address = "127.0.0.1", port = 0): Promise<Echo> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      res.destroy(); // the request was aborted: nothing to answer
      return;
    }
    const status = /^\/status\/([1-5][0-9][0-9])(?:[/?]|$)/.exec(req.url ?? "");
    if (status) { res.writeHead(Number(status[1]), { "content-length": 0 }); res.end(); return; }
    const headers: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) (headers[req.rawHeaders[i].toLowerCase()] ??= []).push(fromWire(req.rawHeaders[i + 1]));
    const body = Buffer.concat(chunks);
    const out = JSON.stringify({ method: req.method, path: req.url, headers, body: body.toString("utf8") }, null, 2) + "\n";
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) });
    res.end(out);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => {
      const a = server.address() as { port: number };
      resolve({ server, target: `${address}:${a.port}`, close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }) });
    });
  });
}
