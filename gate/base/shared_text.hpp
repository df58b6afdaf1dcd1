#pragma once
// Immutable text that copies share. A rule's title and help end up in one finding per
// manifest: a 200-service monorepo holds 7,200 findings, and copying ~220 bytes of text into
// each was a quarter of the check's peak memory. A copy of a SharedText is a pointer.

#include <fmt/format.h>

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace opsgate {

class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string text)  // NOLINT(google-explicit-constructor): reads as a string
      : m_text(text.empty() ? nullptr : std::make_shared<const std::string>(std::move(text))) {}
  SharedText(const char* text)  // NOLINT(google-explicit-constructor)
      : SharedText(std::string(text ? text : "")) {}

  const std::string& str() const& { return m_text ? *m_text : empty_string(); }
  // A temporary may own the only reference: a copy, and no view into it.
  std::string str() const&& { return str(); }
  operator std::string_view() const& { return str(); }  // NOLINT(google-explicit-constructor)
  operator std::string_view() const&& = delete;
  bool empty() const { return !m_text; }

  friend bool operator==(const SharedText& a, std::string_view b) { return a.str() == b; }
  friend std::ostream& operator<<(std::ostream& out, const SharedText& text) {
    return out << text.str();
  }

 private:
  static const std::string& empty_string() {
    static const std::string empty;
    return empty;
  }
  std::shared_ptr<const std::string> m_text;  // null when empty
};

}  // namespace opsgate

template <>
struct fmt::formatter<opsgate::SharedText> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const opsgate::SharedText& text, Context& context) const {
    return fmt::formatter<std::string_view>::format(text.str(), context);
  }
};
