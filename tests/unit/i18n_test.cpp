#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cron.hpp"
#include "gate_fixtures.hpp"
#include "i18n.hpp"
#include "render.hpp"
#include "report.hpp"
#include "rules.hpp"
#include "toml_util.hpp"
#include "window.hpp"

namespace i18n_test {

using namespace opsgate;
using opsgate::test::pack_source;
using opsgate::test::try_rules;

namespace {

// The variables lang_from_environment reads, as a test sets them.
std::map<std::string, std::string> g_environment;

const char* fake_getenv(const char* name) {
  auto it = g_environment.find(name);
  return it == g_environment.end() ? nullptr : it->second.c_str();
}

Lang lang_of(std::map<std::string, std::string> environment) {
  g_environment = std::move(environment);
  return lang_from_environment(fake_getenv);
}

// Sets the process's language for one test and puts English back after it.
class ProcessLanguage {
 public:
  explicit ProcessLanguage(Lang lang) { set_language(lang); }
  ~ProcessLanguage() { set_language(Lang::en); }
  ProcessLanguage(const ProcessLanguage&) = delete;
  ProcessLanguage& operator=(const ProcessLanguage&) = delete;
};

// The {fmt} replacement fields of a format string, in order ("{}", "{:<6}"); "{{" and "}}" are
// literal braces, not fields.
std::vector<std::string> placeholders(std::string_view format) {
  std::vector<std::string> fields;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format.substr(i, 2) == "{{" || format.substr(i, 2) == "}}") {
      ++i;
      continue;
    }
    if (format[i] != '{') continue;
    std::size_t end = format.find('}', i);
    if (end == std::string_view::npos) {
      fields.emplace_back("{ unterminated");
      break;
    }
    fields.emplace_back(format.substr(i, end - i + 1));
    i = end;
  }
  return fields;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("i18n: no variable means English", "[i18n]") {
  CHECK(lang_of({}) == Lang::en);
  CHECK(lang_of({{"LANG", ""}, {"LANGUAGE", ""}}) == Lang::en);
}

TEST_CASE("i18n: each variable alone chooses the language", "[i18n]") {
  for (const char* name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}) {
    INFO(name);
    CHECK(lang_of({{name, "fr_FR.UTF-8"}}) == Lang::fr);
    CHECK(lang_of({{name, "en_US.UTF-8"}}) == Lang::en);
  }
}

TEST_CASE("i18n: locale names", "[i18n]") {
  CHECK(lang_of_locale("fr") == Lang::fr);
  CHECK(lang_of_locale("fr_FR.UTF-8") == Lang::fr);
  CHECK(lang_of_locale("fr_CA") == Lang::fr);
  CHECK(lang_of_locale("fr_BE@euro") == Lang::fr);
  CHECK(lang_of_locale("fr.UTF-8") == Lang::fr);
  CHECK(lang_of_locale("en_GB.UTF-8") == Lang::en);
  CHECK_FALSE(lang_of_locale("C"));
  CHECK_FALSE(lang_of_locale("C.UTF-8"));
  CHECK_FALSE(lang_of_locale("POSIX"));
  CHECK_FALSE(lang_of_locale("de_DE.UTF-8"));
  CHECK_FALSE(lang_of_locale("french"));
  CHECK_FALSE(lang_of_locale(""));
  // C, POSIX and languages opsgate does not speak are English.
  CHECK(lang_of({{"LANG", "C"}}) == Lang::en);
  CHECK(lang_of({{"LC_ALL", "POSIX"}}) == Lang::en);
  CHECK(lang_of({{"LANG", "C.UTF-8"}}) == Lang::en);
  CHECK(lang_of({{"LANG", "de_DE.UTF-8"}}) == Lang::en);
}

TEST_CASE("i18n: gettext's precedence, LANGUAGE first even in the C locale", "[i18n]") {
  // A CI container with only C.UTF-8 installed: LANGUAGE still asks for French (glibc would
  // ignore it there; opsgate decides itself).
  CHECK(lang_of({{"LANGUAGE", "fr"}, {"LANG", "C.UTF-8"}}) == Lang::fr);
  CHECK(lang_of({{"LANGUAGE", "fr"}, {"LC_ALL", "C"}}) == Lang::fr);
  CHECK(lang_of({{"LANGUAGE", "en"}, {"LC_ALL", "fr_FR.UTF-8"}}) == Lang::en);
  // LC_ALL before LC_MESSAGES before LANG.
  CHECK(lang_of({{"LC_ALL", "fr_FR.UTF-8"}, {"LC_MESSAGES", "en_US.UTF-8"}}) == Lang::fr);
  CHECK(lang_of({{"LC_ALL", "C"}, {"LC_MESSAGES", "fr_FR.UTF-8"}}) == Lang::en);
  CHECK(lang_of({{"LC_MESSAGES", "fr_FR.UTF-8"}, {"LANG", "en_US.UTF-8"}}) == Lang::fr);
  CHECK(lang_of({{"LC_MESSAGES", "en_US.UTF-8"}, {"LANG", "fr_FR.UTF-8"}}) == Lang::en);
  CHECK(lang_of({{"LC_MESSAGES", ""}, {"LANG", "fr_FR.UTF-8"}}) == Lang::fr);
}

TEST_CASE("i18n: LANGUAGE is a list; its first language opsgate speaks wins", "[i18n]") {
  CHECK(lang_of({{"LANGUAGE", "de:fr"}}) == Lang::fr);
  CHECK(lang_of({{"LANGUAGE", "fr_CA:en"}}) == Lang::fr);
  CHECK(lang_of({{"LANGUAGE", "en:fr"}}) == Lang::en);
  CHECK(lang_of({{"LANGUAGE", ":fr"}}) == Lang::fr);
  // None of them: English (the messages' own language), as gettext does, whatever LANG says.
  CHECK(lang_of({{"LANGUAGE", "de:it"}, {"LANG", "fr_FR.UTF-8"}}) == Lang::en);
}

TEST_CASE("i18n: --lang values", "[i18n]") {
  CHECK(parse_lang("fr") == Lang::fr);
  CHECK(parse_lang("en") == Lang::en);
  CHECK_FALSE(parse_lang("FR"));
  CHECK_FALSE(parse_lang("fr_FR"));
  CHECK_FALSE(parse_lang("de"));
  CHECK_FALSE(parse_lang(""));
  CHECK(lang_name(Lang::fr) == "fr");
  CHECK(lang_name(Lang::en) == "en");
}

TEST_CASE("i18n: English is the message id itself", "[i18n]") {
  CHECK(language() == Lang::en);
  CHECK(tr("this run") == "this run");
  CHECK(trn("{} manifest", "{} manifests", 1) == "{} manifest");
  CHECK(trn("{} manifest", "{} manifests", 0) == "{} manifests");
  CHECK(trnf("{} manifest", "{} manifests", 2, 2) == "2 manifests");
}

TEST_CASE("i18n: French from the embedded catalog", "[i18n]") {
  ProcessLanguage french(Lang::fr);
  CHECK(tr("this run") == "cette exécution");
  CHECK(trf("level {}", 3) == "niveau 3");
  // A message the catalog does not have stays English rather than disappearing.
  CHECK(tr("a message nobody wrote") == "a message nobody wrote");
  CHECK(tr("") == "");
  // French plural: 0 and 1 are singular.
  CHECK(trnf("{} manifest", "{} manifests", 0, 0) == "0 manifeste");
  CHECK(trnf("{} manifest", "{} manifests", 1, 1) == "1 manifeste");
  CHECK(trnf("{} manifest", "{} manifests", 2, 2) == "2 manifestes");
}

TEST_CASE("i18n: the catalog is po/fr.po, plural forms as the code computes them", "[i18n]") {
  std::string po = read_file(OPSGATE_PO_DIR "/fr.po");
  REQUIRE_FALSE(po.empty());
  CHECK(po.find("\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"") != std::string::npos);
  CHECK(po.find("\"Language: fr\\n\"") != std::string::npos);
  // Every message of the source file is in the binary (msgfmt leaves out untranslated ones).
  std::size_t msgids = 0;
  for (std::size_t at = po.find("\nmsgid \""); at != std::string::npos;
       at = po.find("\nmsgid \"", at + 1))
    ++msgids;
  CHECK(catalog_entries(Lang::fr).size() == msgids - 1);  // the header is no message
  CHECK(catalog_entries(Lang::en).empty());
}

TEST_CASE("i18n: every translation keeps its message's placeholders", "[i18n]") {
  // A translated format with a field too many would throw at the first French run.
  auto entries = catalog_entries(Lang::fr);
  REQUIRE(entries.size() > 50);
  for (const CatalogEntry& entry : entries) {
    INFO(entry.msgid);
    REQUIRE_FALSE(entry.msgstr.empty());
    CHECK(placeholders(entry.msgstr[0]) == placeholders(entry.msgid));
    if (!entry.msgid_plural.empty()) {
      REQUIRE(entry.msgstr.size() == 2);
      CHECK(placeholders(entry.msgstr[1]) == placeholders(entry.msgid_plural));
    }
    for (std::string_view text : entry.msgstr) CHECK_FALSE(text.empty());
  }
}

TEST_CASE("i18n: a rule's translations.fr replaces its texts in French only", "[i18n]") {
  const std::string pack =
      "[pack]\n"
      "name = \"acme\"\n"
      "description = \"ACME's rules\"\n"
      "[pack.translations.fr]\n"
      "description = \"Les règles d'ACME\"\n"
      "[[rule]]\n"
      "id = \"ACME-001\"\n"
      "area = \"backup\"\n"
      "title = \"Backups are encrypted\"\n"
      "help = \"Set backup.encryption.\"\n"
      "translations.fr = { title = \"Les sauvegardes sont chiffrées\", help = \"Renseignez "
      "backup.encryption.\" }\n"
      "severity = \"error\"\n"
      "level = 2\n"
      "check = [ { key = \"backup.enabled\", equals = true } ]\n"
      "[[rule]]\n"
      "id = \"ACME-002\"\n"
      "area = \"backup\"\n"
      "title = \"Only English\"\n"
      "help = \"No French here.\"\n"
      "severity = \"error\"\n"
      "level = 2\n"
      "check = [ { key = \"backup.enabled\", equals = true } ]\n"
      "[[rule]]\n"
      "id = \"ACME-003\"\n"
      "area = \"backup\"\n"
      "title = \"Title translated, help not\"\n"
      "help = \"English help.\"\n"
      "severity = \"error\"\n"
      "level = 2\n"
      "check = [ { key = \"backup.enabled\", equals = true } ]\n"
      "[rule.translations.fr]\n"
      "title = \"Titre traduit\"\n";
  {
    auto rules = try_rules({pack_source(pack)});
    REQUIRE(rules);
    CHECK(rules->find("ACME-001")->title == "Backups are encrypted");
    CHECK(rules->find("ACME-001")->help == "Set backup.encryption.");
    CHECK(rules->packs.front().description == "ACME's rules");
  }
  ProcessLanguage french(Lang::fr);
  auto rules = try_rules({pack_source(pack)});
  REQUIRE(rules);
  CHECK(rules->find("ACME-001")->title == "Les sauvegardes sont chiffrées");
  CHECK(rules->find("ACME-001")->help == "Renseignez backup.encryption.");
  CHECK(rules->find("ACME-001")->id == "ACME-001");
  CHECK(rules->find("ACME-001")->area == "backup");
  // Without French, English.
  CHECK(rules->find("ACME-002")->title == "Only English");
  CHECK(rules->find("ACME-002")->help == "No French here.");
  // Field by field.
  CHECK(rules->find("ACME-003")->title == "Titre traduit");
  CHECK(rules->find("ACME-003")->help == "English help.");
  CHECK(rules->packs.front().description == "Les règles d'ACME");
}

TEST_CASE("i18n: freezes, holidays and declared keys carry translations too", "[i18n]") {
  const std::string pack =
      "[[rule]]\n"
      "id = \"ACME-001\"\n"
      "area = \"backup\"\n"
      "title = \"Backups\"\n"
      "severity = \"error\"\n"
      "level = 2\n"
      "check = [ { key = \"backup.enabled\", equals = true } ]\n"
      "[[freeze]]\n"
      "from = 2026-12-18T00:00:00+01:00\n"
      "to = 2027-01-04T08:00:00+01:00\n"
      "reason = \"year-end freeze\"\n"
      "translations.fr.reason = \"gel des mises en production de fin d'année\"\n"
      "[[holiday]]\n"
      "date = 2026-07-14\n"
      "name = \"Bastille Day\"\n"
      "translations.fr.name = \"Fête nationale\"\n"
      "[[key]]\n"
      "path = \"backup.encryption\"\n"
      "type = \"string\"\n"
      "description = \"How backups are encrypted\"\n"
      "translations.fr.description = \"Comment les sauvegardes sont chiffrées\"\n";
  ProcessLanguage french(Lang::fr);
  auto rules = try_rules({pack_source(pack)});
  REQUIRE(rules);
  REQUIRE(rules->calendars.front().freezes.size() == 1);
  CHECK(rules->calendars.front().freezes.front().reason ==
        "gel des mises en production de fin d'année");
  REQUIRE(rules->calendars.front().holidays.size() == 1);
  CHECK(rules->calendars.front().holidays.front().name == "Fête nationale");
  REQUIRE(rules->keys.declared.size() == 1);
  CHECK(rules->keys.declared.front().description == "Comment les sauvegardes sont chiffrées");
}

TEST_CASE("i18n: unknown languages and fields in translations are rule-file errors", "[i18n]") {
  auto error_of = [](const std::string& translations) {
    const std::string text =
        "[[rule]]\n"
        "id = \"ACME-001\"\n"
        "area = \"backup\"\n"
        "title = \"Backups\"\n"
        "severity = \"error\"\n"
        "level = 2\n"
        "check = [ { key = \"backup.enabled\", equals = true } ]\n" +
        translations + "\n";
    auto rules = try_rules({pack_source(text)});
    REQUIRE_FALSE(rules);
    return rules.error();
  };
  // Refused in every language, at the same line:column; the message in the language asked for.
  struct Case {
    std::string translations;
    std::string english;
    std::string french;
  };
  const Case cases[] = {
      {"translations.de = { title = \"Sicherungen\" }",
       "rules/test.toml:8:14: unknown language 'de' in translations (languages: fr)",
       "rules/test.toml:8:14: langue inconnue « de » dans translations (langues : fr)"},
      {"translations.fr = { titre = \"Sauvegardes\" }",
       "rules/test.toml:8:21: unknown key 'titre' in translations.fr of rule ACME-001 "
       "(known keys: title, help)",
       "rules/test.toml:8:21: clé inconnue « titre » dans translations.fr de la règle ACME-001 "
       "(clés connues : title, help)"},
      {"translations.fr = { title = \"\" }",
       "rules/test.toml:8:29: 'title' must be a non-empty string",
       "rules/test.toml:8:29: « title » doit être une chaîne non vide"},
      {"translations = \"fr\"",
       "rules/test.toml:8:16: 'translations' in rule ACME-001 must be a table of languages, such "
       "as translations.fr = { title = \"…\" }",
       "rules/test.toml:8:16: « translations » dans la règle ACME-001 doit être une table de "
       "langues, comme translations.fr = { title = \"…\" }"},
      {"[pack]\ntranslations.fr = { title = \"x\" }",
       "rules/test.toml:9:21: unknown key 'title' in translations.fr of [pack] (known keys: "
       "description)",
       "rules/test.toml:9:21: clé inconnue « title » dans translations.fr de [pack] (clés "
       "connues : description)"},
  };
  for (const Case& wrong : cases) {
    INFO(wrong.translations);
    {
      ProcessLanguage scope(Lang::en);
      CHECK(error_of(wrong.translations).to_string() == wrong.english);
    }
    ProcessLanguage scope(Lang::fr);
    CHECK(error_of(wrong.translations).to_string() == wrong.french);
  }
}

TEST_CASE("i18n: a LanguageScope sets the calling thread's language only", "[i18n]") {
  ProcessLanguage french(Lang::fr);
  CHECK(tr("outside every allow window") == "en dehors de toute fenêtre autorisée");
  {
    LanguageScope english(Lang::en);
    CHECK(language() == Lang::en);
    CHECK(tr("outside every allow window") == "outside every allow window");
    CHECK(trn("{} manifest", "{} manifests", 0) == "{} manifests");
    std::string other_thread;
    std::thread([&] { other_thread = std::string(tr("outside every allow window")); }).join();
    CHECK(
        other_thread ==
        "en dehors de toute fenêtre autorisée");  // the process's language, for every other thread
  }
  CHECK(language() == Lang::fr);
  CHECK(tr("outside every allow window") == "en dehors de toute fenêtre autorisée");
}

TEST_CASE("i18n: say_in_both keeps the English of a text built in French", "[i18n]") {
  const auto say = [] { return trf("{} does not exist at the revision", "operability.toml"); };
  LocalText english = say_in_both(say);
  CHECK(english.text == "operability.toml does not exist at the revision");
  CHECK(english.english.empty());
  ProcessLanguage french(Lang::fr);
  LocalText both = say_in_both(say);
  CHECK(both.text == "operability.toml n'existe pas à la révision");
  CHECK(both.english == "operability.toml does not exist at the revision");
  CHECK(both.in_thread_language() == both.text);
  LanguageScope in_english(Lang::en);
  CHECK(both.in_thread_language() == both.english);
}

TEST_CASE("i18n: TOML syntax errors in French, at the same line:column", "[i18n]") {
  const std::string text = "schema = 1\n[service]\nname = \"billing\nowner = \"team\"\n";
  auto english = parse_toml(text, "operability.toml");
  REQUIRE_FALSE(english);
  CHECK(english.error().to_string() ==
        "operability.toml:3:16: missing closing quote \" (the string started at 3:8)");
  ProcessLanguage french(Lang::fr);
  auto in_french = parse_toml(text, "operability.toml");
  REQUIRE_FALSE(in_french);
  CHECK(in_french.error().to_string() ==
        "operability.toml:3:16: guillemet fermant \" manquant (la chaîne commence en 3:8)");
  auto date = parse_toml("d = 2026-02-30\n", "x.toml");
  REQUIRE_FALSE(date);
  CHECK(date.error().message == "date invalide 2026-02-30 : février 2026 compte 28 jours");
  auto duplicate = parse_toml("a = 1\na = 2\n", "x.toml");
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.error().message ==
        "clé « a » en double : elle est déjà renseignée plus haut (de type integer) ; une clé "
        "n'apparaît qu'une fois dans sa table");
}

TEST_CASE("i18n: GATE-SCHEMA in French keeps its English, and its fingerprint", "[i18n]") {
  const std::string text = std::string(test::k_service_header) +
                           "stateful = \"yes\"\n"
                           "contcat = \"x\"\n"
                           "[release_window]\n"
                           "timezone = \"Europe/Pariss\"\n";
  const RuleSet rules = test::rules_from(
      "[[rule]]\nid = \"SVC-001\"\narea = \"service\"\ntitle = \"t\"\nseverity = \"error\"\n"
      "level = 1\ncheck = [ { key = \"service.owner\", present = true } ]\n");
  const MemoryTree tree;
  const auto schema_findings = [&] {
    Manifest manifest = test::manifest_from(text, "operability.toml", &rules.keys);
    HeadingCache headings;
    std::vector<Finding> out;
    for (Finding& finding :
         evaluate_manifest(manifest, rules, test::context_over(tree), headings).findings)
      if (finding.rule == "GATE-SCHEMA") out.push_back(std::move(finding));
    return out;
  };
  const std::vector<Finding> english = schema_findings();
  ProcessLanguage french(Lang::fr);
  const std::vector<Finding> in_french = schema_findings();
  REQUIRE(english.size() == 3);
  REQUIRE(in_french.size() == english.size());
  std::vector<std::string> messages;
  for (std::size_t i = 0; i < english.size(); ++i) {
    messages.push_back(in_french[i].message);
    CHECK(in_french[i].english_message == english[i].message);
    CHECK(in_french[i].where.to_string() == english[i].where.to_string());
    CHECK(finding_fingerprint("operability.toml", in_french[i]) ==
          finding_fingerprint("operability.toml", english[i]));
  }
  CHECK(std::find(messages.begin(), messages.end(),
                  "service.contcat n'est pas une clé du schéma 1 (vouliez-vous dire contact ?)") !=
        messages.end());
  CHECK(std::find(messages.begin(), messages.end(),
                  "service.stateful vaut \"yes\" ; attendu : un booléen") != messages.end());
}

TEST_CASE("i18n: window reasons, local times and cron errors in French", "[i18n]") {
  auto doc = parse_toml(
      "timezone = \"Europe/Paris\"\n"
      "[[allow]]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\"]\nstart = \"20:00\"\nend = \"23:30\"\n"
      "[[deny]]\nfrom = 2026-12-18T00:00:00\nto = 2027-01-04T08:00:00\nreason = \"year-end\"\n",
      "operability.toml");
  REQUIRE(doc);
  ProcessLanguage french(Lang::fr);
  std::vector<SchemaProblem> problems;
  const Schedule schedule = parse_schedule(*doc, "release_window", "operability.toml", problems);
  REQUIRE(problems.empty());
  const WindowState outside =
      window_state(schedule, {}, "production", test::instant("2026-11-26T12:30:00+01:00").utc);
  CHECK(outside.reason == "en dehors de toute fenêtre autorisée");
  CHECK(cause_name(outside.cause) == "outside");
  REQUIRE(outside.next_open);
  CHECK(format_local(schedule, *outside.next_open) == "jeu. 2026-11-26 20:00 CET");
  const WindowState inside =
      window_state(schedule, {}, "production", test::instant("2026-11-26T21:30:00+01:00").utc);
  CHECK(inside.reason == "dans la fenêtre autorisée mon,tue,wed,thu 20:00-23:30");
  const WindowState denied =
      window_state(schedule, {}, "production", test::instant("2026-12-21T21:30:00+01:00").utc);
  CHECK(denied.reason ==
        "fenêtre interdite \"year-end\" du ven. 2026-12-18 00:00 CET au lun. 2027-01-04 08:00 CET");
  auto cron = parse_cron("0 25 * * *");
  REQUIRE_FALSE(cron);
  CHECK(cron.error().message == "cron \"0 25 * * *\" : heure : 25 est hors de l'intervalle 0-23");
}

TEST_CASE("i18n: provenance lines and pack origins in French, ids and dates as they are",
          "[i18n]") {
  Provenance known;
  known.commit = "7d3f0c2a9b1e7d3f0c2a9b1e7d3f0c2a9b1e7d3f";
  known.author = "Bob Martin";
  known.when = std::chrono::floor<std::chrono::seconds>(test::instant("2026-10-01T10:00:00Z").utc);
  Provenance unknown;
  unknown.unknown = "shallow";
  PackOrigin installed;
  installed.installed = true;
  installed.is_dir = true;
  installed.dir = "/usr/share/opsgate/rules/baseline";
  PackOrigin revision;
  revision.kind = PackOrigin::Kind::revision;
  revision.commit = "89abcdef0123456789abcdef0123456789abcdef";
  const Instant at = test::instant("2026-11-26T10:00:00+01:00");
  CHECK(describe_provenance(known, at) ==
        "last changed by Bob Martin in 7d3f0c2a9b1e on 2026-10-01");
  ProcessLanguage french(Lang::fr);
  CHECK(describe_provenance(known, at) ==
        "ligne modifiée en dernier par Bob Martin dans 7d3f0c2a9b1e le 2026-10-01");
  CHECK(describe_provenance(unknown, at) == "provenance inconnue : shallow");
  CHECK(installed.label("baseline") == "installé dans /usr/share/opsgate/rules/baseline");
  CHECK(revision.label("origin/main:.opsgate") ==
        "révision origin/main:.opsgate au commit 89abcdef0123");
  // The JSON report's origin is the same in every language.
  CHECK(installed.describe("baseline") == "installed /usr/share/opsgate/rules/baseline");
  CHECK(revision.describe("origin/main:.opsgate") ==
        "revision origin/main:.opsgate at 89abcdef0123");
}

TEST_CASE("i18n: French typography in findings: clauses, durations, missing files", "[i18n]") {
  const std::string rules =
      "[[rule]]\nid = \"T-001\"\narea = \"backup\"\ntitle = \"t\"\nseverity = \"error\"\n"
      "level = 1\ncheck = [ { key = \"backup.retention_days\", min = 7 }, "
      "{ key = \"runbook.path\", path_exists = true } ]\n"
      "[[rule]]\nid = \"T-002\"\narea = \"release_window\"\ntitle = \"t\"\n"
      "severity = \"error\"\nlevel = 1\n"
      "check = [ { key = \"release_window\", window_max_hours = 6 } ]\n"
      "[[rule]]\nid = \"T-003\"\narea = \"release_window\"\ntitle = \"t\"\n"
      "severity = \"error\"\nlevel = 1\ncheck = [ { key = \"release_window\", "
      "windows_outside = { start = \"08:00\", end = \"19:00\" } } ]\n";
  const std::string manifest = std::string(test::k_service_header) +
                               "[backup]\nretention_days = 3\n"
                               "[runbook]\npath = \"docs/missing.md\"\n"
                               "[release_window]\ntimezone = \"UTC\"\n"
                               "[[release_window.allow]]\ndays = [\"mon\", \"tue\"]\n"
                               "start = \"18:00\"\nend = \"03:00\"\n";
  const MemoryTree tree;
  EvalContext context = test::context_over(tree);
  context.environment = "production";
  const auto messages = [&] {
    const ManifestResult result = test::evaluate(manifest, rules, context);
    return std::vector<std::string>{test::finding_of(result, "T-001").message,
                                    test::finding_of(result, "T-002").message,
                                    test::finding_of(result, "T-003").message};
  };
  const std::vector<std::string> english = messages();
  CHECK_THAT(english[0], Catch::Contains("; runbook.path names docs/missing.md, which does not "
                                         "exist in the in-memory tree"));
  CHECK_THAT(english[1], Catch::EndsWith("lasts 9h; at most 6h is allowed"));
  CHECK_THAT(english[2], Catch::StartsWith("release_window: "));
  CHECK(format_duration(std::chrono::seconds(3 * 3600 + 30 * 60)) == "3h30m");
  CHECK(trc("tiers", "all") == "all");
  ProcessLanguage french(Lang::fr);
  const std::vector<std::string> in_french = messages();
  // " ; " between clauses, "qui n'existe pas (...)" as the other missing-file messages say it.
  CHECK_THAT(in_french[0],
             Catch::StartsWith("backup.retention_days vaut 3 ; attendu : au moins 7 ; ") &&
                 Catch::EndsWith(
                     " ; runbook.path désigne docs/missing.md, qui n'existe pas (the in-memory "
                     "tree)"));
  CHECK_THAT(in_french[1], Catch::EndsWith("dure 9 h ; 6 h au maximum"));
  CHECK_THAT(in_french[2], Catch::StartsWith("release_window : ") && Catch::Contains("de 1 h"));
  CHECK(format_duration(std::chrono::seconds(3 * 3600 + 30 * 60)) == "3 h 30 min");
  CHECK(format_duration(std::chrono::seconds(90)) == "1 min 30 s");
  // One English word, two French ones by the noun they qualify (msgctxt).
  CHECK(trc("environments", "all") == "tous");
  CHECK(trc("tiers", "all") == "toutes");
}

}  // namespace i18n_test
