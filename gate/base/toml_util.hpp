#pragma once
// Small helpers over toml++ shared by the manifest, the rule loader and the operators.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "error.hpp"

namespace opsgate {

// The node at dotted `key` ("backup.retention_days") under `root`, or nullptr.
const toml::node* lookup(const toml::table& root, std::string_view key);

// The deepest existing table on the way to `key` (for "X is missing" positions).
const toml::node* nearest_parent(const toml::table& root, std::string_view key);

// "string", "integer", "float", "boolean", "date", "time", "datetime", "array", "table".
std::string_view type_name(const toml::node& node);

// A value as a person reads it in a message: strings quoted, arrays bracketed, dates ISO.
std::string describe_value(const toml::node& node);

// `text` as a JSON string literal, the way nlohmann::json::dump() writes it: quotes, backslashes
// and control characters escaped, UTF-8 kept as is (toml++ gives valid UTF-8 only).
std::string json_quote(std::string_view text);

// Whether two values are equal; integers and floats compare by number.
bool values_equal(const toml::node& a, const toml::node& b);

std::optional<double> as_number(const toml::node& node);

// Where `node` starts in `path`; line 0 when toml++ recorded no position.
SourcePos position_of(const toml::node& node, const std::string& path);
SourcePos position_of(const toml::key& key, const std::string& path);

// Parses `text`; every syntax error is an Error at path:line:column, worded by
// rephrase_toml_error. A document nested deeper than check_toml_nesting() allows is refused
// before toml++ sees it (its parser recurses). The manifest, rule packs, `rules test` cases and
// the hooks' files all come through here.
Expected<toml::table> parse_toml(std::string_view text, const std::string& path);

// toml++'s `description` of a syntax error at `line`:`column` of `text`, reworded where it
// misleads: an unterminated string is "missing closing quote (the string started at 3:8)", not
// "unescaped control characters ... prohibited"; an unclosed array or inline table says where
// it opened; a duplicate key, an impossible date ("February 2026 has 28 days") or a bare word
// where a value goes say so. Any other description is kept, "saw '\n'" said in words.
std::string rephrase_toml_error(std::string_view text, std::string_view description,
                                std::uint32_t line, std::uint32_t column);

// How deep a document may nest: tables and dotted keys, arrays and inline tables together.
constexpr std::size_t k_max_toml_depth = 128;

// Refuses, at the line:column where it happens, a document nested deeper than `limit` levels
// (a [t.t.t...] header of 40,000 parts crashed toml++ 3.3 on its recursion).
Expected<void> check_toml_nesting(std::string_view text, const std::string& path,
                                  std::size_t limit = k_max_toml_depth);

}  // namespace opsgate
