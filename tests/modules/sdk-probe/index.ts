// sdk-probe: a test module that exercises the whole wasmgate SDK surface, one feature per request.
// The request header `x-probe: <action>` selects the feature; results are echoed as added request
// headers (seen by the upstream), response headers, local replies, logs or metrics.
//
// Plugin configuration (JSON, all optional): {"tick_ms": N, "passthrough": bool, "delay_done": bool}
//   tick_ms      → onConfigure calls setTickPeriod(N); every onTick increments sdk_probe.ticks
//   passthrough  → createStreamContext returns null: every stream passes untouched (no x-sdk-probe)
//   delay_done   → root onDone returns false; the next onTick (or onQueueReady) calls done()
// Every stream gets response header `x-sdk-probe: <action or "none">` in onResponseHeaders.
// Metrics defined in onConfigure: sdk_probe.requests (counter, +1 per request), sdk_probe.ticks
// (counter), sdk_probe.dequeued (counter), sdk_probe.gauge (gauge), sdk_probe.histogram
// (histogram), sdk_probe.dropped_responses (gauge = callout responses dropped for gone streams,
// refreshed in every onLog and onTick).
//
// | x-probe             | what the module does                                   | what the host test should observe |
// |---------------------|--------------------------------------------------------|-----------------------------------|
// | headers-read        | get/getAll/pairs/byteSize on request headers           | request gains x-probe-get (value of x-probe-in or "<null>"), x-probe-all (x-multi values joined "|"), x-probe-count (pairs), x-probe-size (byte size), x-probe-missing ("<null>") |
// | headers-set         | set x-set=v, add x-add=a, remove x-remove              | upstream sees x-set: v (single), x-add: a appended, no x-remove |
// | headers-pairs       | setPairs(all pairs + x-pairs: 1)                       | upstream sees the original headers plus x-pairs: 1 |
// | late-read           | reads request :path again in onResponseHeaders         | response has x-probe-late-path: <null> (map gone after Continue, no trap) |
// | props               | getProperty for paths named by x-prop-string/-int/-bool/-map/-list (dotted, split on ".") | request gains x-probe-prop-string/-int/-bool/-map (entry count)/-list (items joined ",") or "<missing>"; plus x-probe-path (request.path) |
// | set-property        | setProperty(["probe_value"], "hello"), read it back     | x-probe-set-status: 0, x-probe-roundtrip: hello |
// | local-reply         | sendLocalResponse(418, "probe_local", "teapot\n", [x-local: 1], grpc = x-grpc-status or -1), returns Continue | client gets 418 "teapot\n" with x-local: 1 (and grpc-status if given); request not forwarded; response headers callback still adds x-sdk-probe |
// | http-call           | httpCall(x-cluster, GET x-call-path or "/", :authority x-call-authority or cluster, timeout x-call-timeout or 5000), returns StopIteration | request gains x-probe-token (before pausing), then x-probe-call-status, x-probe-call-body, x-probe-call-headers "nh/body/nt" and continues; on failure x-probe-call-failed: "11 reset"; BadArgument at start → x-probe-call-error: <status> and continues |
// | http-call-local     | same call; the handler answers with a local reply      | client gets 200 "status=<s>\n<body>" (502 on callout failure) |
// | http-call-orphan    | same call, but returns Continue at once                | stream completes; the late response is dropped: debug log "sdk: dropped callout response …", gauge sdk_probe.dropped_responses increases, no trap |
// | grpc-call           | grpcCall(x-cluster, "probe.Echo", "Echo", metadata x-probe: 1, message = x-grpc-message or "ping"), Stop | request gains x-probe-grpc-status, x-probe-grpc-size, x-probe-grpc-message (or x-probe-grpc-error "<code> <msg>"), then continues |
// | grpc-stream         | grpcStream(x-cluster, "probe.Echo", "Stream"), grpcSend(message, end_stream), Stop | on close: request gains x-probe-grpc-stream "status=… messages=… metadata=… last=…", continues |
// | shared-inc          | CAS read-modify-write increment of key x-shared-key (default "probe-counter"), ≤ 16 tries | request gains x-probe-shared (new value, decimal), x-probe-shared-tries |
// | shared-get          | getSharedData(key)                                     | x-probe-shared-value and x-probe-shared-cas, or x-probe-shared-value: <missing> |
// | queue               | enqueue x-queue-item (default "item") on "probe-queue" (registered in onConfigure) | x-probe-queue-status: 0; later onQueueReady dequeues until Empty: info log "sdk-probe: dequeued <item>" per item, counter sdk_probe.dequeued |
// | queue-resolve       | resolveSharedQueue("", "probe-queue") and ("", "nope") | x-probe-queue-token: <non-zero>, x-probe-queue-missing: 0 |
// | metrics             | gauge set 10 / add -3, histogram record 42, counter increment(0) | x-probe-counter (sdk_probe.requests value), x-probe-gauge: 7, x-probe-histogram-get: 2 (BadArgument), x-probe-counter-zero: 2 (BadArgument) |
// | log                 | logs one line per level 0..5, reads the level          | logs "sdk-probe: level <n>" at each enabled level; x-probe-log-level: <host level>, x-probe-debug-enabled: 0/1 |
// | time                | currentTimeNanos()                                     | x-probe-time: ns since epoch (non-zero) |
// | vm-config           | echoes the VM configuration seen in onVmStart         | x-probe-vm-config: <text> |
// | config-late         | reads the plugin configuration outside onConfigure    | x-probe-config-late: <null> (NotFound) |
// | body-read / body-prepend / body-append / body-replace | removes content-length; buffers the request body (StopIterationAndBuffer) until end of stream, then: replace it with "read:<size>:<body>" / prepend "pre-" / append "-post" / replace with "replaced" | upstream body transformed as described |
// | body-response       | removes response content-length, appends "-probe" to the response body at end of stream | client body ends with "-probe" |
// | close               | closeStream(Request), returns StopIteration            | stream reset, no upstream request |
// | foreign             | callForeignFunction("compress", x-foreign-input or "hello") and ("no_such_function") | x-probe-foreign-status: 0, x-probe-foreign-size: <n>, x-probe-foreign-missing: 1 (NotFound) |
// | trap                | throw new Error("probe trap requested") → proxyAbort   | critical log "abort: probe trap requested at …", trap: 503 and the VM fails |
// | (absent / other)    | nothing                                               | request passes; sdk_probe.requests incremented |
import {
  Counter, FilterDataStatus, FilterHeadersStatus, Gauge, Histogram, LogLevel, RootContext,
  StreamContext, callForeignFunction, closeStream, currentTimeNanos, dequeueSharedQueue,
  droppedCalloutResponses, done, enqueueSharedQueue, getLogLevel, getMetricValue, grpcCall,
  grpcSend, grpcStream, HeaderPair, httpCall, log, logEnabled, pluginConfiguration,
  registerRootContext, registerSharedQueue, requestBody, requestHeaders, resolveSharedQueue,
  responseBody, responseHeaders, sendLocalText, setTickPeriod, WasmResult, decodeUtf8Buffer,
  getProperty, setProperty, logInfo, HttpCallHandler,
} from "../../../assembly/sdk";
import { parseJsonUtf8 } from "../../../assembly/lib/json";
import { OrphanHttpHandler, ProbeGrpcCallHandler, ProbeGrpcStreamHandler, ProbeHttpHandler } from "./callouts";
import { readProperties, sharedGet, sharedIncrement } from "./features";
export * from "../../../assembly/sdk/exports";

class ProbeRoot extends RootContext {
  vmConfig: string = "";
  passthrough: bool = false;
  delayDone: bool = false;
  donePending: bool = false;
  queueToken: u32 = 0;
  requests: Counter | null = null;
  ticks: Counter | null = null;
  dequeued: Counter | null = null;
  gauge: Gauge | null = null;
  histogram: Histogram | null = null;
  dropped: Gauge | null = null;

  onVmStart(vmConfiguration: ArrayBuffer): bool {
    this.vmConfig = decodeUtf8Buffer(vmConfiguration);
    return true;
  }

  onConfigure(configuration: ArrayBuffer): bool {
    let tickMs: i64 = 0;
    if (configuration.byteLength > 0) {
      const r = parseJsonUtf8(Uint8Array.wrap(configuration));
      const v = r.value;
      if (v === null || v.obj === null) { log(LogLevel.Error, "sdk-probe: config: " + r.toString()); return false; }
      const o = v.obj!;
      tickMs = o.getInt("tick_ms", 0);
      this.passthrough = o.getBool("passthrough", false);
      this.delayDone = o.getBool("delay_done", false);
    }
    if (this.requests === null) {
      this.requests = new Counter("sdk_probe.requests");
      this.ticks = new Counter("sdk_probe.ticks");
      this.dequeued = new Counter("sdk_probe.dequeued");
      this.gauge = new Gauge("sdk_probe.gauge");
      this.histogram = new Histogram("sdk_probe.histogram");
      this.dropped = new Gauge("sdk_probe.dropped_responses");
    }
    this.queueToken = registerSharedQueue("probe-queue");
    if (tickMs > 0) setTickPeriod(<u32>tickMs);
    return true;
  }

  refreshDropped(): void {
    const g = this.dropped;
    if (g !== null) g.set(<u64>droppedCalloutResponses());
  }

  onTick(): void {
    const c = this.ticks;
    if (c !== null) c.increment(1);
    this.refreshDropped();
    this.finishIfPending();
  }

  onQueueReady(queueToken: u32): void {
    for (let i = 0; i < 1000; i++) {
      const r = dequeueSharedQueue(queueToken);
      if (r.status == WasmResult.Empty) break;
      if (r.status != WasmResult.Ok) { logInfo("sdk-probe: dequeue status " + (<i32>r.status).toString()); break; }
      const data = r.data;
      logInfo("sdk-probe: dequeued " + (data !== null ? decodeUtf8Buffer(data) : ""));
      const c = this.dequeued;
      if (c !== null) c.increment(1);
    }
    this.finishIfPending();
  }

  onDone(): bool {
    if (!this.delayDone) return true;
    this.donePending = true;
    return false;
  }

  finishIfPending(): void {
    if (this.donePending) { this.donePending = false; done(); }
  }

  createStreamContext(id: u32): StreamContext | null {
    return this.passthrough ? null : new ProbeStream(id, this);
  }
}

function h(name: string): string {
  const v = requestHeaders.get(name);
  return v !== null ? v : "";
}

function orDefault(s: string, d: string): string { return s.length > 0 ? s : d; }

function str(s: string | null): string { return s !== null ? s : "<null>"; }

class ProbeStream extends StreamContext {
  action: string = "none";

  constructor(id: u32, readonly probe: ProbeRoot) { super(id, probe); }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const counter = this.probe.requests;
    if (counter !== null) counter.increment(1);
    const a = requestHeaders.get("x-probe");
    if (a === null) return FilterHeadersStatus.Continue;
    this.action = a;
    if (a == "headers-read") {
      requestHeaders.add("x-probe-get", str(requestHeaders.get("x-probe-in")));
      requestHeaders.add("x-probe-all", requestHeaders.getAll("x-multi").join("|"));
      requestHeaders.add("x-probe-count", requestHeaders.pairs().length.toString());
      requestHeaders.add("x-probe-size", requestHeaders.byteSize().toString());
      requestHeaders.add("x-probe-missing", str(requestHeaders.get("x-definitely-missing")));
    } else if (a == "headers-set") {
      requestHeaders.set("x-set", "v");
      requestHeaders.add("x-add", "a");
      requestHeaders.remove("x-remove");
    } else if (a == "headers-pairs") {
      const pairs = requestHeaders.pairs();
      pairs.push(new HeaderPair("x-pairs", "1"));
      requestHeaders.setPairs(pairs);
    } else if (a == "props") {
      readProperties();
    } else if (a == "set-property") {
      const st = setProperty(["probe_value"], String.UTF8.encode("hello"));
      requestHeaders.add("x-probe-set-status", (<i32>st).toString());
      const back = getProperty(["probe_value"]);
      requestHeaders.add("x-probe-roundtrip", back !== null ? decodeUtf8Buffer(back) : "<missing>");
    } else if (a == "local-reply") {
      const g = h("x-grpc-status");
      const grpc = g.length > 0 ? I32.parseInt(g) : -1;
      sendLocalText(418, "probe_local", "teapot\n", [new HeaderPair("x-local", "1")], grpc);
    } else if (a == "http-call" || a == "http-call-local" || a == "http-call-orphan") {
      return this.startHttpCall(a);
    } else if (a == "grpc-call") {
      const r = grpcCall(h("x-cluster"), "probe.Echo", "Echo", [new HeaderPair("x-probe", "1")],
        String.UTF8.encode(orDefault(h("x-grpc-message"), "ping")), 5000, new ProbeGrpcCallHandler());
      if (!r.ok) { requestHeaders.add("x-probe-grpc-error", (<i32>r.status).toString()); return FilterHeadersStatus.Continue; }
      return FilterHeadersStatus.StopIteration;
    } else if (a == "grpc-stream") {
      const r = grpcStream(h("x-cluster"), "probe.Echo", "Stream", null, new ProbeGrpcStreamHandler());
      if (!r.ok) { requestHeaders.add("x-probe-grpc-error", (<i32>r.status).toString()); return FilterHeadersStatus.Continue; }
      grpcSend(r.token, String.UTF8.encode(orDefault(h("x-grpc-message"), "ping")), true);
      return FilterHeadersStatus.StopIteration;
    } else if (a == "shared-inc") {
      sharedIncrement(orDefault(h("x-shared-key"), "probe-counter"));
    } else if (a == "shared-get") {
      sharedGet(orDefault(h("x-shared-key"), "probe-counter"));
    } else if (a == "queue") {
      const st = enqueueSharedQueue(this.probe.queueToken, String.UTF8.encode(orDefault(h("x-queue-item"), "item")));
      requestHeaders.add("x-probe-queue-status", (<i32>st).toString());
    } else if (a == "queue-resolve") {
      requestHeaders.add("x-probe-queue-token", resolveSharedQueue("", "probe-queue").toString());
      requestHeaders.add("x-probe-queue-missing", resolveSharedQueue("", "nope").toString());
    } else if (a == "metrics") {
      this.metrics();
    } else if (a == "log") {
      for (let l = 0; l <= 5; l++) log(<LogLevel>l, "sdk-probe: level " + l.toString());
      requestHeaders.add("x-probe-log-level", (<i32>getLogLevel()).toString());
      requestHeaders.add("x-probe-debug-enabled", logEnabled(LogLevel.Debug) ? "1" : "0");
    } else if (a == "time") {
      requestHeaders.add("x-probe-time", currentTimeNanos().toString());
    } else if (a == "vm-config") {
      requestHeaders.add("x-probe-vm-config", this.probe.vmConfig);
    } else if (a == "config-late") {
      const c = pluginConfiguration.readAll();
      requestHeaders.add("x-probe-config-late", c !== null ? decodeUtf8Buffer(c) : "<null>");
    } else if (a.startsWith("body-")) {
      requestHeaders.remove("content-length");
    } else if (a == "close") {
      closeStream();
      return FilterHeadersStatus.StopIteration;
    } else if (a == "foreign") {
      const r = callForeignFunction("compress", String.UTF8.encode(orDefault(h("x-foreign-input"), "hello")));
      requestHeaders.add("x-probe-foreign-status", (<i32>r.status).toString());
      const d = r.data;
      requestHeaders.add("x-probe-foreign-size", d !== null ? d.byteLength.toString() : "-1");
      requestHeaders.add("x-probe-foreign-missing", (<i32>callForeignFunction("no_such_function", null).status).toString());
    } else if (a == "trap") {
      throw new Error("probe trap requested");
    }
    return FilterHeadersStatus.Continue;
  }

  startHttpCall(a: string): FilterHeadersStatus {
    const cluster = h("x-cluster");
    const headers = [
      new HeaderPair(":method", "GET"),
      new HeaderPair(":path", orDefault(h("x-call-path"), "/")),
      new HeaderPair(":authority", orDefault(h("x-call-authority"), cluster)),
    ];
    const t = h("x-call-timeout");
    const timeout = t.length > 0 ? U32.parseInt(t) : 5000;
    const handler = a == "http-call-orphan" ? <HttpCallHandler>new OrphanHttpHandler() : <HttpCallHandler>new ProbeHttpHandler(a == "http-call-local");
    const r = httpCall(cluster, headers, null, null, timeout, handler);
    if (!r.ok) {
      requestHeaders.add("x-probe-call-error", (<i32>r.status).toString());
      return FilterHeadersStatus.Continue;
    }
    requestHeaders.add("x-probe-token", r.token.toString());
    return a == "http-call-orphan" ? FilterHeadersStatus.Continue : FilterHeadersStatus.StopIteration;
  }

  metrics(): void {
    const c = this.probe.requests, g = this.probe.gauge, hist = this.probe.histogram;
    if (c === null || g === null || hist === null) return;
    g.set(10);
    g.add(-3);
    hist.record(42);
    requestHeaders.add("x-probe-counter", c.get().toString());
    requestHeaders.add("x-probe-gauge", g.get().toString());
    requestHeaders.add("x-probe-histogram-get", (<i32>getMetricValue(hist.id).status).toString());
    requestHeaders.add("x-probe-counter-zero", (<i32>c.increment(0)).toString());
  }

  onRequestBody(bodySize: u32, endOfStream: bool): FilterDataStatus {
    const a = this.action;
    if (!a.startsWith("body-") || a == "body-response") return FilterDataStatus.Continue;
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;
    if (a == "body-read") {
      const b = requestBody.readAll();
      const text = b !== null ? decodeUtf8Buffer(b) : "<null>";
      requestBody.replaceText("read:" + bodySize.toString() + ":" + text);
    } else if (a == "body-prepend") requestBody.prependText("pre-");
    else if (a == "body-append") requestBody.appendText("-post");
    else if (a == "body-replace") requestBody.replaceText("replaced");
    return FilterDataStatus.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    responseHeaders.set("x-sdk-probe", this.action);
    if (this.action == "late-read") responseHeaders.set("x-probe-late-path", str(requestHeaders.get(":path")));
    if (this.action == "body-response") responseHeaders.remove("content-length");
    return FilterHeadersStatus.Continue;
  }

  onResponseBody(bodySize: u32, endOfStream: bool): FilterDataStatus {
    if (this.action != "body-response") return FilterDataStatus.Continue;
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;
    responseBody.appendText("-probe");
    return FilterDataStatus.Continue;
  }

  onLog(): void {
    this.probe.refreshDropped();
  }
}

registerRootContext((id: u32): RootContext => new ProbeRoot(id));
