#pragma once
// Schema 1 of operability.toml as data: one table feeds both the GATE-SCHEMA checks
// (manifest.cpp) and the starter manifest of `opsgate init`.

#include <span>
#include <string_view>

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

struct SchemaEntry {
  std::string_view key;  // dotted; "release_window.allow[].days" for elements of [[...]]
  ValueKind kind;
  std::span<const std::string_view> allowed = {};  // enumeration, when not empty
  bool required = false;
  std::string_view example = {};  // a TOML value for the starter manifest
  std::string_view comment = {};
  long min = 0;  // lower bound for integers and numbers
};

constexpr int k_manifest_schema_version = 1;

std::span<const SchemaEntry> manifest_schema();

// The entry of `key` (with "[]" for elements of table arrays), or nullptr.
const SchemaEntry* find_schema_entry(std::string_view key);

std::string_view value_kind_name(ValueKind kind);  // "a string", "an integer", ...

}  // namespace opsgate
