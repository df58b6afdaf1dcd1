#include "i18n.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

// po/fr.po as msgfmt compiled it (a GNU .mo file), embedded by the build (po/embed_catalog.cmake).
extern "C" const unsigned char opsgate_catalog_fr[];
extern "C" const std::size_t opsgate_catalog_fr_size;

namespace opsgate {

namespace {

Lang g_language = Lang::en;
// Set by a LanguageScope on its thread.
thread_local std::optional<Lang> t_language;

// A GNU message catalog (.mo) read in place: a header, then two tables of (length, offset)
// pairs, original strings sorted (msgfmt sorts them as strcmp does) and their translations.
// Nothing is copied or indexed, so choosing French costs the three header words; the English
// path never touches it.
class MoCatalog {
 public:
  MoCatalog(const unsigned char* data, std::size_t size) : m_data(data), m_size(size) {
    constexpr std::uint32_t k_magic = 0x950412de;
    if (size < 28) return;
    std::uint32_t magic = raw_word(0);
    if (magic != k_magic) {
      m_swap = true;
      if (__builtin_bswap32(magic) != k_magic) return;
    }
    m_count = word(8);
    m_originals = word(12);
    m_translations = word(16);
    // A table that does not fit makes the catalog empty: every message stays English.
    auto fits = [&](std::uint64_t table) { return table + std::uint64_t{m_count} * 8 <= m_size; };
    if (!fits(m_originals) || !fits(m_translations)) m_count = 0;
  }

  std::uint32_t count() const { return m_count; }
  std::string_view original(std::uint32_t i) const { return string_at(m_originals, i); }
  std::string_view translation(std::uint32_t i) const { return string_at(m_translations, i); }

  // The index of the message whose msgid (the singular, for plural forms) is `msgid`.
  std::optional<std::uint32_t> find(std::string_view msgid) const {
    std::uint32_t low = 0, high = m_count;
    while (low < high) {
      std::uint32_t mid = low + (high - low) / 2;
      std::string_view key = original(mid);
      key = key.substr(0, key.find('\0'));
      int order = msgid.compare(key);
      if (order == 0) return mid;
      if (order < 0)
        high = mid;
      else
        low = mid + 1;
    }
    return std::nullopt;
  }

 private:
  std::uint32_t raw_word(std::size_t offset) const {
    std::uint32_t value;
    std::memcpy(&value, m_data + offset, sizeof value);
    return value;
  }
  std::uint32_t word(std::size_t offset) const {
    std::uint32_t value = raw_word(offset);
    return m_swap ? __builtin_bswap32(value) : value;
  }
  std::string_view string_at(std::uint32_t table, std::uint32_t i) const {
    std::uint32_t length = word(table + std::size_t{i} * 8);
    std::uint32_t offset = word(table + std::size_t{i} * 8 + 4);
    if (std::uint64_t{offset} + length > m_size) return {};
    return {reinterpret_cast<const char*>(m_data) + offset, length};
  }

  const unsigned char* m_data;
  std::size_t m_size;
  bool m_swap = false;
  std::uint32_t m_count = 0;
  std::uint32_t m_originals = 0;
  std::uint32_t m_translations = 0;
};

const MoCatalog& french() {
  static const MoCatalog catalog(opsgate_catalog_fr, opsgate_catalog_fr_size);
  return catalog;
}

// The n-th NUL-separated form of a translation, or std::nullopt when it has fewer.
std::optional<std::string_view> form(std::string_view forms, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t nul = forms.find('\0');
    if (nul == std::string_view::npos) return std::nullopt;
    forms.remove_prefix(nul + 1);
  }
  return forms.substr(0, forms.find('\0'));
}

// Looks `msgid` up in `lang`'s catalog; std::nullopt in English or when it is missing or
// untranslated (msgfmt leaves untranslated messages out, and an empty form means the same).
std::optional<std::string_view> translated(Lang lang, std::string_view msgid,
                                           std::size_t plural_form) {
  if (lang == Lang::en || msgid.empty()) return std::nullopt;
  const MoCatalog& catalog = french();
  auto index = catalog.find(msgid);
  if (!index) return std::nullopt;
  auto text = form(catalog.translation(*index), plural_form);
  if (!text || text->empty()) return std::nullopt;
  return text;
}

}  // namespace

std::string_view lang_name(Lang lang) {
  return lang == Lang::fr ? "fr" : "en";
}

std::optional<Lang> parse_lang(std::string_view text) {
  if (text == "en") return Lang::en;
  if (text == "fr") return Lang::fr;
  return std::nullopt;
}

std::optional<Lang> lang_of_locale(std::string_view locale) {
  // language[_territory][.codeset][@modifier]
  std::string_view language = locale.substr(0, locale.find_first_of("_.@"));
  return parse_lang(language);
}

Lang lang_from_environment(const char* (*getenv)(const char* name)) {
  if (const char* list = getenv("LANGUAGE"); list && *list) {
    std::string_view rest = list;
    while (!rest.empty()) {
      std::string_view entry = rest.substr(0, rest.find(':'));
      if (auto lang = lang_of_locale(entry)) return *lang;
      rest.remove_prefix(std::min(rest.size(), entry.size() + 1));
    }
    return Lang::en;
  }
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"})
    if (const char* value = getenv(name); value && *value)
      return lang_of_locale(value).value_or(Lang::en);
  return Lang::en;
}

void set_language(Lang lang) {
  g_language = lang;
}

Lang language() {
  return t_language.value_or(g_language);
}

LanguageScope::LanguageScope(Lang lang) : m_previous(t_language) {
  t_language = lang;
}

LanguageScope::~LanguageScope() {
  t_language = m_previous;
}

std::string_view tr(std::string_view msgid) {
  return translated(language(), msgid, 0).value_or(msgid);
}

std::string_view clause_separator() {
  // TRANSLATORS: between the clauses of one message ("backup.retention_days is 3; expected: at
  // least 7; ..."); French puts a space before the semicolon.
  return tr("; ");
}

std::string_view tr_in(Lang lang, std::string_view msgid) {
  return translated(lang, msgid, 0).value_or(msgid);
}

std::string_view trc(std::string_view context, std::string_view msgid) {
  const Lang lang = language();
  if (lang == Lang::en) return msgid;
  // msgfmt stores a message with a context as "context\x04msgid".
  std::string key;
  key.reserve(context.size() + 1 + msgid.size());
  key.append(context).append(1, '\x04').append(msgid);
  return translated(lang, key, 0).value_or(msgid);
}

std::string_view trn(std::string_view singular, std::string_view plural, unsigned long long n) {
  const Lang lang = language();
  if (lang == Lang::en) return n == 1 ? singular : plural;
  // French: "nplurals=2; plural=(n > 1);" (po/fr.po's header, which the catalog test checks).
  std::size_t index = n > 1 ? 1 : 0;
  return translated(lang, singular, index).value_or(index == 0 ? singular : plural);
}

std::vector<CatalogEntry> catalog_entries(Lang lang) {
  std::vector<CatalogEntry> entries;
  if (lang == Lang::en) return entries;
  const MoCatalog& catalog = french();
  for (std::uint32_t i = 0; i < catalog.count(); ++i) {
    std::string_view original = catalog.original(i);
    if (original.empty()) continue;  // the header
    CatalogEntry entry;
    std::size_t nul = original.find('\0');
    entry.msgid = original.substr(0, nul);
    if (nul != std::string_view::npos) entry.msgid_plural = original.substr(nul + 1);
    std::string_view forms = catalog.translation(i);
    for (std::size_t n = 0;; ++n) {
      auto text = form(forms, n);
      if (!text) break;
      entry.msgstr.push_back(*text);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace opsgate
