// Header and property names the request libraries and filters use on requests, and the punctuation
// texts they and the config parsers join into strings (")", "'", "?", "=", "&" …), kept as one ASCII text in
// messages.txt (Names) and split once at start: a UTF-16 literal each would cost a 20-byte header,
// two bytes a character and data segments of its own. name(Name.X) is one load.
import { listItems } from "./json";
import { Msg, msg } from "./messages";

/** In messages.txt's Names order. */
export const enum Name {
  Path, Authority, Method, Status, Host, ContentLength, TransferEncoding, XForwardedFor, Cookie,
  XRequestId, Source, Address, WasmgateConsumer, WasmgateClaim, CookieSeparator,
  CloseParen, Apostrophe, ApostropheSpace, Question, Equals, Ampersand,
}

const NAMES = listItems(msg(Msg.Names), Name.Ampersand + 1);
// (the array's storage never changes after this, and the array keeps the texts alive)
const NAME_PTRS = NAMES.dataStart;

/** The text of `n`. */
// @ts-ignore: decorator
@inline export function name(n: Name): string { return load<string>(NAME_PTRS + (<usize>n << 2)); }
