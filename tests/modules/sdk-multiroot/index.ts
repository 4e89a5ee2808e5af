// Two root contexts registered for different root_ids (tests/host/sdk-multiroot.test.ts): the SDK picks
// the factory by the plugin's root_id, and refuses an unknown one with a log line naming it.
import { RootContext, registerRootContext, log, LogLevel } from "../../../assembly/sdk";
export * from "../../../assembly/sdk/exports/core";

class A extends RootContext {
  onConfigure(configuration: ArrayBuffer): bool { log(LogLevel.Warn, "root=a"); return true; }
}
class B extends RootContext {
  onConfigure(configuration: ArrayBuffer): bool { log(LogLevel.Warn, "root=b"); return true; }
}

registerRootContext((id: u32): RootContext => new A(id), "a");
registerRootContext((id: u32): RootContext => new B(id), "b\u00e9");
