#pragma once
// operability.toml: toml++ parse with source positions, then schema 1 checks. A syntax error
// or an unsupported `schema` is an Error (exit 2); every other problem is a SchemaProblem,
// reported as a failed GATE-SCHEMA finding at the key's position.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "error.hpp"

namespace opsgate {

struct ParsedSchedule;  // window.hpp
struct PackKeys;        // manifest_schema.hpp

constexpr std::string_view k_manifest_file = "operability.toml";

struct Manifest {
  std::string path;  // repository path, e.g. "services/orders/operability.toml"
  std::string dir;   // its directory, "" for the root
  std::string blob;  // git blob id of its content
  toml::table doc;
  std::vector<SchemaProblem> problems;
  // [release_window] as the schema check parsed it (null when absent), for the window
  // operators: a pack asks the same table several times per manifest.
  std::shared_ptr<const ParsedSchedule> release_window;

  std::string service_name() const;         // "" when not declared
  std::optional<std::string> tier() const;  // service.tier when it is a string
};

// `keys`: what the loaded rule packs add to schema 1 (RuleSet::keys); null for schema 1 alone.
Expected<Manifest> parse_manifest(std::string_view text, std::string path, std::string blob,
                                  const PackKeys* keys = nullptr);

// The schema 1 checks alone (exposed for tests and for `rules test`).
// `windows`, when given, receives [release_window] as parsed (null when absent).
std::vector<SchemaProblem> check_schema(const toml::table& doc, const std::string& path,
                                        std::shared_ptr<const ParsedSchedule>* windows = nullptr,
                                        const PackKeys* keys = nullptr);

}  // namespace opsgate
