#include "manifest.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "i18n.hpp"
#include "limits.hpp"
#include "manifest_schema.hpp"
#include "paths.hpp"
#include "suggest.hpp"
#include "timeutil.hpp"
#include "toml_util.hpp"
#include "window.hpp"

namespace opsgate {

std::string Manifest::service_name() const {
  return doc.at_path("service.name").value_or(std::string());
}

std::optional<std::string> Manifest::tier() const {
  return doc.at_path("service.tier").value<std::string>();
}

namespace {

bool is_clock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return false;
  for (std::size_t i : {0u, 1u, 3u, 4u})
    if (text[i] < '0' || text[i] > '9') return false;
  int hours = (text[0] - '0') * 10 + (text[1] - '0');
  int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  return hours < 24 && minutes < 60;
}

std::string join_allowed(std::span<const std::string_view> allowed) {
  std::string out;
  for (std::string_view value : allowed) {
    if (!out.empty()) out += ", ";
    out += value;
  }
  return out;
}

std::string declared_type_name(std::string_view type) {
  if (type == "date") return std::string(tr("a date (2026-11-26)"));
  if (type == "datetime") return std::string(tr("a date-time (2026-11-26T20:00:00)"));
  const bool vowel = type == "integer" || type == "array";
  return vowel ? trf("an {}", type) : trf("a {}", type);
}

bool is_allowed(std::span<const std::string_view> allowed, std::string_view value) {
  for (std::string_view candidate : allowed)
    if (candidate == value) return true;
  return false;
}

// The names a typo of a key under `schema_key` ("backup", "waiver[]"; "" for the top level) may
// have meant: schema 1's, then the loaded packs'.
std::vector<std::string> names_under(std::string_view schema_key, const PackKeys* keys) {
  std::vector<std::string> names;
  for (const SchemaEntry& entry : manifest_schema()) {
    std::string_view key = entry.key;
    if (!schema_key.empty()) {
      if (!key.starts_with(schema_key) || key.size() <= schema_key.size() ||
          key[schema_key.size()] != '.')
        continue;
      key.remove_prefix(schema_key.size() + 1);
    }
    if (key.find_first_of(".[") == std::string_view::npos) names.emplace_back(key);
  }
  if (schema_key.empty()) names.emplace_back("schema");
  if (keys)
    for (std::string& name : keys->names_under(schema_key)) names.push_back(std::move(name));
  return names;
}

class SchemaChecker {
 public:
  SchemaChecker(const toml::table& doc, const std::string& path,
                std::shared_ptr<const ParsedSchedule>* windows, const PackKeys* keys)
      : m_doc(doc), m_path(path), m_windows(windows), m_keys(keys) {}

  std::vector<SchemaProblem> run() {
    for (const SchemaEntry& entry : manifest_schema()) {
      if (!entry.required || entry.key.find('[') != std::string_view::npos) continue;
      if (!lookup(m_doc, entry.key)) missing(entry.key, nearest_parent(m_doc, entry.key));
    }
    for (const auto& [key, node] : m_doc) {
      std::string name(key.str());
      if (name == "schema") continue;
      if (const SchemaEntry* entry = find_schema_entry(name)) {
        check_value(*entry, name, name, node);
        continue;
      }
      // Unknown top-level tables belong to the team (rules may read them); stray values don't.
      if (check_pack_key(name, name, node, false)) continue;
      if (node.is_table() || node.is_array_of_tables())
        near_schema_table(name, key, node);
      else
        unknown(name, "", key);
    }
    check_windows();
    return std::move(m_problems);
  }

 private:
  void add(std::string message, SourcePos where, bool warning = false) {
    m_problems.push_back({std::move(message), std::move(where), warning});
  }

  void missing(std::string_view key, const toml::node* parent) {
    add(trf("{} is missing; it is required", key),
        parent ? position_of(*parent, m_path) : SourcePos{m_path});
  }

  // `parent` is the schema key of the table holding `key` ("" at the top level).
  void unknown(const std::string& shown, std::string_view parent, const toml::key& key) {
    auto guess = closest_match(key.str(), names_under(parent, m_keys));
    add(guess ? trf("{} is not a key of schema 1 (did you mean {}?)", shown, *guess)
              : trf("{} is not a key of schema 1 (check its spelling)", shown),
        position_of(key, m_path));
  }

  // A table of the team's own whose name is a typo away from one of the schema's: a warning,
  // since what it holds would silently go unread.
  void near_schema_table(const std::string& name, const toml::key& key, const toml::node& node) {
    ClosestMatch match(name);
    for (const SchemaEntry& entry : manifest_schema())
      if (entry.key.find_first_of(".[") == std::string_view::npos) match.consider(entry.key);
    if (m_keys)
      for (const std::string& table : m_keys->names_under("")) match.consider(table);
    if (!match.best()) return;
    const SchemaEntry* entry = find_schema_entry(*match.best());
    const bool many = entry && entry->kind == ValueKind::table_array;
    add(trf("{} is not a table of schema 1; did you mean {}? (a table of your own stays allowed: "
            "rename it, or have a rule pack declare it)",
            node.is_array_of_tables() ? "[[" + name + "]]" : "[" + name + "]",
            many ? "[[" + *match.best() + "]]" : "[" + *match.best() + "]"),
        position_of(key, m_path), true);
  }

  void wrong(const SchemaEntry& entry, const std::string& shown, const toml::node& node,
             std::string_view detail = {}) {
    std::string required(detail.empty() ? value_kind_name(entry.kind) : detail);
    add(trf("{} is {}; {} is required", shown, describe_value(node), required),
        position_of(node, m_path));
  }

  // A key the loaded packs know: declared (its type is checked), read by a rule (any value), or
  // a table on the way to one (its keys are checked in turn; under a schema table, `strict`,
  // an unknown one is a problem). False when the packs do not know `path`.
  bool check_pack_key(const std::string& path, const std::string& shown, const toml::node& node,
                      bool strict) {
    if (!m_keys) return false;
    if (const DeclaredKey* declared = m_keys->find(path)) {
      if (!has_declared_type(node, declared->type))
        add(trf("{} is {}; {} is required (declared by pack {})", shown, describe_value(node),
                declared_type_name(declared->type), declared->pack),
            position_of(node, m_path));
      else if (const toml::table* table = node.as_table())
        check_children(path, shown, *table, false);
      return true;
    }
    const bool read = m_keys->reads(path);
    if (m_keys->holds_keys_under(path)) {
      if (const toml::table* table = node.as_table())
        check_children(path, shown, *table, strict && !read);
      else if (!read)
        add(trf("{} is {}; a table is required (the loaded rule packs read keys inside it)", shown,
                describe_value(node)),
            position_of(node, m_path));
      return true;
    }
    return read;
  }

  // `schema_key` names the entry ("waiver[].rule"), `shown` the key in messages ("waiver[2].rule").
  void check_value(const SchemaEntry& entry, const std::string& schema_key,
                   const std::string& shown, const toml::node& node) {
    switch (entry.kind) {
      case ValueKind::string:
        if (!node.is_string()) return wrong(entry, shown, node);
        if (!entry.allowed.empty() && !is_allowed(entry.allowed, node.as_string()->get()))
          return wrong(entry, shown, node, trf("one of {}", join_allowed(entry.allowed)));
        if (entry.required && node.as_string()->get().empty())
          return wrong(entry, shown, node, tr("a non-empty string"));
        return;
      case ValueKind::integer:
        if (!node.is_integer()) return wrong(entry, shown, node);
        if (node.as_integer()->get() < entry.min)
          return wrong(entry, shown, node, trf("at least {}", entry.min));
        return;
      case ValueKind::number:
        if (!node.is_number()) return wrong(entry, shown, node);
        return;
      case ValueKind::boolean:
        if (!node.is_boolean()) return wrong(entry, shown, node);
        return;
      case ValueKind::date:
        if (!node.is_date()) return wrong(entry, shown, node);
        return;
      case ValueKind::datetime:
        if (!node.is_date_time()) return wrong(entry, shown, node);
        return;
      case ValueKind::clock:
        if (!node.is_string() || !is_clock(node.as_string()->get()))
          return wrong(entry, shown, node, tr("a time \"HH:MM\" between 00:00 and 23:59"));
        return;
      case ValueKind::string_array: {
        const toml::array* array = node.as_array();
        if (!array) return wrong(entry, shown, node);
        for (const toml::node& item : *array) {
          if (!item.is_string()) return wrong(entry, shown, item, tr("a string in this array"));
          if (!entry.allowed.empty() && !is_allowed(entry.allowed, item.as_string()->get()))
            return wrong(entry, shown, item, trf("one of {}", join_allowed(entry.allowed)));
        }
        return;
      }
      case ValueKind::table:
        if (!node.is_table()) return wrong(entry, shown, node);
        // Free-form, but the keys packs declare inside it have their types.
        check_children(schema_key, shown, *node.as_table(), false);
        return;
      case ValueKind::section:
        if (!node.is_table()) return wrong(entry, shown, node);
        check_children(schema_key, shown, *node.as_table(), true);
        return;
      case ValueKind::table_array: {
        const toml::array* array = node.as_array();
        if (!array || !array->is_array_of_tables()) return wrong(entry, shown, node);
        std::size_t index = 0;
        for (const toml::node& item : *array) {
          ++index;
          std::string item_key = schema_key + "[]";
          std::string item_shown = fmt::format("{}[{}]", shown, index);
          for (const SchemaEntry& child : manifest_schema()) {
            if (!child.required || !child.key.starts_with(item_key + ".")) continue;
            std::string_view child_name = child.key.substr(item_key.size() + 1);
            if (!item.as_table()->contains(child_name))
              add(trf("{}.{} is missing; it is required", item_shown, child_name),
                  position_of(item, m_path));
          }
          check_children(item_key, item_shown, *item.as_table(), true);
        }
        return;
      }
    }
  }

  // The keys of a table: schema 1's, then the packs'; with `strict`, any other is a problem.
  void check_children(const std::string& schema_key, const std::string& shown,
                      const toml::table& table, bool strict) {
    for (const auto& [key, child] : table) {
      std::string child_key = schema_key + "." + std::string(key.str());
      std::string child_shown = shown + "." + std::string(key.str());
      if (const SchemaEntry* entry = find_schema_entry(child_key)) {
        check_value(*entry, child_key, child_shown, child);
        continue;
      }
      if (check_pack_key(child_key, child_shown, child, strict)) continue;
      if (strict) unknown(child_shown, schema_key, key);
    }
  }

  // Cross-key checks the table cannot express: window forms, crons, durations, from before
  // to, and the timezone (looked up only when windows are declared). A problem the per-key
  // checks already reported at the same position is not repeated.
  void check_windows() {
    const toml::table* windows = m_doc["release_window"].as_table();
    if (!windows) return;
    std::vector<SchemaProblem> found;
    Schedule schedule = parse_schedule(*windows, "release_window", m_path, found);
    if (m_windows)
      *m_windows =
          std::make_shared<const ParsedSchedule>(ParsedSchedule{std::move(schedule), found});
    std::size_t reported = m_problems.size();
    for (SchemaProblem& problem : found) {
      auto same_place = [&](const SchemaProblem& other) {
        return other.where.line == problem.where.line && other.where.column == problem.where.column;
      };
      if (std::none_of(m_problems.begin(), m_problems.begin() + reported, same_place))
        m_problems.push_back(std::move(problem));
    }
  }

  const toml::table& m_doc;
  const std::string& m_path;
  std::shared_ptr<const ParsedSchedule>* m_windows;
  const PackKeys* m_keys;
  std::vector<SchemaProblem> m_problems;
};

}  // namespace

std::vector<SchemaProblem> check_schema(const toml::table& doc, const std::string& path,
                                        std::shared_ptr<const ParsedSchedule>* windows,
                                        const PackKeys* keys) {
  return SchemaChecker(doc, path, windows, keys).run();
}

namespace {

// Every GATE-SCHEMA problem of a manifest: a missing `schema`, then check_schema's.
std::vector<SchemaProblem> manifest_problems(const toml::table& doc, const std::string& path,
                                             std::shared_ptr<const ParsedSchedule>* windows,
                                             const PackKeys* keys) {
  std::vector<SchemaProblem> problems;
  if (!doc.contains("schema"))
    problems.push_back(
        {trf("schema is missing; add `schema = {}` at the top", k_manifest_schema_version),
         SourcePos{path, 1, 1}});
  auto found = check_schema(doc, path, windows, keys);
  problems.insert(problems.end(), std::make_move_iterator(found.begin()),
                  std::make_move_iterator(found.end()));
  return problems;
}

}  // namespace

Expected<Manifest> parse_manifest(std::string_view text, std::string path, std::string blob,
                                  const PackKeys* keys) {
  if (std::string too_big = oversize_message(tr("the file"), text.size()); !too_big.empty())
    return fail(ErrorKind::invalid, too_big, SourcePos{path});
  auto doc = parse_toml(text, path);
  if (!doc) return std::unexpected(doc.error());
  Manifest manifest;
  manifest.dir = parent_dir(path);
  manifest.path = std::move(path);
  manifest.blob = std::move(blob);
  manifest.doc = std::move(*doc);

  if (const toml::node* schema = manifest.doc.get("schema")) {
    // An integer: toml++ would read 1.0 or "1"-like values as 1 too.
    if (!schema->is_integer() || schema->value<std::int64_t>() != k_manifest_schema_version)
      return fail(ErrorKind::invalid,
                  trf("unsupported schema {}; this opsgate reads schema {}",
                      describe_value(*schema), k_manifest_schema_version),
                  position_of(*schema, manifest.path));
  }
  manifest.problems =
      manifest_problems(manifest.doc, manifest.path, &manifest.release_window, keys);
  // GATE-SCHEMA findings keep their English (their fingerprints read it): the same checks
  // again in English, only when something is wrong and the language is another.
  if (!manifest.problems.empty() && language() != Lang::en) {
    LanguageScope english(Lang::en);
    std::vector<SchemaProblem> in_english =
        manifest_problems(manifest.doc, manifest.path, nullptr, keys);
    if (in_english.size() == manifest.problems.size())
      for (std::size_t i = 0; i < in_english.size(); ++i)
        manifest.problems[i].english = std::move(in_english[i].message);
  }
  return manifest;
}

}  // namespace opsgate
