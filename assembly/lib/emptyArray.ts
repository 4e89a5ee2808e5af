// A file of its own so that anything can import it without pulling in json.ts's module state.

/** A new empty array (what `[]` gives, without the empty static buffer each `[]` literal adds
 *  to the module's data): `emptyArray<string[]>()`. */
// @ts-ignore: decorator
@inline export function emptyArray<T>(): T { return changetype<T>(__newArray(0, alignof<usize>(), idof<T>())); }

/** A new array of n null references, `newArray<string[]>(n)`: what `new Array<string>(n)` gives,
 *  without that constructor's code (one more function per element type) and its length check
 *  (callers pass the length of an existing array). The elements must be zeroed here: the minimal
 *  runtime's __new does not clear what it allocates. */
// @ts-ignore: decorator
@inline export function newArray<T>(n: i32): T {
  const a = __newArray(n, alignof<usize>(), idof<T>());
  memory.fill(load<usize>(a, offsetof<T>("dataStart")), 0, <usize>n << alignof<usize>());
  return changetype<T>(a);
}
