// Callout handlers of the sdk-probe module. Each one holds its stream so it can annotate the paused
// request and resume it; the SDK makes that stream the effective context before calling.
import {
  GrpcCallHandler, GrpcStatus, GrpcStreamHandler, HttpCallHandler, grpcInitialMetadata,
  grpcReceiveBuffer, getStatus, httpCallResponseBody, httpCallResponseHeaders, isHttpCallFailure,
  continueRequest, requestHeaders, sendLocalText, decodeUtf8Buffer, logInfo,
} from "../../../assembly/sdk";

function statusText(): string {
  const s = getStatus();
  return s === null ? "unavailable" : s.code.toString() + " " + s.message;
}

/** http-call / http-call-local: echo the response into the request (or a local reply), then resume. */
export class ProbeHttpHandler extends HttpCallHandler {
  constructor(readonly localReply: bool) { super(); }

  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    if (isHttpCallFailure(numHeaders, bodySize, numTrailers)) {
      const why = statusText();
      if (this.localReply) { sendLocalText(502, "probe_callout_failed", "callout failed: " + why + "\n", null); return; }
      requestHeaders.add("x-probe-call-failed", why);
      continueRequest();
      return;
    }
    const status = httpCallResponseHeaders.get(":status");
    const body = httpCallResponseBody.readAll();
    const text = body !== null ? decodeUtf8Buffer(body) : "<unavailable>";
    if (this.localReply) {
      sendLocalText(200, "probe_callout_echo", "status=" + (status !== null ? status : "?") + "\n" + text, null);
      return;
    }
    requestHeaders.add("x-probe-call-status", status !== null ? status : "<missing>");
    requestHeaders.add("x-probe-call-body", text.length > 200 ? text.substring(0, 200) : text);
    requestHeaders.add("x-probe-call-headers", numHeaders.toString() + "/" + bodySize.toString() + "/" + numTrailers.toString());
    continueRequest();
  }
}

/** http-call-orphan: the stream continues at once; the response normally arrives after onDelete. */
export class OrphanHttpHandler extends HttpCallHandler {
  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    logInfo("sdk-probe: orphan response delivered (stream still alive) token=" + token.toString());
  }
}

/** grpc-call: echo status and message, then resume. */
export class ProbeGrpcCallHandler extends GrpcCallHandler {
  onGrpcCallResponse(token: u32, status: GrpcStatus, messageSize: u32): void {
    requestHeaders.add("x-probe-grpc-status", (<i32>status).toString());
    if (status == GrpcStatus.Ok) {
      const msg = grpcReceiveBuffer.readAll();
      requestHeaders.add("x-probe-grpc-size", messageSize.toString());
      requestHeaders.add("x-probe-grpc-message", msg !== null ? decodeUtf8Buffer(msg) : "<unavailable>");
    } else {
      requestHeaders.add("x-probe-grpc-error", statusText());
    }
    continueRequest();
  }
}

/** grpc-stream: count events, echo them when the stream closes, then resume. */
export class ProbeGrpcStreamHandler extends GrpcStreamHandler {
  messages: i32 = 0;
  lastMessage: string = "";
  initialMetadata: i32 = -1;

  onInitialMetadata(token: u32, numHeaders: u32): void {
    this.initialMetadata = grpcInitialMetadata.pairs().length;
  }
  onMessage(token: u32, messageSize: u32): void {
    this.messages++;
    const m = grpcReceiveBuffer.readAll();
    if (m !== null) this.lastMessage = decodeUtf8Buffer(m);
  }
  onClose(token: u32, status: GrpcStatus): void {
    requestHeaders.add("x-probe-grpc-stream", "status=" + (<i32>status).toString() + " messages=" +
      this.messages.toString() + " metadata=" + this.initialMetadata.toString() + " last=" + this.lastMessage);
    continueRequest();
  }
}
