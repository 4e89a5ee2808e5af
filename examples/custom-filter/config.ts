// Parsing and validating the custom-filter configuration, once, in onConfigure:
//   {"header": {"name": "x-hello", "value": "world"}, "deny": ["/admin"]}
// Both fields are optional; unknown fields are rejected so typos fail loudly.
import { parseJsonUtf8 } from "../../assembly/lib/json";
import { ConfigObject, Problems, itemPath } from "../../assembly/lib/configReader";
import { canonicalizePath } from "../../assembly/lib/path";

export class CustomConfig {
  /** Request header to add ("" = none). Lower-case, as Envoy stores it. */
  headerName: string = "";
  headerValue: string = "";
  /** Canonical denied path prefixes, without a trailing "/" (except the root "/"). */
  deny: string[] = [];
}

/** The config, or null with problems.first set to "config.<path>: <reason>". */
export function parseConfig(bytes: ArrayBuffer, problems: Problems): CustomConfig | null {
  const cfg = new CustomConfig();
  if (bytes.byteLength == 0) return cfg; // no configuration: nothing to add, nothing denied
  const parsed = parseJsonUtf8(Uint8Array.wrap(bytes));
  if (!parsed.ok) { problems.add("config", "invalid JSON at " + parsed.toString()); return null; }
  const root = ConfigObject.root(parsed.value, "config", problems);
  if (root === null) return null;
  root.rejectUnknown(["header", "deny"]);

  const header = root.object("header");
  if (header !== null) {
    header.rejectUnknown(["name", "value"]);
    const name = header.obj.getString("name");
    if (name === null || name.length == 0) header.fail("name", "must be a non-empty string");
    else if (!isHeaderName(name)) header.fail("name", "must be a lower-case header name (letters, digits, ! # $ % & ' * + - . ^ _ ` | ~)");
    else cfg.headerName = name;
    const value = header.obj.getString("value");
    if (value === null) header.fail("value", "must be a string");
    else if (!isHeaderValue(value)) header.fail("value", "must not contain control characters");
    else cfg.headerValue = value;
  }

  const deny = root.stringArray("deny");
  if (deny !== null) {
    for (let i = 0; i < deny.length; i++) {
      const raw = unchecked(deny[i]);
      const c = canonicalizePath(raw);
      if (raw.length == 0 || raw.charCodeAt(0) != 47 /* / */ || !c.ok || c.hasQuery) {
        problems.add(itemPath(root.at("deny"), i), "must be a path starting with \"/\" (no query)");
        continue;
      }
      cfg.deny.push(trimTrailingSlash(c.path));
    }
  }
  return problems.ok ? cfg : null;
}

function trimTrailingSlash(p: string): string {
  let end = p.length;
  while (end > 1 && p.charCodeAt(end - 1) == 47) end--;
  return p.substring(0, end);
}

/** RFC 9110 token, lower-case only (Envoy lower-cases names; an upper-case name is a config typo). */
function isHeaderName(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) ||
      c == 33 || (c >= 35 && c <= 39) || c == 42 || c == 43 || c == 45 || c == 46 ||
      c == 94 || c == 95 || c == 96 || c == 124 || c == 126;
    if (!ok) return false;
  }
  return true;
}

/** No CR, LF, NUL or other control characters except horizontal tab. */
function isHeaderValue(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c != 9) || c == 127) return false;
  }
  return true;
}
