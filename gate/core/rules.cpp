#include "rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "holidays.hpp"
#include "i18n.hpp"
#include "limits.hpp"
#include "paths.hpp"
#include "suggest.hpp"
#include "toml_util.hpp"

namespace opsgate {

using namespace std::string_view_literals;

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "error";
}

std::string_view stage_name(Stage stage) {
  switch (stage) {
    case Stage::commit:
      return "commit";
    case Stage::push:
      return "push";
    case Stage::merge:
      return "merge";
    case Stage::deploy:
      return "deploy";
  }
  return "merge";
}

std::optional<Stage> parse_stage(std::string_view text) {
  for (Stage stage : {Stage::commit, Stage::push, Stage::merge, Stage::deploy})
    if (stage_name(stage) == text) return stage;
  return std::nullopt;
}

std::optional<Severity> parse_severity(std::string_view text) {
  if (text == "info") return Severity::info;
  if (text == "warning") return Severity::warning;
  if (text == "error") return Severity::error;
  return std::nullopt;
}

namespace {

constexpr std::array<std::pair<std::string_view, OpKind>, 20> k_operators = {{
    {"present", OpKind::present},
    {"type", OpKind::type},
    {"equals", OpKind::equals},
    {"one_of", OpKind::one_of},
    {"not_one_of", OpKind::not_one_of},
    {"min", OpKind::min},
    {"max", OpKind::max},
    {"min_items", OpKind::min_items},
    {"max_items", OpKind::max_items},
    {"min_length", OpKind::min_length},
    {"max_length", OpKind::max_length},
    {"matches", OpKind::matches},
    {"max_age_days", OpKind::max_age_days},
    {"path_exists", OpKind::path_exists},
    {"executable", OpKind::executable},
    {"has_sections", OpKind::has_sections},
    {"changed_within_days", OpKind::changed_within_days},
    {"windows_outside", OpKind::windows_outside},
    {"window_max_hours", OpKind::window_max_hours},
    {"window_open", OpKind::window_open},
}};

constexpr std::array k_value_types = {"string"sv, "integer"sv,  "float"sv, "number"sv, "boolean"sv,
                                      "date"sv,   "datetime"sv, "array"sv, "table"sv};
constexpr std::array k_stages = {"commit"sv, "push"sv, "merge"sv, "deploy"sv};
constexpr std::array k_top_keys = {"pack"sv,   "rule"sv,    "override"sv,
                                   "freeze"sv, "holiday"sv, "key"sv};
constexpr std::array k_pack_keys = {"name"sv,
                                    "version"sv,
                                    "environments"sv,
                                    "max_waiver_days"sv,
                                    "waiver_approvers"sv,
                                    "holidays"sv,
                                    "locked"sv,
                                    "ratchet"sv,
                                    "waiver_proof"sv,
                                    "emergency_proof"sv,
                                    "allowed_signers"sv,
                                    "gpg_keyring"sv,
                                    "description"sv,
                                    "translations"sv};
constexpr std::array k_rule_keys = {
    "id"sv,           "area"sv,  "title"sv,        "severity"sv, "level"sv,
    "environments"sv, "tiers"sv, "when_changed"sv, "waivable"sv, "help"sv,
    "when"sv,         "check"sv, "locked"sv,       "stages"sv,   "translations"sv};
constexpr std::array k_override_keys = {"rule"sv,  "severity"sv, "level"sv, "environments"sv,
                                        "tiers"sv, "enabled"sv,  "stages"sv};
constexpr std::array k_freeze_keys = {"from"sv, "to"sv, "reason"sv, "environments"sv,
                                      "translations"sv};
constexpr std::array k_holiday_keys = {"date"sv, "name"sv, "environments"sv, "translations"sv};
constexpr std::array k_declared_key_keys = {"path"sv, "type"sv, "description"sv, "translations"sv};
// The text fields `translations.<lang>` may carry, per table, and the languages it may name
// (English is the text itself).
constexpr std::array k_rule_texts = {"title"sv, "help"sv};
constexpr std::array k_pack_texts = {"description"sv};
constexpr std::array k_freeze_texts = {"reason"sv};
constexpr std::array k_holiday_texts = {"name"sv};
constexpr std::array k_declared_key_texts = {"description"sv};
constexpr std::array k_translation_langs = {"fr"sv};
constexpr int k_max_level = 5;
constexpr std::int64_t k_max_days = 36500;  // a century
constexpr int64_t k_max_regex_program = 1 << 20;

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view value) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

template <std::size_t N>
std::string join(const std::array<std::string_view, N>& set) {
  std::string out;
  for (std::string_view value : set) out += (out.empty() ? "" : ", ") + std::string(value);
  return out;
}

bool valid_rule_id(std::string_view id) {
  static const RE2 pattern("[A-Z][A-Z0-9_]*(-[A-Z0-9_]+)*");
  return RE2::FullMatch(id, pattern) && !id.starts_with("GATE-");
}

// Reads one rule file; every accessor fails with the file's position.
class FileParser {
 public:
  FileParser(const RuleFile& file, std::shared_ptr<const toml::table> doc)
      : m_file(file), m_doc(std::move(doc)) {}

  std::unexpected<Error> error(const toml::node& node, std::string message) const {
    return fail(ErrorKind::invalid, std::move(message), position_of(node, m_file.path));
  }
  std::unexpected<Error> error(const toml::key& key, std::string message) const {
    return fail(ErrorKind::invalid, std::move(message), position_of(key, m_file.path));
  }

  template <std::size_t N>
  Expected<void> known_keys(const toml::table& table, const std::array<std::string_view, N>& keys,
                            std::string_view what) const {
    for (const auto& [key, value] : table)
      if (!contains(keys, key.str()))
        return error(key,
                     trf("unknown key '{}' in {} (known keys: {})", key.str(), what, join(keys)));
    return {};
  }

  Expected<std::string> string(const toml::table& table, std::string_view key, bool required,
                               std::string_view what) const {
    const toml::node* node = table.get(key);
    if (!node) {
      if (required) return error(table, trf("{} needs '{}'", what, key));
      return std::string();
    }
    if (!node->is_string() || node->as_string()->get().empty())
      return error(*node, trf("'{}' must be a non-empty string", key));
    return node->as_string()->get();
  }

  // `translations = { fr = { title = "…", help = "…" } }` (or [rule.translations.fr]): checks
  // every language and field, and returns the texts of the process's language, field by field
  // (none in English, or when the table has no translation for it).
  template <std::size_t N>
  Expected<std::map<std::string, std::string, std::less<>>> translations(
      const toml::table& table, const std::array<std::string_view, N>& fields,
      std::string_view what) const {
    std::map<std::string, std::string, std::less<>> chosen;
    const toml::node* node = table.get("translations");
    if (!node) return chosen;
    const toml::table* languages = node->as_table();
    if (!languages)
      return error(*node, trf("'translations' in {} must be a table of languages, such "
                              "as translations.fr = {{ {} = \"…\" }}",
                              what, fields.front()));
    for (const auto& [lang, texts] : *languages) {
      if (!contains(k_translation_langs, lang.str()))
        return error(lang, trf("unknown language '{}' in translations (languages: {})", lang.str(),
                               join(k_translation_langs)));
      const toml::table* fields_table = texts.as_table();
      const std::string where = trf("translations.{} of {}", lang.str(), what);
      if (!fields_table)
        return error(texts,
                     trf("{} must be a table such as {{ {} = \"…\" }}", where, fields.front()));
      if (auto ok = known_keys(*fields_table, fields, where); !ok)
        return std::unexpected(ok.error());
      for (std::string_view field : fields) {
        auto text = string(*fields_table, field, false, where);
        if (!text) return std::unexpected(text.error());
        if (!text->empty() && lang.str() == lang_name(language()))
          chosen.emplace(std::string(field), std::move(*text));
      }
    }
    return chosen;
  }

  Expected<std::vector<std::string>> strings(const toml::table& table, std::string_view key) const {
    std::vector<std::string> out;
    const toml::node* node = table.get(key);
    if (!node) return out;
    const toml::array* array = node->as_array();
    if (!array) return error(*node, trf("'{}' must be an array of strings", key));
    for (const toml::node& item : *array) {
      if (!item.is_string() || item.as_string()->get().empty())
        return error(item, trf("'{}' must hold non-empty strings", key));
      out.push_back(item.as_string()->get());
    }
    return out;
  }

  Expected<std::int64_t> integer(const toml::table& table, std::string_view key, std::int64_t low,
                                 std::int64_t high, std::int64_t fallback) const {
    const toml::node* node = table.get(key);
    if (!node) return fallback;
    if (!node->is_integer() || node->as_integer()->get() < low || node->as_integer()->get() > high)
      return error(*node, trf("'{}' must be an integer from {} to {}", key, low, high));
    return node->as_integer()->get();
  }

  Expected<Severity> severity(const toml::node& node) const {
    auto parsed = parse_severity(node.value_or(""sv));
    if (!parsed)
      return error(node, std::string(tr("'severity' must be \"error\", \"warning\" or \"info\"")));
    return *parsed;
  }

  Expected<void> tiers(const toml::table& table, std::vector<std::string>& out) const {
    auto values = strings(table, "tiers");
    if (!values) return std::unexpected(values.error());
    for (std::size_t i = 0; i < values->size(); ++i)
      if (!contains(k_schema_tiers, (*values)[i]))
        return error(*table["tiers"].as_array()->get(i),
                     trf("unknown tier '{}' (tiers: {})", (*values)[i], join(k_schema_tiers)));
    out = std::move(*values);
    return {};
  }

  Expected<void> stages(const toml::table& table, std::vector<Stage>& out) const {
    auto values = strings(table, "stages");
    if (!values) return std::unexpected(values.error());
    if (table.contains("stages") && values->empty())
      return error(*table.get("stages"),
                   trf("'stages' must name at least one stage ({})", k_stage_names));
    std::vector<Stage> parsed;
    for (std::size_t i = 0; i < values->size(); ++i) {
      auto stage = parse_stage((*values)[i]);
      if (!stage)
        return error(*table["stages"].as_array()->get(i),
                     trf("unknown stage '{}' (stages: {})", (*values)[i], k_stage_names));
      if (std::find(parsed.begin(), parsed.end(), *stage) == parsed.end()) parsed.push_back(*stage);
    }
    std::sort(parsed.begin(), parsed.end());
    // Every stage named is the same as none: the rule applies everywhere.
    if (parsed.size() == k_stages.size()) parsed.clear();
    out = std::move(parsed);
    return {};
  }

  Expected<Operator> op(OpKind kind, const toml::key& key, const toml::node& value) const {
    Operator result{kind, &value, nullptr};
    auto need = [&](bool ok, std::string_view what) -> Expected<Operator> {
      if (!ok) return error(value, trf("operator '{}' takes {}", key.str(), what));
      return result;
    };
    auto count = [&] { return value.is_integer() && value.as_integer()->get() >= 0; };
    switch (kind) {
      case OpKind::present:
      case OpKind::executable:
      case OpKind::path_exists:
      case OpKind::window_open:
        return need(value.is_boolean(), tr("true or false"));
      case OpKind::type:
        return need(value.is_string() && contains(k_value_types, value.as_string()->get()),
                    trf("one of {}", join(k_value_types)));
      case OpKind::equals:
        return need(!value.is_table(), tr("a value (not a table)"));
      case OpKind::one_of:
      case OpKind::not_one_of:
        return need(value.is_array() && !value.as_array()->empty(), tr("a non-empty array"));
      case OpKind::min:
      case OpKind::max:
        return need(value.is_number(), tr("a number"));
      case OpKind::window_max_hours:
        return need(value.is_number() && *as_number(value) > 0, tr("a positive number"));
      case OpKind::min_items:
      case OpKind::max_items:
      case OpKind::min_length:
      case OpKind::max_length:
        return need(count(), tr("a non-negative integer"));
      case OpKind::max_age_days:
      case OpKind::changed_within_days:
        // Day counts become calendar arithmetic: keep them where dates exist.
        return need(count() && value.as_integer()->get() <= k_max_days,
                    trf("a number of days from 0 to {}", k_max_days));
      case OpKind::has_sections: {
        const toml::array* array = value.as_array();
        bool ok = array && !array->empty() &&
                  std::all_of(array->begin(), array->end(), [](const toml::node& item) {
                    return item.is_string() && !item.as_string()->get().empty();
                  });
        return need(ok, tr("a non-empty array of heading names"));
      }
      case OpKind::matches: {
        if (!value.is_string()) return need(false, tr("an RE2 pattern string"));
        RE2::Options options;
        options.set_log_errors(false);
        options.set_max_mem(k_max_regex_program * 8);
        auto regex = std::make_shared<RE2>(value.as_string()->get(), options);
        if (!regex->ok()) return error(value, trf("invalid RE2 pattern: {}", regex->error()));
        result.regex = std::move(regex);
        return result;
      }
      case OpKind::windows_outside: {
        const toml::table* table = value.as_table();
        if (!table)
          return need(false, tr("a table { days = [...], start = \"08:00\", end = \"19:00\" }"));
        constexpr std::array keys = {"days"sv, "start"sv, "end"sv};
        if (auto ok = known_keys(*table, keys, "windows_outside"); !ok)
          return std::unexpected(ok.error());
        auto days = strings(*table, "days");
        if (!days) return std::unexpected(days.error());
        for (const std::string& day : *days)
          if (!contains(k_schema_days, day))
            return error(value, trf("unknown day '{}' (days: {})", day, join(k_schema_days)));
        for (std::string_view edge : {"start"sv, "end"sv}) {
          static const RE2 clock("([01][0-9]|2[0-3]):[0-5][0-9]");
          auto text = (*table)[edge].value<std::string>();
          if (!text || !RE2::FullMatch(*text, clock))
            return error(value, trf("windows_outside needs '{}' as \"HH:MM\"", edge));
        }
        return result;
      }
    }
    return result;
  }

  Expected<std::vector<Condition>> conditions(const toml::table& rule, std::string_view key) const {
    std::vector<Condition> out;
    const toml::node* node = rule.get(key);
    if (!node) return out;
    const toml::array* array = node->as_array();
    if (!array)
      return error(*node, trf("'{}' must be an array of {{ key = ..., <operator> = ... }}", key));
    for (const toml::node& item : *array) {
      const toml::table* table = item.as_table();
      if (!table) return error(item, trf("each '{}' entry must be a table", key));
      Condition condition;
      condition.where = position_of(item, m_file.path);
      for (const auto& [name, value] : *table) {
        if (name.str() == "key") {
          if (!value.is_string() || value.as_string()->get().empty())
            return error(
                value,
                std::string(tr("'key' must be a dotted manifest key such as \"backup.enabled\"")));
          condition.key = value.as_string()->get();
          continue;
        }
        auto found = std::find_if(k_operators.begin(), k_operators.end(),
                                  [&](const auto& entry) { return entry.first == name.str(); });
        if (found == k_operators.end())
          return error(name, trf("unknown operator '{}'", name.str()));
        auto parsed = op(found->second, name, value);
        if (!parsed) return std::unexpected(parsed.error());
        condition.ops.push_back(std::move(*parsed));
      }
      if (condition.key.empty()) return error(item, trf("a '{}' entry needs 'key'", key));
      // toml++ iterates keys sorted; keep the operators in the order the author wrote them.
      std::stable_sort(condition.ops.begin(), condition.ops.end(),
                       [](const Operator& a, const Operator& b) {
                         const auto& x = a.value->source().begin;
                         const auto& y = b.value->source().begin;
                         return x.line != y.line ? x.line < y.line : x.column < y.column;
                       });
      if (condition.ops.empty())
        return error(item, trf("'{}' on {} names no operator", key, condition.key));
      out.push_back(std::move(condition));
    }
    return out;
  }

  Expected<Rule> rule(const toml::table& table, const Pack& pack, std::size_t pack_index) const {
    if (auto ok = known_keys(table, k_rule_keys, "[[rule]]"); !ok)
      return std::unexpected(ok.error());
    Rule rule;
    rule.pack = pack_index;
    rule.where = position_of(table, m_file.path);
    auto id = string(table, "id", true, "[[rule]]");
    if (!id) return std::unexpected(id.error());
    if (!valid_rule_id(*id))
      return error(*table.get("id"), trf("rule id '{}' must look like BKP-002 (upper-case "
                                         "words joined by '-'; GATE- is reserved)",
                                         *id));
    rule.id = *id;
    std::string what = trf("rule {}", rule.id);
    auto area = string(table, "area", true, what);
    if (!area) return std::unexpected(area.error());
    rule.area = *area;
    auto title = string(table, "title", true, what);
    if (!title) return std::unexpected(title.error());
    rule.title = *title;
    auto help = string(table, "help", false, what);
    if (!help) return std::unexpected(help.error());
    rule.help = *help;
    auto translated = translations(table, k_rule_texts, what);
    if (!translated) return std::unexpected(translated.error());
    if (auto it = translated->find("title"); it != translated->end()) {
      rule.english_title = rule.title;
      rule.title = it->second;
    }
    if (auto it = translated->find("help"); it != translated->end()) rule.help = it->second;
    if (!table.contains("severity")) return error(table, trf("{} needs '{}'", what, "severity"));
    auto severity = this->severity(*table.get("severity"));
    if (!severity) return std::unexpected(severity.error());
    rule.severity = *severity;
    if (!table.contains("level")) return error(table, trf("{} needs 'level' (1 to 5)", what));
    auto level = integer(table, "level", 1, k_max_level, 1);
    if (!level) return std::unexpected(level.error());
    rule.level = static_cast<int>(*level);
    auto environments = strings(table, "environments");
    if (!environments) return std::unexpected(environments.error());
    rule.environments = std::move(*environments);
    for (std::size_t i = 0; i < rule.environments.size(); ++i)
      if (!pack.environments.empty() &&
          std::find(pack.environments.begin(), pack.environments.end(), rule.environments[i]) ==
              pack.environments.end())
        return error(
            *table["environments"].as_array()->get(i),
            trf("environment '{}' is not among the pack's environments", rule.environments[i]));
    if (auto ok = tiers(table, rule.tiers); !ok) return std::unexpected(ok.error());
    if (auto ok = stages(table, rule.stages); !ok) return std::unexpected(ok.error());
    auto globs = strings(table, "when_changed");
    if (!globs) return std::unexpected(globs.error());
    rule.when_changed = std::move(*globs);
    if (const toml::node* waivable = table.get("waivable")) {
      if (!waivable->is_boolean())
        return error(*waivable, std::string(tr("'waivable' must be true or false")));
      rule.waivable = waivable->as_boolean()->get();
    }
    rule.locked = pack.locked;
    if (const toml::node* locked = table.get("locked")) {
      if (!locked->is_boolean())
        return error(*locked, std::string(tr("'locked' must be true or false")));
      rule.locked = pack.locked || locked->as_boolean()->get();
    }
    auto when = conditions(table, "when");
    if (!when) return std::unexpected(when.error());
    rule.when = std::move(*when);
    auto check = conditions(table, "check");
    if (!check) return std::unexpected(check.error());
    if (check->empty()) return error(table, trf("{} needs a non-empty 'check'", what));
    rule.check = std::move(*check);
    return rule;
  }

  Expected<void> pack(const toml::table& table, Pack& pack, Calendar& calendar) const {
    if (auto ok = known_keys(table, k_pack_keys, "[pack]"); !ok) return ok;
    auto name = string(table, "name", false, "[pack]");
    if (!name) return std::unexpected(name.error());
    if (!name->empty()) pack.name = *name;
    auto version = string(table, "version", false, "[pack]");
    if (!version) return std::unexpected(version.error());
    pack.version = *version;
    auto description = string(table, "description", false, "[pack]");
    if (!description) return std::unexpected(description.error());
    pack.description = *description;
    auto translated = translations(table, k_pack_texts, "[pack]");
    if (!translated) return std::unexpected(translated.error());
    if (auto it = translated->find("description"); it != translated->end())
      pack.description = it->second;
    auto environments = strings(table, "environments");
    if (!environments) return std::unexpected(environments.error());
    pack.environments = std::move(*environments);
    auto days = integer(table, "max_waiver_days", 0, 3650, 90);
    if (!days) return std::unexpected(days.error());
    pack.max_waiver_days = static_cast<int>(*days);
    auto approvers = strings(table, "waiver_approvers");
    if (!approvers) return std::unexpected(approvers.error());
    pack.waiver_approvers = std::move(*approvers);
    if (const toml::node* locked = table.get("locked")) {
      if (!locked->is_boolean())
        return error(*locked, std::string(tr("'locked' must be true or false")));
      pack.locked = locked->as_boolean()->get();
    }
    if (const toml::node* ratchet = table.get("ratchet")) {
      if (!ratchet->is_boolean())
        return error(*ratchet, std::string(tr("'ratchet' must be true or false")));
      pack.ratchet = ratchet->as_boolean()->get();
    }
    if (auto ok = proofs(table, pack); !ok) return ok;
    return holiday_calendars(table, calendar);
  }

  // waiver_proof, emergency_proof ("none" or "signed") and the trust roots they need.
  Expected<void> proofs(const toml::table& table, Pack& pack) const {
    for (auto [key, flag] : {std::pair{"waiver_proof"sv, &pack.waiver_proof_signed},
                             std::pair{"emergency_proof"sv, &pack.emergency_proof_signed}}) {
      const toml::node* node = table.get(key);
      if (!node) continue;
      const auto* text = node->as_string();
      if (!text || (text->get() != "none" && text->get() != "signed"))
        return error(*node, trf("'{}' must be \"none\" or \"signed\"", key));
      *flag = text->get() == "signed";
    }
    for (auto [key, path] : {std::pair{"allowed_signers"sv, &pack.allowed_signers_path},
                             std::pair{"gpg_keyring"sv, &pack.gpg_keyring_path}}) {
      auto value = string(table, key, false, "[pack]");
      if (!value) return std::unexpected(value.error());
      if (value->empty()) continue;
      // Beside the rule files, never elsewhere: a REV:PATH pack's keys come from that
      // revision, a directory's from that directory.
      bool escapes = value->starts_with('/');
      for (std::string_view part : path_components(*value)) escapes = escapes || part == "..";
      if (escapes)
        return error(*table.get(key),
                     trf("'{}' must be a path relative to the pack's directory, inside "
                         "it",
                         key));
      *path = *value;
    }
    if ((pack.waiver_proof_signed || pack.emergency_proof_signed) &&
        pack.allowed_signers_path.empty() && pack.gpg_keyring_path.empty())
      return error(table, trf("[pack] {} = \"signed\" needs trust roots: "
                              "allowed_signers and/or gpg_keyring",
                              pack.waiver_proof_signed ? "waiver_proof" : "emergency_proof"));
    return {};
  }

  // [pack] holidays = "FR" or ["FR", ...]: built-in calendars.
  Expected<void> holiday_calendars(const toml::table& table, Calendar& calendar) const {
    const toml::node* node = table.get("holidays");
    if (!node) return {};
    std::vector<const toml::node*> names;
    if (node->is_string()) names.push_back(node);
    if (const toml::array* array = node->as_array())
      for (const toml::node& item : *array) names.push_back(&item);
    if (names.empty())
      return error(
          *node,
          std::string(tr("'holidays' must name a calendar such as \"FR\" (or an array of them)")));
    for (const toml::node* name : names) {
      std::string name_text = name->value_or(std::string());
      if (!is_holiday_calendar(name_text))
        return error(*name, trf("unknown holiday calendar {} (known: {})", describe_value(*name),
                                fmt::join(opsgate::holiday_calendars(), ", ")));
      calendar.holiday_calendars.push_back(name_text);
    }
    return {};
  }

  Expected<Holiday> holiday(const toml::table& table) const {
    if (auto ok = known_keys(table, k_holiday_keys, "[[holiday]]"); !ok)
      return std::unexpected(ok.error());
    Holiday holiday;
    holiday.where = position_of(table, m_file.path);
    const toml::node* date = table.get("date");
    if (!date) return error(table, std::string(tr("[[holiday]] needs 'date'")));
    if (!date->is_date())
      return error(
          *date,
          std::string(tr("holiday 'date' must be a date such as 2026-12-25 (the whole local day "
                         "is closed)")));
    holiday.date = to_days(date->as_date()->get());
    auto name = string(table, "name", false, "[[holiday]]");
    if (!name) return std::unexpected(name.error());
    holiday.name = *name;
    auto translated = translations(table, k_holiday_texts, "[[holiday]]");
    if (!translated) return std::unexpected(translated.error());
    if (auto it = translated->find("name"); it != translated->end()) holiday.name = it->second;
    auto environments = strings(table, "environments");
    if (!environments) return std::unexpected(environments.error());
    holiday.environments = std::move(*environments);
    return holiday;
  }

  Expected<Freeze> freeze(const toml::table& table) const {
    if (auto ok = known_keys(table, k_freeze_keys, "[[freeze]]"); !ok)
      return std::unexpected(ok.error());
    Freeze freeze;
    freeze.where = position_of(table, m_file.path);
    Seconds* targets[] = {&freeze.from, &freeze.to};
    for (int i = 0; i < 2; ++i) {
      std::string_view key = i == 0 ? "from" : "to";
      const toml::node* node = table.get(key);
      if (!node) return error(table, trf("[[freeze]] needs '{}'", key));
      const toml::date_time* value = node->is_date_time() ? &node->as_date_time()->get() : nullptr;
      if (!value || !value->offset)
        return error(*node, trf("freeze '{}' must be a date-time with an offset, such as "
                                "2026-12-21T00:00:00+01:00",
                                key));
      *targets[i] = to_instant(*value, std::chrono::minutes{0});
    }
    if (freeze.from >= freeze.to)
      return error(*table.get("from"), std::string(tr("freeze 'from' must be before 'to'")));
    auto reason = string(table, "reason", false, "[[freeze]]");
    if (!reason) return std::unexpected(reason.error());
    freeze.reason = *reason;
    auto translated = translations(table, k_freeze_texts, "[[freeze]]");
    if (!translated) return std::unexpected(translated.error());
    if (auto it = translated->find("reason"); it != translated->end()) freeze.reason = it->second;
    auto environments = strings(table, "environments");
    if (!environments) return std::unexpected(environments.error());
    freeze.environments = std::move(*environments);
    return freeze;
  }

  // [[key]]: a manifest key the pack's rules read, with its type.
  Expected<DeclaredKey> declared_key(const toml::table& table, const Pack& pack) const {
    if (auto ok = known_keys(table, k_declared_key_keys, "[[key]]"); !ok)
      return std::unexpected(ok.error());
    DeclaredKey key;
    key.pack = pack.name;
    const toml::node* path = table.get("path");
    if (!path) return error(table, std::string(tr("[[key]] needs 'path'")));
    static const RE2 dotted("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    if (!path->is_string() || !RE2::FullMatch(path->as_string()->get(), dotted))
      return error(
          *path, std::string(tr("'path' must be a dotted manifest key such as \"rollback.script\" "
                                "(letters, digits, '_' and '-' between the dots)")));
    key.path = path->as_string()->get();
    key.where = position_of(*path, m_file.path);
    if (auto problem = declaration_problem(key.path)) return error(*path, *problem);
    const toml::node* type = table.get("type");
    if (!type) return error(table, std::string(tr("[[key]] needs 'type'")));
    if (!type->is_string() || !is_declared_type(type->as_string()->get()))
      return error(*type, trf("'type' must be one of {}", fmt::join(k_declared_types, ", ")));
    key.type = type->as_string()->get();
    auto description = string(table, "description", false, "[[key]]");
    if (!description) return std::unexpected(description.error());
    key.description = std::move(*description);
    auto translated = translations(table, k_declared_key_texts, "[[key]]");
    if (!translated) return std::unexpected(translated.error());
    if (auto it = translated->find("description"); it != translated->end())
      key.description = it->second;
    return key;
  }

  const RuleFile& m_file;
  std::shared_ptr<const toml::table> m_doc;
};

// Whether `key` lies strictly under `table` ("a.b.c" under "a.b").
bool inside(std::string_view key, std::string_view table) {
  return key.size() > table.size() && key.starts_with(table) && key[table.size()] == '.';
}

// Adds `key` to the declarations of every pack loaded so far. The same key declared twice with
// one type is fine (the first description stays); two types, or a key inside one that is not a
// table, is an error naming both declarations.
Expected<void> declare(std::vector<DeclaredKey>& declared, DeclaredKey key) {
  for (const DeclaredKey& other : declared) {
    std::string problem;
    if (other.path == key.path && other.type != key.type)
      problem = trf("{} is declared as {} here and as {} at {} (pack {}); a key has one type",
                    key.path, key.type, other.type, other.where.to_string(), other.pack);
    else if (inside(key.path, other.path) && other.type != "table")
      problem = trf("{} would be inside {}, which {} (pack {}) declares as {}", key.path,
                    other.path, other.where.to_string(), other.pack, other.type);
    else if (inside(other.path, key.path) && key.type != "table")
      problem =
          trf("{} is declared as {} here, but {} (pack {}) declares {} inside it; "
              "declare it as a table",
              key.path, key.type, other.where.to_string(), other.pack, other.path);
    if (!problem.empty()) return fail(ErrorKind::invalid, std::move(problem), key.where);
    if (other.path == key.path) return {};
  }
  auto at = std::ranges::upper_bound(declared, key.path, {}, &DeclaredKey::path);
  declared.insert(at, std::move(key));
  return {};
}

const toml::array* array_of_tables(const FileParser& parser, const toml::table& doc,
                                   std::string_view key, Error* error) {
  const toml::node* node = doc.get(key);
  if (!node) return nullptr;
  const toml::array* array = node->as_array();
  if (!array || !array->is_array_of_tables()) {
    *error = parser.error(*node, trf("'{}' must be written [[{}]]", key, key)).error();
    return nullptr;
  }
  return array;
}

}  // namespace

bool RuleSet::ratchet() const {
  return std::all_of(packs.begin(), packs.end(), [](const Pack& pack) { return pack.ratchet; });
}

const Rule* RuleSet::find(std::string_view id) const {
  auto it = std::lower_bound(rules.begin(), rules.end(), id,
                             [](const Rule& rule, std::string_view key) { return rule.id < key; });
  return it != rules.end() && it->id == id ? &*it : nullptr;
}

Expected<void> RuleSetBuilder::add(const PackSource& source) {
  Pack pack;
  Calendar calendar;
  pack.name = source.default_name;
  pack.source = source.source;
  pack.origin = source.origin;
  std::size_t pack_index = m_set.packs.size();
  std::size_t earlier_rules = m_set.rules.size();

  // Parse every file first: [pack] may sit in any one of them and scopes all their rules.
  std::vector<std::pair<const RuleFile*, std::shared_ptr<const toml::table>>> docs;
  const RuleFile* pack_file = nullptr;
  for (const RuleFile& file : source.files) {
    if (std::string too_big = oversize_message(tr("the file"), file.text.size()); !too_big.empty())
      return fail(ErrorKind::invalid, too_big, SourcePos{file.path});
    auto parsed = parse_toml(file.text, file.path);
    if (!parsed) return std::unexpected(parsed.error());
    auto doc = std::make_shared<const toml::table>(std::move(*parsed));
    FileParser parser(file, doc);
    if (auto ok = parser.known_keys(*doc, k_top_keys, tr("a rule file")); !ok) return ok;
    if (const toml::node* node = doc->get("pack")) {
      if (!node->is_table())
        return parser.error(*node, std::string(tr("'pack' must be a table [pack]")));
      if (pack_file)
        return parser.error(*node, trf("[pack] is already declared in {}", pack_file->path));
      pack_file = &file;
      if (auto ok = parser.pack(*node->as_table(), pack, calendar); !ok) return ok;
    }
    docs.emplace_back(&file, doc);
    m_set.documents.push_back(doc);
  }

  for (const auto& [file, doc] : docs) {
    FileParser parser(*file, doc);
    Error error;
    if (const toml::array* rules = array_of_tables(parser, *doc, "rule", &error)) {
      for (const toml::node& item : *rules) {
        auto rule = parser.rule(*item.as_table(), pack, pack_index);
        if (!rule) return std::unexpected(rule.error());
        for (const Rule& other : m_set.rules)
          if (other.id == rule->id)
            return fail(ErrorKind::invalid,
                        trf("duplicate rule id {} (first defined at {})", rule->id,
                            other.where.to_string()),
                        position_of(*item.as_table()->get("id"), file->path));
        if (m_set.rules.size() >= k_max_rules)
          return parser.error(item, trf("more than {} rules are loaded; split or trim "
                                        "the packs",
                                        k_max_rules));
        m_set.rules.push_back(std::move(*rule));
      }
    } else if (!error.message.empty()) {
      return std::unexpected(error);
    }
    if (const toml::array* overrides = array_of_tables(parser, *doc, "override", &error)) {
      for (const toml::node& item : *overrides) {
        const toml::table& table = *item.as_table();
        if (auto ok = parser.known_keys(table, k_override_keys, "[[override]]"); !ok) return ok;
        auto id = parser.string(table, "rule", true, "[[override]]");
        if (!id) return std::unexpected(id.error());
        auto target = std::find_if(m_set.rules.begin(), m_set.rules.begin() + earlier_rules,
                                   [&](const Rule& rule) { return rule.id == *id; });
        if (target == m_set.rules.begin() + earlier_rules)
          return parser.error(*table.get("rule"),
                              trf("override names rule {}, which no earlier --rules pack "
                                  "defines",
                                  *id));
        if (target->locked)
          return parser.error(table,
                              trf("rule {} is locked by pack {} ({}): a later pack can neither "
                                  "override nor disable it",
                                  *id, m_set.packs[target->pack].name, target->where.to_string()));
        if (const toml::node* severity = table.get("severity")) {
          auto parsed = parser.severity(*severity);
          if (!parsed) return std::unexpected(parsed.error());
          target->severity = *parsed;
        }
        auto level = parser.integer(table, "level", 1, k_max_level, target->level);
        if (!level) return std::unexpected(level.error());
        target->level = static_cast<int>(*level);
        if (table.contains("environments")) {
          auto environments = parser.strings(table, "environments");
          if (!environments) return std::unexpected(environments.error());
          // A typo here would skip the rule for every --env, silently.
          std::set<std::string> known;
          for (const Pack& earlier : m_set.packs)
            known.insert(earlier.environments.begin(), earlier.environments.end());
          known.insert(pack.environments.begin(), pack.environments.end());
          for (std::size_t i = 0; i < environments->size(); ++i)
            if (!known.empty() && !known.contains((*environments)[i]))
              return parser.error(*table["environments"].as_array()->get(i),
                                  trf("environment '{}' is not among the environments "
                                      "the loaded packs declare",
                                      (*environments)[i]));
          target->environments = std::move(*environments);
        }
        if (table.contains("tiers"))
          if (auto ok = parser.tiers(table, target->tiers); !ok) return ok;
        if (table.contains("stages"))
          if (auto ok = parser.stages(table, target->stages); !ok) return ok;
        if (const toml::node* enabled = table.get("enabled")) {
          if (!enabled->is_boolean())
            return parser.error(*enabled, std::string(tr("'enabled' must be a boolean")));
          if (!enabled->as_boolean()->get()) m_disabled.push_back(target->id);
        }
      }
    } else if (!error.message.empty()) {
      return std::unexpected(error);
    }
    if (const toml::array* freezes = array_of_tables(parser, *doc, "freeze", &error)) {
      for (const toml::node& item : *freezes) {
        auto freeze = parser.freeze(*item.as_table());
        if (!freeze) return std::unexpected(freeze.error());
        calendar.freezes.push_back(std::move(*freeze));
      }
    } else if (!error.message.empty()) {
      return std::unexpected(error);
    }
    if (const toml::array* holidays = array_of_tables(parser, *doc, "holiday", &error)) {
      for (const toml::node& item : *holidays) {
        auto holiday = parser.holiday(*item.as_table());
        if (!holiday) return std::unexpected(holiday.error());
        calendar.holidays.push_back(std::move(*holiday));
      }
    } else if (!error.message.empty()) {
      return std::unexpected(error);
    }
    if (const toml::array* keys = array_of_tables(parser, *doc, "key", &error)) {
      for (const toml::node& item : *keys) {
        auto key = parser.declared_key(*item.as_table(), pack);
        if (!key) return std::unexpected(key.error());
        if (auto ok = declare(m_set.keys.declared, std::move(*key)); !ok) return ok;
      }
    } else if (!error.message.empty()) {
      return std::unexpected(error);
    }
  }
  calendar.name = pack.name;
  m_set.packs.push_back(std::move(pack));
  m_set.calendars.push_back(std::move(calendar));
  return {};
}

Expected<RuleSet> RuleSetBuilder::finish() {
  std::erase_if(m_set.rules, [&](const Rule& rule) {
    return std::find(m_disabled.begin(), m_disabled.end(), rule.id) != m_disabled.end();
  });
  if (m_set.rules.empty()) {
    std::string sources;
    for (const Pack& pack : m_set.packs) sources += (sources.empty() ? "" : ", ") + pack.source;
    return fail(
        ErrorKind::invalid,
        sources.empty()
            ? std::string(tr("no rules loaded from any pack: a gate with no rules cannot "
                             "evaluate"))
            : trf("no rules loaded from {}: a gate with no rules cannot evaluate", sources));
  }
  std::sort(m_set.rules.begin(), m_set.rules.end(),
            [](const Rule& a, const Rule& b) { return a.id < b.id; });
  // Keys the rules read that nobody declared: accepted by the schema check all the same.
  std::vector<UndeclaredRead>& read = m_set.keys.read;
  for (const Rule& rule : m_set.rules)
    for (const auto* conditions : {&rule.when, &rule.check})
      for (const Condition& condition : *conditions) {
        if (find_schema_entry(condition.key) || m_set.keys.find(condition.key)) continue;
        if (std::ranges::find(read, condition.key, &UndeclaredRead::path) != read.end()) continue;
        read.push_back({condition.key, rule.id, condition.where});
      }
  std::ranges::stable_sort(read, {}, &UndeclaredRead::path);
  return std::move(m_set);
}

std::string PackOrigin::describe(std::string_view source) const {
  LanguageScope english(Lang::en);
  return label(source);
}

std::string PackOrigin::label(std::string_view source) const {
  if (kind == Kind::revision) return trf("revision {} at {}", source, commit.substr(0, 12));
  const std::string& where = is_dir ? dir : (files.empty() ? std::string(source) : files.front());
  return installed ? trf("installed {}", where) : trf("file {}", where);
}

Expected<void> check_environment(const RuleSet& rules, std::string_view environment) {
  std::set<std::string> known;
  for (const Pack& pack : rules.packs)
    known.insert(pack.environments.begin(), pack.environments.end());
  if (known.empty() || known.contains(std::string(environment))) return {};
  std::string list;
  for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
  if (const auto guess = suggest_name(environment, known))
    return fail(ErrorKind::usage,
                trf("unknown environment '{}' (did you mean {}?): the loaded packs declare {}",
                    environment, *guess, list));
  return fail(ErrorKind::usage,
              trf("unknown environment '{}': the loaded packs declare {}", environment, list));
}

std::string_view op_name(OpKind kind) {
  for (const auto& [name, op] : k_operators)
    if (op == kind) return name;
  return "?";
}

}  // namespace opsgate
