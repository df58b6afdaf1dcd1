#include "terminal_text.hpp"

#include <fmt/format.h>

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
    if (length == 2 && lead == 0xC2 && static_cast<unsigned char>(text[1]) <= 0x9F) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(text[1]));  // C1: U+0080-U+009F
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

}  // namespace opsgate
