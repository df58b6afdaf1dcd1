#include "manifest_json_schema.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <vector>

#include "manifest_schema.hpp"

namespace opsgate {

namespace {

using Json = nlohmann::ordered_json;

// JSON has no dates: taplo hands a TOML date to the validator as its text, so a quoted string of
// the same shape passes here. The gate refuses it (GATE-SCHEMA); the descriptions say so.
constexpr std::string_view k_date_pattern = R"(^\d{4}-\d{2}-\d{2}$)";
constexpr std::string_view k_datetime_pattern =
    R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?$)";
constexpr std::string_view k_clock_pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$";
constexpr std::string_view k_date_note =
    "A TOML date, unquoted: 2026-10-02. JSON Schema has no date type, so an editor accepts a "
    "quoted \"2026-10-02\" too; `opsgate check` does not (GATE-SCHEMA).";
constexpr std::string_view k_datetime_note =
    "A TOML date-time, unquoted: local (2026-12-18T00:00:00) or with an offset "
    "(2026-12-18T00:00:00+01:00). JSON Schema has no date type, so an editor accepts a quoted "
    "string too; `opsgate check` does not (GATE-SCHEMA).";

std::string sentence(std::string_view text) {
  std::string out(text);
  if (!out.empty() && out.front() >= 'a' && out.front() <= 'z') out.front() -= 'a' - 'A';
  if (!out.empty() && out.back() != '.' && out.back() != '?') out += '.';
  return out;
}

std::string described(std::string_view description, std::string_view note) {
  std::string out = sentence(description);
  if (!note.empty()) out += (out.empty() ? "" : " ") + std::string(note);
  return out;
}

Json strict_object(std::string description) {
  return Json{{"type", "object"},
              {"description", std::move(description)},
              {"properties", Json::object()},
              {"additionalProperties", false}};
}

Json entry_schema(const SchemaEntry& entry) {
  Json allowed = Json::array();
  for (std::string_view value : entry.allowed) allowed.push_back(value);
  switch (entry.kind) {
    case ValueKind::string: {
      Json out{{"type", "string"}, {"description", described(entry.description, "")}};
      if (!allowed.empty()) out["enum"] = allowed;
      if (entry.required) out["minLength"] = 1;
      return out;
    }
    case ValueKind::integer:
      return Json{{"type", "integer"},
                  {"description", described(entry.description, "")},
                  {"minimum", entry.min}};
    case ValueKind::number:
      return Json{{"type", "number"}, {"description", described(entry.description, "")}};
    case ValueKind::boolean:
      return Json{{"type", "boolean"}, {"description", described(entry.description, "")}};
    case ValueKind::date:
      return Json{{"type", "string"},
                  {"description", described(entry.description, k_date_note)},
                  {"pattern", k_date_pattern}};
    case ValueKind::datetime:
      return Json{{"type", "string"},
                  {"description", described(entry.description, k_datetime_note)},
                  {"pattern", k_datetime_pattern}};
    case ValueKind::clock:
      return Json{{"type", "string"},
                  {"description", described(entry.description, "A time \"HH:MM\", quoted.")},
                  {"pattern", k_clock_pattern}};
    case ValueKind::string_array: {
      Json items{{"type", "string"}};
      if (!allowed.empty()) items["enum"] = allowed;
      return Json{{"type", "array"},
                  {"description", described(entry.description, "")},
                  {"items", std::move(items)}};
    }
    case ValueKind::table:
      return Json{{"type", "object"}, {"description", described(entry.description, "")}};
    case ValueKind::section:
      return strict_object(described(entry.description, ""));
    case ValueKind::table_array:
      return Json{{"type", "array"},
                  {"description", described(entry.description, "")},
                  {"items", strict_object(described(entry.description, ""))}};
  }
  return Json::object();
}

Json declared_schema(const DeclaredKey& key) {
  std::string by = fmt::format("(Declared by pack {}.)", key.pack);
  std::string description = sentence(key.description);
  auto with = [&](std::string_view note) {
    std::string out = description;
    for (std::string_view part : {note, std::string_view(by)})
      if (!part.empty()) out += (out.empty() ? "" : " ") + std::string(part);
    return out;
  };
  const std::string& type = key.type;
  if (type == "date")
    return Json{
        {"type", "string"}, {"description", with(k_date_note)}, {"pattern", k_date_pattern}};
  if (type == "datetime")
    return Json{{"type", "string"},
                {"description", with(k_datetime_note)},
                {"pattern", k_datetime_pattern}};
  if (type == "float")
    return Json{{"type", "number"},
                {"description", with("A float, written with a decimal point (99.0, not 99).")}};
  if (type == "table") return Json{{"type", "object"}, {"description", with("")}};
  return Json{{"type", type == "number" ? std::string("number") : type}, {"description", with("")}};
}

// The schema of the table at dotted `path` ("" the document, "release_window.allow[]" the
// entries of [[release_window.allow]]), tables on the way created when `create`: strict under a
// strict table, as the gate checks them, free-form elsewhere. Null when absent and not created.
Json* table_at(Json& root, std::string_view path, bool create) {
  Json* node = &root;
  while (!path.empty()) {
    std::size_t dot = path.find('.');
    std::string_view part = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    const bool items = part.ends_with("[]");
    if (items) part.remove_suffix(2);
    const bool strict = node->value("additionalProperties", Json(true)) == Json(false);
    Json& properties = (*node)["properties"];
    if (!properties.contains(part)) {
      if (!create) return nullptr;
      properties[std::string(part)] =
          strict ? strict_object("A table the loaded rule packs read keys from.")
                 : Json{{"type", "object"}};
    }
    node = &properties[std::string(part)];
    if (items) node = &(*node)["items"];
  }
  return node;
}

std::pair<std::string_view, std::string_view> split_last(std::string_view path) {
  std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos) return {"", path};
  return {path.substr(0, dot), path.substr(dot + 1)};
}

}  // namespace

std::string manifest_json_schema(const RuleSet& rules) {
  std::vector<std::string> packs;
  for (const Pack& pack : rules.packs)
    packs.push_back(pack.version.empty() ? pack.name : pack.name + " " + pack.version);
  Json root{
      {"$schema", "http://json-schema.org/draft-07/schema#"},
      {"$comment",
       fmt::format("Written by `opsgate schema` for the rule packs {}. Point Even Better TOML or "
                   "taplo at it (docs/manifest.md, \"Editors\").",
                   fmt::join(packs, ", "))},
      {"title", "operability.toml"},
      {"description",
       "What ops needs to run a service, checked by opsgate (schema 1). Dates must be unquoted "
       "TOML dates; opsgate check verifies them, this schema cannot tell a quoted one apart."},
      {"type", "object"},
      {"required", Json::array({"schema"})},  // and service, from the table below
      {"properties", Json{{"schema", Json{{"type", "integer"},
                                          {"const", k_manifest_schema_version},
                                          {"description", sentence(k_schema_key_description)}}}}},
      // Tables of the team's own are kept and readable by rules; stray values are problems.
      {"additionalProperties",
       Json{
           {"description", "A table of your own: kept as written and readable by rules."},
           {"anyOf", Json::array({Json{{"type", "object"}},
                                  Json{{"type", "array"}, {"items", Json{{"type", "object"}}}}})}}},
  };
  for (const SchemaEntry& entry : manifest_schema()) {
    auto [parent, name] = split_last(entry.key);
    Json* table = table_at(root, parent, false);
    if (!table) continue;  // every parent precedes its keys in the table
    (*table)["properties"][std::string(name)] = entry_schema(entry);
    if (entry.required) (*table)["required"].push_back(name);
    if (!entry.needs.empty())
      (*table)["dependencies"][std::string(name)] = Json::array({entry.needs});
  }
  for (const DeclaredKey& key : rules.keys.declared) {  // sorted: a table before its keys
    auto [parent, name] = split_last(key.path);
    Json& slot = (*table_at(root, parent, true))["properties"][std::string(name)];
    Json declared = declared_schema(key);
    if (slot.is_object() && slot.contains("properties"))
      declared["properties"] = slot["properties"];
    slot = std::move(declared);
  }
  for (const UndeclaredRead& key : rules.keys.read) {
    auto [parent, name] = split_last(key.path);
    Json& properties = (*table_at(root, parent, true))["properties"];
    std::string read_by =
        fmt::format("Read by rule {}; its pack does not declare the key's type.", key.rule);
    if (!properties.contains(name)) {
      properties[std::string(name)] = Json{{"description", read_by}};
    } else if (!rules.keys.find(key.path)) {
      // A table created on the way to a declared key: a read makes its content free, as the
      // gate takes it.
      properties[std::string(name)].erase("additionalProperties");
      properties[std::string(name)]["description"] = read_by;
    }
  }
  return root.dump(2) + "\n";
}

}  // namespace opsgate
