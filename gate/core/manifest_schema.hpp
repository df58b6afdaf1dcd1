#pragma once
// Schema 1 of operability.toml as data: one table feeds the GATE-SCHEMA checks (manifest.cpp),
// the starter manifest of `opsgate init` and the JSON Schema of `opsgate schema`. Its
// descriptions are docs/manifest.md's wording (tests/unit/manifest_schema_test.cpp compares).
// Rule packs add keys to it (PackKeys).

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "error.hpp"

namespace opsgate {

enum class ValueKind {
  string,
  integer,
  number,  // integer or float
  boolean,
  date,
  datetime,  // local or offset date-time
  clock,     // "HH:MM" wall-clock string
  string_array,
  table,        // a free-form table (e.g. monitoring.slo)
  section,      // a known table whose keys are listed in the schema
  table_array,  // [[...]] whose element keys are listed as "key[].child"
};

// The values schema 1 allows for service.tier and in the release window's day lists; rule files
// that name tiers or days are checked against the same lists.
inline constexpr std::array<std::string_view, 4> k_schema_tiers = {"critical", "high", "medium",
                                                                   "low"};
inline constexpr std::array<std::string_view, 7> k_schema_days = {"mon", "tue", "wed", "thu",
                                                                  "fri", "sat", "sun"};

struct SchemaEntry {
  std::string_view key;  // dotted; "release_window.allow[].days" for elements of [[...]]
  ValueKind kind;
  std::span<const std::string_view> allowed = {};  // enumeration, when not empty
  bool required = false;
  std::string_view example = {};      // a TOML value for the starter manifest
  std::string_view comment = {};      // the starter manifest's short note
  long min = 0;                       // lower bound for integers and numbers
  std::string_view description = {};  // what the key means, as docs/manifest.md says it
  // A sibling key this one needs (`cron` needs `duration`). Told to editors through the JSON
  // Schema; the gate's own window checks (window.cpp) say the same in their messages.
  std::string_view needs = {};
};

constexpr int k_manifest_schema_version = 1;
constexpr std::string_view k_schema_key_description =
    "the manifest schema version; must be `1` (anything else is exit 2)";

std::span<const SchemaEntry> manifest_schema();

// The entry of `key` (with "[]" for elements of table arrays), or nullptr.
const SchemaEntry* find_schema_entry(std::string_view key);

// "a string", "an integer", ... in the thread's language.
std::string_view value_kind_name(ValueKind kind);

// The names a pack's [[key]] `type` takes: the `type` operator's.
constexpr std::string_view k_declared_types[] = {"string", "integer",  "float", "number", "boolean",
                                                 "date",   "datetime", "array", "table"};
bool is_declared_type(std::string_view type);
// Whether `node` is of declared `type` ("number": an integer or a float).
bool has_declared_type(const toml::node& node, std::string_view type);

// A manifest key a rule pack declares: `[[key]] path = "rollback.script", type = "string"`.
struct DeclaredKey {
  std::string path;  // dotted
  std::string type;  // one of k_declared_types
  std::string description;
  std::string pack;  // the declaring pack's name
  SourcePos where;   // the [[key]] entry
};

// A manifest key a loaded rule reads (`check` or `when`) that neither schema 1 nor a loaded pack
// declares.
struct UndeclaredRead {
  std::string path;
  std::string rule;  // the first rule reading it
  SourcePos where;   // its condition
};

// What the loaded packs add to schema 1. GATE-SCHEMA accepts a declared key where its type
// holds, and any value of a key a rule reads; the tables on the way to either are known tables.
struct PackKeys {
  std::vector<DeclaredKey> declared;  // sorted by path
  std::vector<UndeclaredRead> read;   // sorted by path

  const DeclaredKey* find(std::string_view path) const;
  bool reads(std::string_view path) const;
  // Whether a declared or read key lies under `path` ("backup.encryption" for
  // "backup.encryption.cipher").
  bool holds_keys_under(std::string_view path) const;
  // The names of the keys declared or read directly under `path` ("" for the top level).
  std::vector<std::string> names_under(std::string_view path) const;
  bool empty() const { return declared.empty() && read.empty(); }
};

// Why a pack cannot declare `path` (a key of schema 1, a key inside a value of schema 1, inside
// [[waiver]] entries), or nullopt when it can.
std::optional<std::string> declaration_problem(std::string_view path);

}  // namespace opsgate
