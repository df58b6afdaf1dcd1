#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gate_fixtures.hpp"
#include "manifest_json_schema.hpp"

namespace manifest_json_schema_test {

using namespace opsgate;
using nlohmann::json;
using opsgate::test::rules_from;

namespace {

constexpr const char* k_rule =
    "[pack]\n"
    "name = \"acme\"\n"
    "version = \"2.0.0\"\n"
    "[[rule]]\n"
    "id = \"ACME-001\"\n"
    "area = \"backup\"\n"
    "title = \"Backups are encrypted\"\n"
    "severity = \"error\"\n"
    "level = 2\n"
    "check = [ { key = \"backup.encryption.cipher\", present = true },\n"
    "          { key = \"rollback.script\", present = true } ]\n";

json schema_of(const std::string& keys) {
  return json::parse(manifest_json_schema(rules_from(k_rule + keys)));
}

}  // namespace

TEST_CASE("json schema: draft-07, schema 1's tables and keys", "[json-schema]") {
  json schema = schema_of("");
  CHECK(schema["$schema"] == "http://json-schema.org/draft-07/schema#");
  CHECK(schema["required"] == json::array({"schema", "service"}));
  CHECK(schema["properties"]["schema"]["const"] == 1);
  const json& service = schema["properties"]["service"];
  CHECK(service["type"] == "object");
  CHECK(service["additionalProperties"] == false);
  CHECK(service["required"] == json::array({"name", "owner"}));
  CHECK(service["properties"]["name"]["minLength"] == 1);
  CHECK(service["properties"]["tier"]["enum"] ==
        json::array({"critical", "high", "medium", "low"}));
  CHECK(service["properties"]["tier"]["description"] ==
        "How critical the service is; rules filter on it with `tiers`.");
  CHECK(schema["properties"]["backup"]["properties"]["retention_days"]["minimum"] == 0);
  // Tables of the team's own stay allowed, stray values not.
  CHECK(schema["additionalProperties"]["anyOf"].size() == 2);
  CHECK(schema["$comment"].get<std::string>().find("acme 2.0.0") != std::string::npos);
}

TEST_CASE("json schema: dates are patterns, with a word on quoting", "[json-schema]") {
  json schema = schema_of("");
  const json& restore = schema["properties"]["backup"]["properties"]["last_restore_test"];
  CHECK(restore["type"] == "string");
  CHECK(restore["pattern"] == R"(^\d{4}-\d{2}-\d{2}$)");
  CHECK_THAT(restore["description"].get<std::string>(), Catch::Contains("unquoted"));
  const json& from =
      schema["properties"]["release_window"]["properties"]["deny"]["items"]["properties"]["from"];
  CHECK_THAT(from["description"].get<std::string>(), Catch::Contains("unquoted"));
  CHECK(schema["properties"]["release_window"]["properties"]["allow"]["items"]["properties"]
              ["start"]["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9]$");
}

TEST_CASE("json schema: the window forms' companion keys", "[json-schema]") {
  json schema = schema_of("");
  const json& window = schema["properties"]["release_window"];
  CHECK(window["dependencies"]["allow"] == json::array({"timezone"}));
  const json& allow = window["properties"]["allow"]["items"];
  CHECK(allow["dependencies"]["cron"] == json::array({"duration"}));
  CHECK(allow["dependencies"]["start"] == json::array({"end"}));
  CHECK(allow["additionalProperties"] == false);
  CHECK(schema["properties"]["waiver"]["items"]["required"] == json::array({"rule"}));
}

TEST_CASE("json schema: the keys packs declare and read", "[json-schema]") {
  json schema = schema_of(
      "[[key]]\n"
      "path = \"backup.encryption.cipher\"\n"
      "type = \"string\"\n"
      "description = \"the cipher of backups at rest\"\n"
      "[[key]]\n"
      "path = \"security.pentest_date\"\n"
      "type = \"date\"\n"
      "[[key]]\n"
      "path = \"monitoring.slo.latency_ms\"\n"
      "type = \"number\"\n");
  const json& backup = schema["properties"]["backup"];
  // A table on the way, as strict as the schema table it is in.
  const json& encryption = backup["properties"]["encryption"];
  CHECK(encryption["type"] == "object");
  CHECK(encryption["additionalProperties"] == false);
  CHECK(encryption["properties"]["cipher"] ==
        json{{"type", "string"},
             {"description", "The cipher of backups at rest. (Declared by pack acme.)"}});
  // A table of the pack's own: free-form, its declared key typed.
  const json& security = schema["properties"]["security"];
  CHECK_FALSE(security.contains("additionalProperties"));
  CHECK(security["properties"]["pentest_date"]["pattern"] == R"(^\d{4}-\d{2}-\d{2}$)");
  // Inside schema 1's free-form table.
  CHECK(
      schema["properties"]["monitoring"]["properties"]["slo"]["properties"]["latency_ms"]["type"] ==
      "number");
  // Read, not declared: any value, said so.
  const json& script = schema["properties"]["rollback"]["properties"]["script"];
  CHECK_FALSE(script.contains("type"));
  CHECK(script["description"] ==
        "Read by rule ACME-001; its pack does not declare the key's type.");
}

}  // namespace manifest_json_schema_test
