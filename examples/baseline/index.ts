// The empty baseline filter: a root context and a stream context whose hooks all return Continue
// (the SDK defaults). Every benchmark ratio is measured against this module.
import { RootContext, StreamContext, registerRootContext } from "../../assembly/sdk";
export * from "../../assembly/sdk/exports/core";

class BaselineStream extends StreamContext {}

class BaselineRoot extends RootContext {
  createStreamContext(id: u32): StreamContext | null {
    return new BaselineStream(id, this);
  }
}

registerRootContext((id: u32): RootContext => new BaselineRoot(id));
