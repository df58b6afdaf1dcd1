#include "terminal_text.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>

namespace opsgate {

namespace {

// The length of the valid UTF-8 sequence starting `text` (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF), or 0.
std::size_t utf8_length(std::string_view text) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  auto continuation = [&](std::size_t i) { return i < text.size() && (byte(i) & 0xC0) == 0x80; };
  unsigned char lead = byte(0);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (!continuation(i)) return 0;
  return length;
}

// The code point of a valid UTF-8 sequence of `length` bytes.
std::uint32_t code_point(std::string_view text, std::size_t length) {
  auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(text[i]) & 0xFF; };
  if (length == 1) return byte(0);
  std::uint32_t code = byte(0) & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) code = code << 6 | (byte(i) & 0x3F);
  return code;
}

// Bidirectional formatting characters: invisible, they reorder how the text around them is
// shown ("Trojan Source", CVE-2021-42574): a rule title can read as something else than it is.
bool is_bidi_control(std::uint32_t code) {
  return code == 0x061C || code == 0x200E || code == 0x200F || (code >= 0x202A && code <= 0x202E) ||
         (code >= 0x2066 && code <= 0x2069);
}

}  // namespace

std::string escape_control(std::string_view text, TextShape shape) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    auto lead = static_cast<unsigned char>(text.front());
    std::size_t length = utf8_length(text);
    if (length == 0) {
      out += fmt::format("\\x{:02x}", lead);
      text.remove_prefix(1);
      continue;
    }
    const std::uint32_t code = code_point(text, length);
    if ((code >= 0x80 && code <= 0x9F) || is_bidi_control(code)) {
      out += fmt::format("\\u{:04x}", code);  // C1 (U+0080-U+009F) and bidi controls
    } else if (lead == '\n' || lead == '\t') {
      if (shape == TextShape::block)
        out += text.front();
      else
        out += lead == '\n' ? "\\n" : "\\t";
    } else if (lead == '\r') {
      out += "\\r";
    } else if (lead < 0x20 || lead == 0x7F) {
      out += fmt::format("\\x{:02x}", lead);
    } else {
      out += text.substr(0, length);
    }
    text.remove_prefix(length);
  }
  return out;
}

bool is_blank_text(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if (!std::isspace(byte)) return false;
      ++i;
      continue;
    }
    // One UTF-8 sequence; anything that is not valid UTF-8 is visible (escaped) text.
    const std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 0;
    if (length == 0 || i + length > text.size()) return false;
    char32_t code = byte & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    const bool invisible = code == 0x00A0 || code == 0x00AD || code == 0x1680 || code == 0x180E ||
                           (code >= 0x2000 && code <= 0x200F) ||
                           (code >= 0x2028 && code <= 0x202F) || code == 0x205F ||
                           (code >= 0x2060 && code <= 0x2064) ||
                           (code >= 0x2066 && code <= 0x2069) || code == 0x3000 || code == 0xFEFF;
    if (!invisible) return false;
    i += length;
  }
  return true;
}

}  // namespace opsgate
