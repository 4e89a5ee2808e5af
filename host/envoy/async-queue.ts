// A tiny single-consumer async queue, and a one-shot wake-up used by the stream driver.
export class AsyncQueue<T> {
  private items: T[] = [];
  private waiter: ((v: T) => void) | null = null;
  push(v: T): void {
    if (this.waiter) { const w = this.waiter; this.waiter = null; w(v); } else this.items.push(v);
  }
  next(): Promise<T> {
    if (this.items.length) return Promise.resolve(this.items.shift()!);
    return new Promise((r) => (this.waiter = r));
  }
  tryNext(): T | undefined { return this.items.shift(); }
  get size(): number { return this.items.length; }
}
