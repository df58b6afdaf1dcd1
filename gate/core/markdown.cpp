#include "markdown.hpp"

#include <locale.h>
#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cwchar>
#include <cwctype>
#include <unordered_map>
#include <utility>

#include <md4c.h>
#include <re2/re2.h>

#include "suggest.hpp"

namespace opsgate {

namespace {

// What md4c's callbacks need to remember between calls.
struct Collector {
  std::vector<Heading> headings;
  int quote_depth = 0;
  int image_depth = 0;
  bool in_heading = false;
};

// Encodes a code point (at most U+10FFFF) as UTF-8: a lead byte, then 6 bits per tail byte.
void append_utf8(std::string& out, std::uint32_t code) {
  static constexpr std::uint32_t k_lead[] = {0x00, 0xC0, 0xE0, 0xF0};
  const int tail = code < 0x80 ? 0 : code < 0x800 ? 1 : code < 0x10000 ? 2 : 3;
  out += static_cast<char>(k_lead[tail] | (code >> (6 * tail)));
  for (int shift = 6 * (tail - 1); shift >= 0; shift -= 6)
    out += static_cast<char>(0x80 | ((code >> shift) & 0x3F));
}

// md4c hands entities over verbatim ("&amp;", "&#38;", "&#x26;") and leaves decoding to us. Only
// the names common in headings are known; others stay literal rather than guessed.
std::string decode_entity(std::string_view entity) {
  const std::string_view body = entity.substr(1, entity.size() - 2);
  std::uint32_t code = 0;
  if (body.starts_with('#')) {  // md4c guarantees 1-7 digits follow, so no overflow
    const bool hex = body[1] == 'x' || body[1] == 'X';
    std::from_chars(body.data() + (hex ? 2 : 1), body.data() + body.size(), code, hex ? 16 : 10);
    // CommonMark: NUL, surrogates and out-of-range values become U+FFFD.
    if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) code = 0xFFFD;
  } else {
    static constexpr std::pair<std::string_view, std::uint32_t> k_named_entities[] = {
        {"amp", '&'},       {"lt", '<'},    {"gt", '>'},       {"quot", '"'},
        {"apos", '\''},     {"nbsp", 0xA0}, {"ndash", 0x2013}, {"mdash", 0x2014},
        {"hellip", 0x2026}, {"copy", 0xA9}, {"reg", 0xAE},     {"trade", 0x2122}};
    const auto* found = std::ranges::find(k_named_entities, body,
                                          &std::pair<std::string_view, std::uint32_t>::first);
    if (found == std::ranges::end(k_named_entities)) return std::string(entity);
    code = found->second;
  }
  std::string out;
  append_utf8(out, code);
  return out;
}

int on_enter_block(MD_BLOCKTYPE type, void* detail, void* userdata) {
  auto& collector = *static_cast<Collector*>(userdata);
  // md4c never reports blocks nested in code or HTML blocks, so only quotes need tracking.
  if (type == MD_BLOCK_QUOTE) {
    ++collector.quote_depth;
  } else if (type == MD_BLOCK_H && collector.quote_depth == 0) {
    collector.headings.push_back(
        {static_cast<int>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level), {}});
    collector.in_heading = true;
  }
  return 0;
}

int on_leave_block(MD_BLOCKTYPE type, void*, void* userdata) {
  auto& collector = *static_cast<Collector*>(userdata);
  if (type == MD_BLOCK_QUOTE) --collector.quote_depth;
  if (type == MD_BLOCK_H) collector.in_heading = false;
  return 0;
}

// Image alt text is not part of the rendered heading text GitHub and GitLab slug. Depth is +1
// entering a span, -1 leaving it.
template <int Depth>
int on_span(MD_SPANTYPE type, void*, void* userdata) {
  if (type == MD_SPAN_IMG) static_cast<Collector*>(userdata)->image_depth += Depth;
  return 0;
}

int on_text(MD_TEXTTYPE type, const MD_CHAR* data, MD_SIZE size, void* userdata) {
  auto& collector = *static_cast<Collector*>(userdata);
  if (!collector.in_heading || collector.image_depth > 0) return 0;
  std::string& out = collector.headings.back().text;
  if (type == MD_TEXT_NORMAL || type == MD_TEXT_CODE) out.append(data, size);
  if (type == MD_TEXT_ENTITY) out += decode_entity({data, size});
  if (type == MD_TEXT_SOFTBR || type == MD_TEXT_BR) out += ' ';  // setext headings span lines
  if (type == MD_TEXT_NULLCHAR) out += "\uFFFD";
  // MD_TEXT_HTML is an inline tag such as <kbd>, which renders as nothing.
  return 0;
}

// Lowercases every cased letter ("É" -> "é", not only A-Z), as JavaScript's toLowerCase() and
// Ruby's downcase do for GitHub and GitLab. Borrows glibc's C.UTF-8 tables for this thread only,
// leaving the process locale alone. Without that locale (newlocale gives 0, which uselocale
// ignores) the process locale applies; under "C" only ASCII is lowercased.
std::string to_lower(std::string_view text) {
  if (std::ranges::all_of(text, [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    std::string out(text);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  static const locale_t k_utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
  std::string out;
  const locale_t previous = uselocale(k_utf8);
  std::mbstate_t in_state{};
  std::mbstate_t out_state{};
  for (std::size_t i = 0; i < text.size();) {
    wchar_t wide = 0;
    std::size_t used = std::mbrtowc(&wide, text.data() + i, text.size() - i, &in_state);
    if (used == static_cast<std::size_t>(-1) || used == static_cast<std::size_t>(-2)) {
      out += text[i++];  // not UTF-8: keep the byte as it is
      in_state = {};
      continue;
    }
    char encoded[MB_LEN_MAX];
    out.append(encoded,
               std::wcrtomb(encoded, static_cast<wchar_t>(std::towlower(wide)), &out_state));
    i += std::max<std::size_t>(used, 1);  // 0 means an embedded NUL, one byte
  }
  uselocale(previous);
  return out;
}

// What both sites strip before turning spaces into '-'. GitHub keeps \p{Nl} too and GitLab's
// Ruby \p{Word} includes it through Alphabetic, so one pattern serves both.
// ASCII headings (nearly all of them) take a loop: compiling the Unicode pattern costs ~1.5 ms.
std::string lowercase_without_punctuation(std::string_view heading) {
  std::string slug = to_lower(heading);
  if (std::ranges::all_of(slug, [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    // In ASCII, \p{L}\p{M}\p{Nd}\p{Nl}\p{Pc} are the letters, the digits and '_'.
    std::erase_if(slug, [](char c) {
      bool kept = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == ' ' || c == '-';
      return !kept;
    });
  } else {
    static const RE2 k_punctuation(R"([^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc} -])");
    RE2::GlobalReplace(&slug, k_punctuation, "");
  }
  std::ranges::replace(slug, ' ', '-');
  return slug;
}

// Slugs as github-slugger numbers them: a repeated slug gets the first free "-N" suffix.
std::vector<std::string> unique_slugs(const std::vector<Heading>& headings,
                                      std::string (*slug_of)(std::string_view)) {
  std::unordered_map<std::string, int> occurrences;
  std::vector<std::string> slugs;
  for (const Heading& heading : headings) {
    const std::string base = slug_of(heading.text);
    std::string slug = base;
    while (occurrences.contains(slug)) slug = base + '-' + std::to_string(++occurrences[base]);
    occurrences[slug] = 0;
    slugs.push_back(std::move(slug));
  }
  return slugs;
}

// "%C3%BCber" -> "über"; a '%' not followed by two hex digits stays as written.
std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char byte = 0;
    const char* hex = text.data() + i + 1;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(hex, hex + 2, byte, 16).ptr == hex + 2) {
      out += static_cast<char>(byte);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n\f\v") - first + 1);
}

}  // namespace

namespace {

// The document with its front matter blanked (lines kept): a block at the very start between two
// lines `---` (YAML), `+++` (TOML) or `;;;` (JSON), as GitHub and GitLab render it, as metadata.
// md4c would read `title: Restore` above the closing `---` as a setext heading.
std::string without_front_matter(std::string_view document) {
  std::string text(document);
  auto line_end = [&](std::size_t from) {
    const std::size_t end = text.find('\n', from);
    return end == std::string::npos ? text.size() : end;
  };
  auto line = [&](std::size_t from) {
    std::string_view content = std::string_view(text).substr(from, line_end(from) - from);
    if (content.ends_with('\r')) content.remove_suffix(1);
    return content;
  };
  const std::string_view opening = line(0);
  if (opening != "---" && opening != "+++" && opening != ";;;") return text;
  for (std::size_t at = line_end(0) + 1; at < text.size(); at = line_end(at) + 1)
    if (line(at) == opening) {
      const std::size_t end = line_end(at);
      for (std::size_t i = 0; i < end; ++i)
        if (text[i] != '\n') text[i] = ' ';
      return text;
    }
  return text;  // never closed: no front matter, the `---` is a thematic break
}

}  // namespace

std::vector<Heading> markdown_headings(std::string_view document) {
  const MD_PARSER parser{.flags = MD_DIALECT_GITHUB,
                         .enter_block = on_enter_block,
                         .leave_block = on_leave_block,
                         .enter_span = on_span<+1>,
                         .leave_span = on_span<-1>,
                         .text = on_text};
  Collector collector;
  // md4c 0.4.8 (Debian 12) reads the byte after the document when it ends inside a link
  // ("[](" at the very end; fixed upstream later). A copy makes that byte our terminating NUL,
  // whatever `document` views.
  const std::string terminated = without_front_matter(document);
  // md_parse fails only when out of memory; the headings found so far are still right.
  md_parse(terminated.c_str(), static_cast<MD_SIZE>(terminated.size()), &parser, &collector);
  return std::move(collector.headings);
}

std::string github_slug(std::string_view heading) {
  return lowercase_without_punctuation(heading);
}

std::string gitlab_slug(std::string_view heading) {
  std::string slug = lowercase_without_punctuation(heading);
  const auto repeated =
      std::ranges::unique(slug, [](char a, char b) { return a == '-' && b == '-'; });
  slug.erase(repeated.begin(), repeated.end());
  // GitLab: "digits-only hrefs conflict with issue refs".
  if (!slug.empty() && std::ranges::all_of(slug, [](char c) { return c >= '0' && c <= '9'; }))
    slug.insert(0, "anchor-");
  return slug;
}

bool has_anchor(const std::vector<Heading>& headings, std::string_view anchor) {
  const std::string wanted = to_lower(percent_decode(anchor));
  if (wanted.empty()) return false;
  for (auto* slug_of : {&github_slug, &gitlab_slug}) {
    const std::vector<std::string> slugs = unique_slugs(headings, slug_of);
    if (std::ranges::find(slugs, wanted) != slugs.end()) return true;
  }
  return false;
}

std::vector<std::string> heading_anchors(const std::vector<Heading>& headings) {
  return unique_slugs(headings, &github_slug);
}

std::optional<std::string> closest_anchor(const std::vector<Heading>& headings,
                                          std::string_view anchor) {
  const std::string wanted = to_lower(percent_decode(anchor));
  ClosestMatch match(wanted);
  for (auto* slug_of : {&github_slug, &gitlab_slug})
    for (const std::string& slug : unique_slugs(headings, slug_of)) match.consider(slug);
  return match.best();
}

bool has_heading(const std::vector<Heading>& headings, std::string_view section) {
  const std::string wanted = to_lower(trim(section));
  return std::ranges::any_of(headings,
                             [&](const Heading& h) { return to_lower(trim(h.text)) == wanted; });
}

}  // namespace opsgate
