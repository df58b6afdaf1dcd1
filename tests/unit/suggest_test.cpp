#include <catch2/catch.hpp>

#include <array>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "suggest.hpp"

namespace suggest_test {

using opsgate::closest_match;
using opsgate::ClosestMatch;
using opsgate::edit_distance;
using opsgate::typo_distance;

TEST_CASE("suggest: edit distance counts insertions, deletions and substitutions", "[suggest]") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("monitorng", "monitoring") == 1);  // a letter left out
  CHECK(edit_distance("backupp", "backup") == 1);        // one too many
  CHECK(edit_distance("retension_days", "retention_days") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("check", "check") == 0);
}

TEST_CASE("suggest: two swapped neighbours are one edit", "[suggest]") {
  CHECK(edit_distance("chekc", "check") == 1);
  CHECK(edit_distance("retnetion", "retention") == 1);
  CHECK(edit_distance("ab", "ba") == 1);
  // Not a general transposition: "ca" to "abc" needs three edits under this distance.
  CHECK(edit_distance("ca", "abc") == 3);
}

TEST_CASE("suggest: letters compare case-insensitively", "[suggest]") {
  CHECK(edit_distance("Monitoring", "monitoring") == 0);
  CHECK(edit_distance("BKP-02", "bkp-002") == 1);
  CHECK(edit_distance("été", "ÉTÉ") > 0);  // only ASCII folds
}

TEST_CASE("suggest: the distance a typo may have grows with the word", "[suggest]") {
  CHECK(typo_distance("ab") == 0);
  CHECK(typo_distance("chek") == 1);
  CHECK(typo_distance("backup") == 2);
  CHECK(typo_distance("monitorng") == 2);
  CHECK(typo_distance("retension_days") == 3);
}

TEST_CASE("suggest: the nearest candidate within the typo distance", "[suggest]") {
  constexpr std::array<std::string_view, 7> tables = {
      "service", "backup", "monitoring", "runbook", "rollback", "release_window", "waiver"};
  CHECK(closest_match("monitorng", tables) == "monitoring");
  CHECK(closest_match("rolback", tables) == "rollback");
  CHECK(closest_match("waivers", tables) == "waiver");
  CHECK(closest_match("Backup", tables) == "backup");
  // Nothing near: a table of the team's own.
  CHECK_FALSE(closest_match("security", tables));
  CHECK_FALSE(closest_match("acme", tables));
  // A name that exists is no typo.
  CHECK_FALSE(closest_match("backup", tables));
}

TEST_CASE("suggest: short words get no guess", "[suggest]") {
  const std::vector<std::string> names = {"on", "of"};
  CHECK_FALSE(closest_match("ox", names));
}

TEST_CASE("suggest: the nearer candidate wins, then the first of equals", "[suggest]") {
  const std::vector<std::string> ids = {"BKP-001", "BKP-002", "BKP-020"};
  CHECK(closest_match("BKP-02", ids) == "BKP-002");  // one edit from BKP-002 and BKP-020: first
  const std::set<std::string> environments = {"production", "staging"};
  CHECK(closest_match("prodution", environments) == "production");
  CHECK(closest_match("stagign", environments) == "staging");
  CHECK_FALSE(closest_match("prod", environments));  // six edits: not a typo
}

TEST_CASE("suggest: a caller may bound the distance itself", "[suggest]") {
  ClosestMatch strict("chekc", 0);
  strict.consider("check");
  CHECK_FALSE(strict.best());
  ClosestMatch loose("prod", 6);
  loose.consider("staging");
  loose.consider("production");
  CHECK(loose.best() == "production");
}

TEST_CASE("suggest: an abbreviation names the one candidate it starts", "[suggest]") {
  const std::set<std::string> environments = {"development", "production", "staging"};
  CHECK(opsgate::abbreviated("prod", environments) == "production");
  CHECK(opsgate::abbreviated("PROD", environments) == "production");  // case folded
  CHECK(opsgate::abbreviated("dev", environments) == "development");
  CHECK_FALSE(opsgate::abbreviated("p", environments));           // too short to mean anything
  CHECK_FALSE(opsgate::abbreviated("production", environments));  // the name itself
  CHECK_FALSE(opsgate::abbreviated("prodx", environments));
  const std::vector<std::string> ambiguous = {"pre-production", "preview"};
  CHECK_FALSE(opsgate::abbreviated("pre", ambiguous));  // starts both: no guess
  const std::vector<std::string> twice = {"production", "production"};
  CHECK(opsgate::abbreviated("prod", twice) == "production");  // two packs declare it
}

TEST_CASE("suggest: a name gets the nearest typo, else what it abbreviates", "[suggest]") {
  const std::set<std::string> environments = {"production", "staging"};
  CHECK(opsgate::suggest_name("prodution", environments) == "production");
  CHECK(opsgate::suggest_name("prod", environments) == "production");
  CHECK_FALSE(opsgate::suggest_name("qa", environments));
  const std::vector<std::string> commands = {"check", "window", "explain"};
  CHECK(opsgate::suggest_name("chek", commands) == "check");
  CHECK(opsgate::suggest_name("win", commands) == "window");
}

TEST_CASE("suggest: a rule id is suggested only with the same numbers", "[suggest]") {
  const std::vector<std::string> ids = {"BKP-001", "BKP-002", "BKP-020", "MON-002"};
  CHECK(opsgate::closest_id("BKP-02", ids) == "BKP-002");    // a zero left out
  CHECK(opsgate::closest_id("BKP-0002", ids) == "BKP-002");  // one too many
  CHECK(opsgate::closest_id("BPK-002", ids) == "BKP-002");   // letters swapped
  CHECK(opsgate::closest_id("bkp-20", ids) == "BKP-020");
  CHECK_FALSE(opsgate::closest_id("BKP-003", ids));  // another rule, one digit away
  CHECK_FALSE(opsgate::closest_id("BKP-009", ids));
  CHECK(opsgate::same_numbers("SEC-1-02", "SEC-01-2"));
  CHECK_FALSE(opsgate::same_numbers("SEC-1", "SEC-1-2"));
  CHECK(opsgate::same_numbers("GATE-SCHEMA", "GATE-SCHEME"));  // no numbers: same
}

}  // namespace suggest_test
