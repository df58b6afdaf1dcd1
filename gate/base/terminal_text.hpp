#pragma once
// Text from outside (servers' answers, manifests, rule files) made inert before it reaches a
// terminal or a report: no byte of it can move the cursor, clear the screen, ring the bell,
// retitle the window or start an escape sequence. opsgate's own colours are added afterwards.

#include <string>
#include <string_view>

namespace opsgate {

enum class TextShape {
  line,   // a one-line field: every control character escaped, \n and \t included
  block,  // several lines: \n and \t kept
};

// Control characters become visible escapes: C0 and DEL as "\x1b" ("\n", "\r", "\t" by name),
// C1 (U+0080-U+009F, as UTF-8) as "\u009b", the invisible bidirectional controls that reorder
// the text shown around them ("Trojan Source": U+061C, U+200E, U+200F, U+202A-U+202E,
// U+2066-U+2069) as "\u202e", bytes that are not UTF-8 as "\xNN"; so an escape sequence
// ("\x1b[2J", "\x1b]0;title\x07") or a reordering shows as text. Backslashes stay as they are: the
// result escaped again is unchanged, so a text may pass through several layers safely.
std::string escape_control(std::string_view text, TextShape shape = TextShape::line);

// Whether a text shows nothing a reader can see: empty, or only white space (ASCII and Unicode:
// U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) and invisible format
// characters (U+00AD, U+180E, U+200B-U+200F, U+202A-U+202E, U+2060-U+2064, U+2066-U+2069,
// U+FEFF). A waiver's "reason = \" \"" says nothing.
bool is_blank_text(std::string_view text);

}  // namespace opsgate
