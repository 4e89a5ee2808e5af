// A file of its own so that anything can import it without pulling in json.ts's module state.

/** A new empty array (what `[]` gives, without the empty static buffer each `[]` literal adds
 *  to the module's data): `emptyArray<string[]>()`. */
// @ts-ignore: decorator
@inline export function emptyArray<T>(): T { return changetype<T>(emptyArrayOf(idof<T>())); }

/**
 * A new empty array of class `id` (an array of references): what __newArray(0, 2, id) makes,
 * written out here so that each of the ~25 places that make one passes the class id alone, not
 * __newArray's three arguments (a function that only called __newArray would be inlined back).
 */
export function emptyArrayOf(id: u32): usize {
  const buf = __new(0, idof<ArrayBuffer>());
  const a = __new(offsetof<Array<string>>(), id);
  store<usize>(a, buf, offsetof<Array<string>>("buffer"));
  __link(a, buf, false); // (a no-op in the minimal runtime; the write barrier of the specs' incremental one)
  store<usize>(a, buf, offsetof<Array<string>>("dataStart"));
  store<u64>(a, 0, offsetof<Array<string>>("byteLength")); // and length_
  return a;
}

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

/** A zeroed StaticArray of n 4-byte elements of class id `id`, without the constructor's length
 *  check and its message (callers ask for small sizes): the SDK's id tables and header lists, and
 *  json.ts's newInts. */
export function zeroed(n: i32, id: u32): usize {
  const size = <usize>n << 2;
  const a = __new(size, id);
  memory.fill(a, 0, size);
  return a;
}
