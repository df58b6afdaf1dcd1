#include <catch2/catch.hpp>

#include "gate_fixtures.hpp"
#include "references.hpp"

namespace references_test {

using namespace opsgate;

using Strings = std::vector<std::string>;

TEST_CASE("outside_strings: the strings that may leave the manifest's directory", "[references]") {
  SECTION("a leading slash or a .. anywhere, in basic and literal strings") {
    auto found = outside_strings(
        "schema = 1\n"
        "[runbook]\n"
        "path = \"/shared/runbook.md\"  # the team's\n"
        "[backup]\n"
        "procedure = 'docs/../../x.md'\n"
        "[monitoring]\n"
        "healthcheck = \"/healthz\"\n"
        "alert_rules = [\"monitoring/alerts.yaml\", \"/ops/alerts.yaml\"]\n"
        "name = \"billing\"\n");
    REQUIRE(found);
    CHECK(*found ==
          Strings{"/shared/runbook.md", "docs/../../x.md", "/healthz", "/ops/alerts.yaml"});
  }
  SECTION("quotes and slashes inside comments are no strings") {
    auto found =
        outside_strings("# \"/not/a/string\" ' also not\npath = \"docs/r.md\" # \"/no\"\n");
    REQUIRE(found);
    CHECK(found->empty());
  }
  SECTION("a # inside a string is no comment") {
    auto found = outside_strings("path = \"docs/r.md#x\"\nother = \"/shared/a.md\"\n");
    REQUIRE(found);
    CHECK(*found == Strings{"/shared/a.md"});
  }
  SECTION("what the scan does not follow must be parsed") {
    CHECK_FALSE(outside_strings("path = \"\\u002Fshared/runbook.md\"\n"));  // an escape
    CHECK_FALSE(outside_strings("path = \"\"\"\n/shared/runbook.md\"\"\"\n"));
    CHECK_FALSE(outside_strings("path = '''\n/shared/runbook.md'''\n"));
    CHECK_FALSE(outside_strings("path = \"docs/r.md\n/shared\"\n"));  // unterminated
    CHECK_FALSE(outside_strings("path = 'unterminated"));
  }
}

TEST_CASE("reference_candidates: every cut at '#', resolved from the manifest's directory",
          "[references]") {
  const RuleSet rules =
      test::rules_from(test::rule_text("R-1", "key = \"runbook.path\", path_exists = true"));
  auto manifest = test::manifest_from(
      "schema = 1\n[runbook]\npath = [\"../shared/a#b.md#section\", \"/root.md\"]\n"
      "[backup]\nprocedure = \"/not-read-by-any-rule.md\"\n",
      "services/pay/operability.toml");
  CHECK(reference_candidates(manifest, rules) == Strings{"root.md", "services/shared/a",
                                                         "services/shared/a#b.md",
                                                         "services/shared/a#b.md#section"});
}

}  // namespace references_test
