// Dispatcher state other SDK files need to read: which context is running, and whether host calls
// other than proxy_log are allowed yet (they are not during _initialize, i.e. top-level code).

/** Id of the context whose callback is running (the stream, for a callout delivered to a stream). 0 outside callbacks. */
export let currentContextId: u32 = 0;
/** Id of the root context owning the running callback (the stream's parent for stream callbacks). */
export let currentRootId: u32 = 0;
/** Becomes true at the first proxy_on_context_create; before that only proxy_log may be called. */
export let hostReady: bool = false;

export function setCurrent(contextId: u32, rootId: u32): void {
  currentContextId = contextId;
  currentRootId = rootId;
}

export function markHostReady(): void {
  hostReady = true;
}
