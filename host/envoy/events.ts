// The pieces of an HTTP message as they travel through the filter chain in one direction.
import type { HeaderMap } from "./header-map.ts";

export type StreamEvent =
  | { kind: "headers"; map: HeaderMap; eos: boolean }
  | { kind: "data"; data: Buffer; eos: boolean }
  | { kind: "trailers"; map: HeaderMap };

export type Direction = "request" | "response";

/** What a filter stage consumes: the message pieces plus control events (continue_stream, stream end). */
export type StageInput = StreamEvent | { kind: "continue" } | { kind: "abort" };
