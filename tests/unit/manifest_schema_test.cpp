#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "manifest_schema.hpp"

namespace manifest_schema_test {

using namespace opsgate;

namespace {

// docs/manifest.md as "heading -> its text", markdown links reduced to their text and bold
// marks dropped, so a description compares with what a reader sees.
std::map<std::string, std::string> manifest_doc_sections() {
  std::ifstream in(std::string(OPSGATE_DOCS_DIR) + "/manifest.md");
  REQUIRE(in);
  std::map<std::string, std::string> sections;
  std::string heading, line;
  static const std::regex link(R"(\[([^\]]*)\]\([^)]*\))");
  while (std::getline(in, line)) {
    if (line.starts_with("#")) {
      heading = line.substr(line.find(' ') + 1);
      continue;
    }
    line = std::regex_replace(line, link, "$1");
    for (std::size_t bold = line.find("**"); bold != std::string::npos; bold = line.find("**"))
      line.erase(bold, 2);
    sections[heading] += line + "\n";
  }
  return sections;
}

// The heading of the section documenting the table `key` ("backup", "release_window.allow[]").
std::string heading_of(std::string_view key) {
  if (key.ends_with("[]")) return "`[[" + std::string(key.substr(0, key.size() - 2)) + "]]`";
  return "`[" + std::string(key) + "]`";
}

}  // namespace

TEST_CASE("schema: every description is docs/manifest.md's wording", "[schema]") {
  auto sections = manifest_doc_sections();
  for (const SchemaEntry& entry : manifest_schema()) {
    INFO(entry.key);
    CHECK_FALSE(entry.description.empty());
    std::string_view key = entry.key;
    std::string text;
    if (entry.kind == ValueKind::section ||
        (entry.kind == ValueKind::table_array && key.find('.') == std::string_view::npos)) {
      // A table: the paragraph under its heading.
      auto section = sections.find(
          heading_of(entry.kind == ValueKind::section ? key : std::string(key) + "[]"));
      REQUIRE(section != sections.end());
      text = section->second.substr(0, section->second.find("\n|"));
    } else {
      // A key: its row in its table's section.
      std::size_t dot = key.rfind('.');
      auto section = sections.find(heading_of(key.substr(0, dot)));
      REQUIRE(section != sections.end());
      std::string row_start = "\n| `" + std::string(key.substr(dot + 1)) + "` |";
      std::size_t row = section->second.find(row_start);
      REQUIRE(row != std::string::npos);
      text = section->second.substr(row + 1, section->second.find('\n', row + 1) - row - 1);
    }
    std::string flat = std::regex_replace(text, std::regex("\\s+"), " ");
    CHECK_THAT(flat, Catch::Contains(std::string(entry.description)));
  }
  CHECK_THAT(sections["Top level"], Catch::Contains(std::string(k_schema_key_description)));
}

TEST_CASE("schema: a sibling a key needs is a key of the same table", "[schema]") {
  for (const SchemaEntry& entry : manifest_schema()) {
    if (entry.needs.empty()) continue;
    INFO(entry.key);
    std::string_view key = entry.key;
    std::string sibling = std::string(key.substr(0, key.rfind('.') + 1)) + std::string(entry.needs);
    CHECK(find_schema_entry(sibling));
  }
}

TEST_CASE("schema: where a pack may declare a key", "[schema]") {
  CHECK_FALSE(declaration_problem("backup.encryption"));
  CHECK_FALSE(declaration_problem("rollback.script"));
  CHECK_FALSE(declaration_problem("monitoring.slo.latency_ms"));  // free-form
  CHECK_FALSE(declaration_problem("security.pentest_date"));      // a table of its own
  CHECK_FALSE(declaration_problem("cost_center"));
  CHECK(declaration_problem("backup.retention_days"));
  CHECK(declaration_problem("service"));
  CHECK(declaration_problem("backup.procedure.anchor"));
  CHECK(declaration_problem("release_window.allow.name"));
  CHECK(declaration_problem("schema"));
}

TEST_CASE("schema: declared types are the type operator's", "[schema]") {
  auto doc = toml::parse(
      "s = \"x\"\ni = 1\nf = 1.5\nd = 2026-01-01\nt = 2026-01-01T10:00:00\n"
      "a = []\nb = true\n[table]\n");
  CHECK(has_declared_type(*doc.get("s"), "string"));
  CHECK(has_declared_type(*doc.get("i"), "integer"));
  CHECK(has_declared_type(*doc.get("i"), "number"));
  CHECK_FALSE(has_declared_type(*doc.get("i"), "float"));
  CHECK(has_declared_type(*doc.get("f"), "float"));
  CHECK(has_declared_type(*doc.get("f"), "number"));
  CHECK(has_declared_type(*doc.get("d"), "date"));
  CHECK_FALSE(has_declared_type(*doc.get("d"), "datetime"));
  CHECK(has_declared_type(*doc.get("t"), "datetime"));
  CHECK(has_declared_type(*doc.get("a"), "array"));
  CHECK(has_declared_type(*doc.get("b"), "boolean"));
  CHECK(has_declared_type(*doc.get("table"), "table"));
  CHECK(is_declared_type("datetime"));
  CHECK_FALSE(is_declared_type("text"));
}

TEST_CASE("schema: the names of the packs' keys under a table", "[schema]") {
  PackKeys keys;
  keys.declared = {{"backup.encryption.cipher", "string", "", "acme", {}},
                   {"security.pentest_date", "date", "", "acme", {}}};
  keys.read = {{"backup.vault", "ACME-001", {}}, {"rollback.script", "ACME-002", {}}};
  CHECK(keys.names_under("backup") == std::vector<std::string>{"encryption", "vault"});
  CHECK(keys.names_under("") == std::vector<std::string>{"backup", "security", "rollback"});
  CHECK(keys.holds_keys_under("backup.encryption"));
  CHECK_FALSE(keys.holds_keys_under("backup.encryption.cipher"));
  CHECK_FALSE(keys.holds_keys_under("backup.enc"));
  CHECK(keys.find("security.pentest_date"));
  CHECK_FALSE(keys.find("security"));
}

}  // namespace manifest_schema_test
