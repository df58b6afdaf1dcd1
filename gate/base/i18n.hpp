#pragma once
// The language opsgate speaks to people: English (the message ids themselves) or French (the
// catalog po/fr.po, compiled by msgfmt at build time and embedded in the binary, so it works in
// a container whose only locales are C and C.UTF-8). The language is decided once at start-up,
// before any thread runs, from --lang or the variables gettext reads (LANGUAGE, LC_ALL,
// LC_MESSAGES, LANG), by opsgate itself: glibc ignores LANGUAGE in the C locale.
//
// Only text for people is translated: ids, keys, field names and enum values stay English.

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opsgate {

enum class Lang { en, fr };
inline constexpr std::string_view k_lang_names = "en, fr";
std::string_view lang_name(Lang lang);
// "en" or "fr"; anything else is std::nullopt (--lang's value).
std::optional<Lang> parse_lang(std::string_view text);

// The language a locale name asks for: "fr", "fr_FR.UTF-8", "fr_CA", "fr@euro" are French;
// "en_GB.UTF-8" English; "C", "POSIX", "C.UTF-8" and unknown languages are std::nullopt (which
// the caller reads as English, the message ids' language).
std::optional<Lang> lang_of_locale(std::string_view locale);

// What the variables ask for, in gettext's precedence: a non-empty LANGUAGE (a colon-separated
// list: its first entry opsgate speaks wins; none of them means English), else the first
// non-empty of LC_ALL, LC_MESSAGES, LANG. `getenv` is std::getenv outside tests.
Lang lang_from_environment(const char* (*getenv)(const char* name));

// The process's language, set once before threads start (the CLI does it); English by default.
void set_language(Lang lang);
// The language this thread speaks: the process's, unless a LanguageScope says otherwise.
Lang language();

// While it lives, the calling thread speaks `lang` (tr() and everything built on it), whatever
// the process's language: how the English copy of a text is made (see say_in_both). Scopes nest.
// Never wait on an Executor inside one: Executor::wait() runs other queued tasks on the waiting
// thread, and they would speak `lang` too (a French report with English findings).
class LanguageScope {
 public:
  explicit LanguageScope(Lang lang);
  ~LanguageScope();
  LanguageScope(const LanguageScope&) = delete;
  LanguageScope& operator=(const LanguageScope&) = delete;

 private:
  std::optional<Lang> m_previous;
};

// The text of `msgid` in the process's language: the catalog's, or `msgid` itself in English
// and for a message the catalog lacks. The view lives as long as the program when `msgid` does
// (a literal).
std::string_view tr(std::string_view msgid);
// Marks a literal for the catalog where it is defined; tr() translates it where it is shown.
constexpr std::string_view tr_noop(std::string_view msgid) {
  return msgid;
}

// "; " between the clauses of one message ("a; b"), as the thread's language writes it
// (French: " ; ").
std::string_view clause_separator();

// The text of `msgid` in `lang`, whatever the process's language (texts built once per language).
std::string_view tr_in(Lang lang, std::string_view msgid);
// `msgid` in `context` (a po file's msgctxt): one English word another language writes by what it
// qualifies ("all" environments: "tous"; "all" tiers: "toutes").
std::string_view trc(std::string_view context, std::string_view msgid);
// Plural forms: `singular` for one (French: for 0 and 1 too), `plural` otherwise.
std::string_view trn(std::string_view singular, std::string_view plural, unsigned long long n);

// tr(msgid) as a {fmt} format string. The catalog test checks that a translation keeps its
// msgid's placeholders, so a translated format cannot throw.
template <typename... Args>
std::string trf(std::string_view msgid, Args&&... args) {
  return fmt::format(fmt::runtime(tr(msgid)), std::forward<Args>(args)...);
}
template <typename... Args>
std::string trnf(std::string_view singular, std::string_view plural, unsigned long long n,
                 Args&&... args) {
  return fmt::format(fmt::runtime(trn(singular, plural, n)), std::forward<Args>(args)...);
}

// A text for people in the thread's language, and in English when that differs: the gate's own
// findings keep their English message, which their fingerprint reads (the same in every
// language).
struct LocalText {
  std::string text;
  std::string english;  // empty when `text` is English

  // `text`, or `english` when this thread speaks English (in say_in_both's second pass): a
  // LocalText quoted inside another.
  const std::string& in_thread_language() const {
    return language() == Lang::en && !english.empty() ? english : text;
  }
};
// `say()` builds the text: once, and once more in English (in a LanguageScope) when the thread
// speaks another language. It must not cache what it translates.
template <typename Say>
LocalText say_in_both(Say&& say) {
  if (language() == Lang::en) return {say(), {}};
  LocalText out{say(), {}};
  LanguageScope english(Lang::en);
  out.english = say();
  return out;
}

// One message of a compiled catalog, for the catalog's tests.
struct CatalogEntry {
  std::string_view msgid;
  std::string_view msgid_plural;         // empty for a message without plural forms
  std::vector<std::string_view> msgstr;  // one per plural form
};
// Every message of `lang`'s catalog but the header (empty for English).
std::vector<CatalogEntry> catalog_entries(Lang lang);

}  // namespace opsgate
