#include "references.hpp"

#include <algorithm>

#include "paths.hpp"
#include "toml_util.hpp"

namespace opsgate {

namespace {

// Applies `visit` to each string of a value that is a string or an array of them.
template <typename Visit>
void each_string(const toml::node* value, Visit&& visit) {
  if (!value) return;
  if (const toml::array* array = value->as_array()) {
    for (const toml::node& item : *array)
      if (const auto* text = item.as_string()) visit(text->get());
  } else if (const auto* text = value->as_string()) {
    visit(text->get());
  }
}

}  // namespace

bool reads_file(OpKind kind) {
  return kind == OpKind::path_exists || kind == OpKind::executable ||
         kind == OpKind::has_sections || kind == OpKind::changed_within_days;
}

bool checks_files(const Condition& condition) {
  return std::any_of(condition.ops.begin(), condition.ops.end(), [](const Operator& op) {
    return op.kind == OpKind::path_exists || op.kind == OpKind::executable ||
           op.kind == OpKind::has_sections;
  });
}

std::vector<std::string> referenced_paths(const Manifest& manifest, const toml::node* value) {
  std::vector<std::string> out;
  each_string(value, [&](const std::string& item) {
    PathRef ref = split_anchor(item);
    if (ref.path.empty()) return;
    if (auto path = resolve_manifest_path(manifest.dir, ref.path)) out.push_back(*path);
  });
  return out;
}

std::vector<std::string> reference_candidates(const Manifest& manifest, const RuleSet& rules) {
  std::vector<std::string> keys;
  for (const Rule& rule : rules.rules)
    for (const auto* conditions : {&rule.when, &rule.check})
      for (const Condition& condition : *conditions)
        if (std::any_of(condition.ops.begin(), condition.ops.end(),
                        [](const Operator& op) { return reads_file(op.kind); }))
          keys.push_back(condition.key);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

  std::vector<std::string> out;
  for (const std::string& key : keys)
    each_string(lookup(manifest.doc, key), [&](const std::string& item) {
      for (std::size_t end = item.size(); end != std::string::npos && end > 0;
           end = item.rfind('#', end - 1))
        if (auto path = resolve_manifest_path(manifest.dir, std::string_view(item).substr(0, end)))
          out.push_back(std::move(*path));
    });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<std::vector<std::string>> outside_strings(std::string_view text) {
  if (text.find('\\') != std::string_view::npos || text.find("\"\"\"") != std::string_view::npos ||
      text.find("'''") != std::string_view::npos)
    return std::nullopt;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '#') {  // a comment, to the end of the line
      i = text.find('\n', i);
      if (i == std::string_view::npos) break;
    } else if (c == '"' || c == '\'') {
      const std::size_t end = text.find_first_of(c == '"' ? "\"\n\r" : "'\n\r", i + 1);
      if (end == std::string_view::npos || text[end] != c) return std::nullopt;
      const std::string_view value = text.substr(i + 1, end - i - 1);
      if (value.starts_with('/') || value.find("..") != std::string_view::npos)
        out.emplace_back(value);
      i = end;
    }
  }
  return out;
}

}  // namespace opsgate
