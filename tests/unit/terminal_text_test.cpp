#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "terminal_text.hpp"

namespace terminal_text_test {

using namespace opsgate;

namespace {

// No byte a terminal acts on: no C0 but those in `keep`, no DEL, no C1 in UTF-8 or alone.
bool inert(std::string_view text, std::string_view keep = "") {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if ((byte < 0x20 || byte == 0x7f) && keep.find(text[i]) == std::string_view::npos) return false;
    // A continuation byte after ASCII stands alone; after 0xc2 it is a C1 control.
    auto previous = i == 0 ? 0 : static_cast<unsigned char>(text[i - 1]);
    if (byte >= 0x80 && byte <= 0x9f && (previous < 0x80 || previous == 0xc2)) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("terminal text: every C0 byte and DEL is escaped", "[terminal_text]") {
  for (int byte = 0; byte < 0x20; ++byte) {
    std::string text = "a" + std::string(1, static_cast<char>(byte)) + "b";
    std::string expected = byte == '\n'   ? "a\\nb"
                           : byte == '\t' ? "a\\tb"
                           : byte == '\r' ? "a\\rb"
                                          : fmt::format("a\\x{:02x}b", byte);
    INFO("byte " << byte);
    CHECK(escape_control(text) == expected);
    CHECK(escape_control(text, TextShape::line) == expected);
    // A block keeps its line breaks and tabs, and nothing else.
    if (byte == '\n' || byte == '\t')
      CHECK(escape_control(text, TextShape::block) == text);
    else
      CHECK(escape_control(text, TextShape::block) == expected);
  }
  CHECK(escape_control("a\x7f"
                       "b") == "a\\x7fb");
  CHECK(escape_control(std::string("a\0b", 3)) == "a\\x00b");
}

TEST_CASE("terminal text: every C1 control is escaped, in UTF-8 or as a lone byte",
          "[terminal_text]") {
  for (int point = 0x80; point <= 0x9f; ++point) {
    std::string utf8 = {static_cast<char>(0xc2), static_cast<char>(point)};
    INFO("U+00" << std::hex << point);
    CHECK(escape_control("x" + utf8 + "y") == fmt::format("x\\u{:04x}y", point));
    CHECK(escape_control("x" + std::string(1, static_cast<char>(point)) + "y") ==
          fmt::format("x\\x{:02x}y", point));
  }
  // U+00A0 and beyond are text.
  CHECK(escape_control("\u00a0\u00e9\u20ac\U0001F600") == "\u00a0\u00e9\u20ac\U0001F600");
}

TEST_CASE("terminal text: the invisible bidi controls of \"Trojan Source\" are escaped",
          "[terminal_text]") {
  const int controls[] = {0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c,
                          0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069};
  for (int point : controls) {
    const std::string utf8 = point < 0x800
                                 ? std::string{static_cast<char>(0xc0 | point >> 6),
                                               static_cast<char>(0x80 | (point & 0x3f))}
                                 : std::string{static_cast<char>(0xe0 | point >> 12),
                                               static_cast<char>(0x80 | (point >> 6 & 0x3f)),
                                               static_cast<char>(0x80 | (point & 0x3f))};
    INFO("U+" << std::hex << point);
    CHECK(escape_control("x" + utf8 + "y") == fmt::format("x\\u{:04x}y", point));
    CHECK(escape_control("x" + utf8 + "y", TextShape::block) == fmt::format("x\\u{:04x}y", point));
  }
  // A title that reads "BKP-001 backups are tested" but is stored reversed after U+202E.
  CHECK(escape_control("BKP-001 \u202edetset era spukcab") == "BKP-001 \\u202edetset era spukcab");
  // Their neighbours are text: zero-width joiners shape emoji and scripts, U+2028 is a line
  // separator no terminal acts on, U+2070 a superscript zero.
  CHECK(escape_control("\u200d\u2028\u2065\u2070\u202f\u061b") ==
        "\u200d\u2028\u2065\u2070\u202f\u061b");
}

TEST_CASE("terminal text: escape sequences show as text", "[terminal_text]") {
  CHECK(escape_control("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m");
  CHECK(escape_control("\x1b[2J\x1b[H") == "\\x1b[2J\\x1b[H");
  CHECK(escape_control("\x1b]0;title\x07") == "\\x1b]0;title\\x07");
  CHECK(escape_control("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\") ==
        "\\x1b]8;;https://evil.example\\x1b\\link\\x1b]8;;\\x1b\\");
  CHECK(escape_control("\xc2\x9b"
                       "31m") == "\\u009b31m");  // CSI as C1
  CHECK(escape_control("\x9b"
                       "31m") == "\\x9b31m");  // CSI as a raw byte
}

TEST_CASE("terminal text: bytes that are not UTF-8 become \\xNN", "[terminal_text]") {
  CHECK(escape_control("caf\xe9") == "caf\\xe9");                       // Latin-1
  CHECK(escape_control("\xc0\xaf") == "\\xc0\\xaf");                    // overlong '/'
  CHECK(escape_control("\xe0\x80\xaf") == "\\xe0\\x80\\xaf");           // overlong, three bytes
  CHECK(escape_control("\xed\xa0\x80") == "\\xed\\xa0\\x80");           // a surrogate
  CHECK(escape_control("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  CHECK(escape_control("\xff\xfe") == "\\xff\\xfe");
  CHECK(escape_control("\xe2\x82") == "\\xe2\\x82");        // cut short at the end
  CHECK(escape_control("\xe2\x82z") == "\\xe2\\x82z");      // cut short before text
  CHECK(escape_control("\xe2\x1b[2J") == "\\xe2\\x1b[2J");  // a control inside is escaped
  CHECK(escape_control("ok \xf0\x9f\x98\x80") == "ok \xf0\x9f\x98\x80");
}

TEST_CASE("terminal text: the result is inert, plain text unchanged, escaping idempotent",
          "[terminal_text]") {
  CHECK(escape_control("") == "");
  CHECK(escape_control("billing-api: backup.retention_days is 3 \\ C:\\path") ==
        "billing-api: backup.retention_days is 3 \\ C:\\path");
  std::string every_byte;
  for (int byte = 0; byte < 256; ++byte) every_byte += static_cast<char>(byte);
  every_byte += "\xc2\x85\xc2\x9f\x1b]0;t\x07\n\t\u202e\u2066\u200f\u061c";
  for (TextShape shape : {TextShape::line, TextShape::block}) {
    std::string once = escape_control(every_byte, shape);
    CHECK(inert(once, shape == TextShape::block ? "\n\t" : ""));
    CHECK(once.find("\u202e") == std::string::npos);
    CHECK(once.find("\u061c") == std::string::npos);
    CHECK(escape_control(once, shape) == once);
  }
}

TEST_CASE("is_blank_text: white space and invisible characters show nothing", "[terminal_text]") {
  CHECK(is_blank_text(""));
  CHECK(is_blank_text(" \t\n"));
  CHECK(is_blank_text("\u200B"));               // zero-width space
  CHECK(is_blank_text(" \u00A0\u3000\uFEFF"));  // no-break, ideographic, BOM
  CHECK(is_blank_text("\u202E\u2066"));         // bidirectional controls
  CHECK_FALSE(is_blank_text("ops-lead@example.org"));
  CHECK_FALSE(is_blank_text(" \u200Bx"));
  CHECK_FALSE(is_blank_text("caf\xC3\xA9"));
  CHECK_FALSE(is_blank_text("\xE2\x80"));  // a cut sequence is visible (escaped) text
}

}  // namespace terminal_text_test
