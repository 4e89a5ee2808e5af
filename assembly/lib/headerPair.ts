// One header (or metadata) entry: the type the SDK's header maps return and the request view
// holds, so a filter can hand the pairs it read from the host to RequestView without copying.
// Pairs are never mutated once made; code that changes a header makes a new pair.

export class HeaderPair {
  constructor(public name: string, public value: string) {}
}
