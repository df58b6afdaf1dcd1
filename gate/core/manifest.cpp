#include "manifest.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "limits.hpp"
#include "manifest_schema.hpp"
#include "paths.hpp"
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

bool is_allowed(std::span<const std::string_view> allowed, std::string_view value) {
  for (std::string_view candidate : allowed)
    if (candidate == value) return true;
  return false;
}

class SchemaChecker {
 public:
  SchemaChecker(const toml::table& doc, const std::string& path,
                std::shared_ptr<const ParsedSchedule>* windows)
      : m_doc(doc), m_path(path), m_windows(windows) {}

  std::vector<SchemaProblem> run() {
    for (const SchemaEntry& entry : manifest_schema()) {
      if (!entry.required || entry.key.find('[') != std::string_view::npos) continue;
      if (!lookup(m_doc, entry.key)) missing(entry.key, nearest_parent(m_doc, entry.key));
    }
    for (const auto& [key, node] : m_doc) {
      std::string name(key.str());
      if (name == "schema") continue;
      const SchemaEntry* entry = find_schema_entry(name);
      if (!entry) {
        // Unknown top-level tables belong to the team (rules may read them); stray values don't.
        if (!node.is_table() && !node.is_array_of_tables()) unknown(name, key);
        continue;
      }
      check_value(*entry, name, name, node);
    }
    check_windows();
    return std::move(m_problems);
  }

 private:
  void add(std::string message, SourcePos where) {
    m_problems.push_back({std::move(message), std::move(where)});
  }

  void missing(std::string_view key, const toml::node* parent) {
    add(fmt::format("{} is missing; it is required", key),
        parent ? position_of(*parent, m_path) : SourcePos{m_path});
  }

  void unknown(const std::string& shown, const toml::key& key) {
    add(fmt::format("{} is not a key of schema 1 (check its spelling)", shown),
        position_of(key, m_path));
  }

  void wrong(const SchemaEntry& entry, const std::string& shown, const toml::node& node,
             std::string_view detail = {}) {
    std::string required(detail.empty() ? value_kind_name(entry.kind) : detail);
    add(fmt::format("{} is {}; {} is required", shown, describe_value(node), required),
        position_of(node, m_path));
  }

  // `schema_key` names the entry ("waiver[].rule"), `shown` the key in messages ("waiver[2].rule").
  void check_value(const SchemaEntry& entry, const std::string& schema_key,
                   const std::string& shown, const toml::node& node) {
    switch (entry.kind) {
      case ValueKind::string:
        if (!node.is_string()) return wrong(entry, shown, node);
        if (!entry.allowed.empty() && !is_allowed(entry.allowed, node.as_string()->get()))
          return wrong(entry, shown, node, "one of " + join_allowed(entry.allowed));
        if (entry.required && node.as_string()->get().empty())
          return wrong(entry, shown, node, "a non-empty string");
        return;
      case ValueKind::integer:
        if (!node.is_integer()) return wrong(entry, shown, node);
        if (node.as_integer()->get() < entry.min)
          return wrong(entry, shown, node, fmt::format("at least {}", entry.min));
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
          return wrong(entry, shown, node, "a time \"HH:MM\" between 00:00 and 23:59");
        return;
      case ValueKind::string_array: {
        const toml::array* array = node.as_array();
        if (!array) return wrong(entry, shown, node);
        for (const toml::node& item : *array) {
          if (!item.is_string()) return wrong(entry, shown, item, "a string in this array");
          if (!entry.allowed.empty() && !is_allowed(entry.allowed, item.as_string()->get()))
            return wrong(entry, shown, item, "one of " + join_allowed(entry.allowed));
        }
        return;
      }
      case ValueKind::table:
        if (!node.is_table()) return wrong(entry, shown, node);
        return;
      case ValueKind::section:
        if (!node.is_table()) return wrong(entry, shown, node);
        check_children(schema_key, shown, *node.as_table());
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
              add(fmt::format("{}.{} is missing; it is required", item_shown, child_name),
                  position_of(item, m_path));
          }
          check_children(item_key, item_shown, *item.as_table());
        }
        return;
      }
    }
  }

  void check_children(const std::string& schema_key, const std::string& shown,
                      const toml::table& table) {
    for (const auto& [key, child] : table) {
      std::string child_key = schema_key + "." + std::string(key.str());
      std::string child_shown = shown + "." + std::string(key.str());
      const SchemaEntry* entry = find_schema_entry(child_key);
      if (!entry) {
        unknown(child_shown, key);
        continue;
      }
      check_value(*entry, child_key, child_shown, child);
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
  std::vector<SchemaProblem> m_problems;
};

}  // namespace

std::vector<SchemaProblem> check_schema(const toml::table& doc, const std::string& path,
                                        std::shared_ptr<const ParsedSchedule>* windows) {
  return SchemaChecker(doc, path, windows).run();
}

Expected<Manifest> parse_manifest(std::string_view text, std::string path, std::string blob) {
  if (std::string too_big = oversize_message("the file", text.size()); !too_big.empty())
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
                  fmt::format("unsupported schema {}; this opsgate reads schema {}",
                              describe_value(*schema), k_manifest_schema_version),
                  position_of(*schema, manifest.path));
  } else {
    manifest.problems.push_back(
        {fmt::format("schema is missing; add `schema = {}` at the top", k_manifest_schema_version),
         SourcePos{manifest.path, 1, 1}});
  }
  auto problems = check_schema(manifest.doc, manifest.path, &manifest.release_window);
  manifest.problems.insert(manifest.problems.end(), problems.begin(), problems.end());
  return manifest;
}

}  // namespace opsgate
