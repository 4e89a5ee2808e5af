// Dispatcher state other SDK files need to read: which context is running, and whether host calls
// other than proxy_log are allowed yet (they are not during _initialize, i.e. top-level code).

/** Id of the context whose callback is running (the stream, for a callout delivered to a stream). 0 outside callbacks. */
export let currentContextId: u32 = 0;
/** Whether that context is a stream (a stream callback, or a callout delivered to the stream that issued it). */
export let currentIsStream: bool = false;
/** Becomes true at the first proxy_on_context_create; before that only proxy_log may be called. */
export let hostReady: bool = false;

export function setCurrent(contextId: u32, isStream: bool): void {
  currentContextId = contextId;
  currentIsStream = isStream;
}

export function markHostReady(): void {
  hostReady = true;
}
