// A file of its own so that anything can import it without pulling in json.ts's module state.

/** A new empty array (what `[]` gives, without the empty static buffer each `[]` literal adds
 *  to the module's data): `emptyArray<string[]>()`. */
// @ts-ignore: decorator
@inline export function emptyArray<T>(): T { return changetype<T>(__newArray(0, alignof<usize>(), idof<T>())); }
