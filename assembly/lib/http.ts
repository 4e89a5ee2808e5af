// http.ts — small HTTP syntax checks used before anything is written into a header.
//
// isValidHeaderName(s): a non-empty RFC 9110 token (§5.1, §5.6.2): ALPHA DIGIT and
//   ! # $ % & ' * + - . ^ _ ` | ~ — no spaces, colons, control characters or non-ASCII.
// isSafeHeaderValue(s, maxLength): no CR, LF, NUL or other control characters (HTAB is allowed),
//   no DEL, and not longer than maxLength (default 8 KiB) — the header-injection guard for
//   values built from templates, claims or query parameters. Non-ASCII (obs-text) is allowed.
// lowerAscii(s): ASCII lower-casing (header names, hosts), leaving other characters alone.

// Token characters: bit set over ASCII, built once.
const TOKEN_EXTRA = "!#$%&'*+-.^_`|~";

export function isTokenChar(c: i32): bool {
  if (c >= 128) return false;
  const l = c | 0x20;
  if ((l >= 97 && l <= 122) || (c >= 48 && c <= 57)) return true;
  return TOKEN_EXTRA.indexOf(String.fromCharCode(c)) >= 0;
}

export function isValidHeaderName(s: string): bool {
  const n = s.length;
  if (n == 0 || n > 1024) return false;
  for (let i = 0; i < n; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

export const DEFAULT_MAX_HEADER_VALUE: i32 = 8192;

export function isSafeHeaderValue(s: string, maxLength: i32 = DEFAULT_MAX_HEADER_VALUE): bool {
  const n = s.length;
  if (n > maxLength) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c != 0x09) || c == 0x7F) return false;
  }
  return true;
}

export function lowerAscii(s: string): string {
  const n = s.length;
  let i = 0;
  while (i < n) { const c = s.charCodeAt(i); if (c >= 65 && c <= 90) break; i++; }
  if (i == n) return s;
  const out = new Array<i32>(n);
  for (let k = 0; k < n; k++) {
    const c = <i32>s.charCodeAt(k);
    unchecked(out[k] = c >= 65 && c <= 90 ? c | 0x20 : c);
  }
  return String.fromCharCodes(out);
}
