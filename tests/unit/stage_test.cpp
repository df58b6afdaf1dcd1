// Stages, the maturity ratchet and new findings (gate/core/ratchet.hpp) through the library
// entry point, on real repositories.

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "check.hpp"
#include "ratchet.hpp"
#include "test_repo.hpp"
#include "toml_util.hpp"

namespace stage_test {

namespace fs = std::filesystem;

using namespace opsgate;
using opsgate::test::RulesDir;
using opsgate::test::TempDir;
using opsgate::test::TempRepo;

namespace {

// Level 1: backups; level 2: the runbook file and alert files exist; level 3, tier critical
// only: a restore test date; a release window rule at deploy only.
constexpr const char* k_rules = R"(
[pack]
name = "stages"
version = "1.0.0"
environments = ["production"]

[[rule]]
id = "BKP-001"
area = "backup"
title = "Backups are declared"
severity = "error"
level = 1
help = "Set backup.enabled."
check = [ { key = "backup.enabled", equals = true } ]

[[rule]]
id = "BKP-002"
area = "backup"
title = "Critical restores are dated"
severity = "error"
level = 3
tiers = ["critical"]
help = "Set backup.last_restore_test."
check = [ { key = "backup.last_restore_test", present = true } ]

[[rule]]
id = "RUN-001"
area = "runbook"
title = "The runbook exists"
severity = "error"
level = 2
help = "Write the runbook."
check = [ { key = "runbook.path", path_exists = true } ]

[[rule]]
id = "WIN-003"
area = "release_window"
title = "Deployments happen inside a window"
severity = "error"
level = 1
stages = ["deploy"]
help = "Wait for the window."
check = [ { key = "release_window", window_open = true } ]
)";

constexpr const char* k_window = R"(
[release_window]
timezone = "Europe/Paris"
[[release_window.allow]]
days = ["mon", "tue", "wed", "thu"]
start = "20:00"
end = "23:00"
)";

std::string manifest(const std::string& tier, bool backups, bool restore_date = true) {
  return "schema = 1\n[service]\nname = \"svc\"\nowner = \"team\"\ntier = \"" + tier +
         "\"\n[backup]\nenabled = " + (backups ? "true" : "false") +
         (restore_date ? "\nlast_restore_test = 2026-11-01" : "") +
         "\n[runbook]\npath = \"runbook.md\"\n" + k_window;
}

// Saturday morning: outside the window.
CheckRequest request_for(const TempRepo& repo, const RulesDir& rules, Stage stage) {
  CheckRequest request;
  request.repository = repo.path().string();
  request.rules = {rules.path()};
  request.stage = stage;
  auto at = parse_rfc3339("2026-11-28T10:00:00+01:00");
  REQUIRE(at);
  request.at = *at;
  return request;
}

const Finding* find(const ManifestResult& result, const std::string& rule) {
  for (const Finding& found : result.findings)
    if (found.rule == rule) return &found;
  return nullptr;
}

}  // namespace

TEST_CASE("stages: the release window is a deploy question", "[check][stage]") {
  RulesDir rules(k_rules);
  TempRepo repo;
  repo.write("operability.toml", manifest("critical", true));
  repo.write("runbook.md", "# Runbook\n");
  repo.commit("service", "2026-11-20T10:00:00+01:00");
  Executor executor(1);

  for (Stage stage : {Stage::commit, Stage::push, Stage::merge}) {
    auto report = check(request_for(repo, rules, stage), CheckTarget{}, executor);
    REQUIRE(report);
    CHECK(report->stage == stage);
    CHECK(report->outcome == Outcome::pass);
    const Finding* window = find(report->manifests.at(0), "WIN-003");
    REQUIRE(window);
    CHECK(window->status == Status::skipped);
    CHECK_THAT(window->message, Catch::Contains("only at stage deploy"));
  }
  auto deploy = check(request_for(repo, rules, Stage::deploy), CheckTarget{}, executor);
  REQUIRE(deploy);
  CHECK(deploy->stage == Stage::deploy);
  CHECK(deploy->outcome == Outcome::fail);
  CHECK(find(deploy->manifests.at(0), "WIN-003")->status == Status::fail);
  // The stage is in the verdict line (and so in the commit status description).
  CHECK_THAT(verdict_line(*deploy), Catch::Contains("deploy stage"));
}

TEST_CASE("stages: an override moves a rule to other stages", "[check][stage]") {
  RulesDir rules(k_rules);
  TempDir local;
  std::ofstream(local.path() / "local.toml")
      << "[pack]\nname = \"local\"\n[[override]]\nrule = \"WIN-003\"\nstages = [\"push\", "
         "\"deploy\"]\n";
  TempRepo repo;
  repo.write("operability.toml", manifest("critical", true));
  repo.write("runbook.md", "# Runbook\n");
  repo.commit("service", "2026-11-20T10:00:00+01:00");
  Executor executor(1);
  CheckRequest request = request_for(repo, rules, Stage::push);
  request.rules.push_back(local.path().string());
  auto push = check(request, CheckTarget{}, executor);
  REQUIRE(push);
  CHECK(find(push->manifests.at(0), "WIN-003")->status == Status::fail);
  request.stage = Stage::merge;
  auto merge = check(request, CheckTarget{}, executor);
  REQUIRE(merge);
  CHECK(find(merge->manifests.at(0), "WIN-003")->status == Status::skipped);
}

TEST_CASE("stages: a deploy judges every service, whatever the base", "[check][stage]") {
  RulesDir rules(k_rules);
  TempRepo repo;
  repo.write("a/operability.toml", manifest("low", false));
  repo.write("a/runbook.md", "# Runbook\n");
  repo.write("b/operability.toml", manifest("low", true));
  repo.write("b/runbook.md", "# Runbook\n");
  const std::string base = repo.commit("two services", "2026-11-20T10:00:00+01:00");
  repo.write("b/runbook.md", "# Runbook\n\nMore.\n");
  repo.commit("edit b", "2026-11-21T10:00:00+01:00");
  Executor executor(1);

  auto merge = check(request_for(repo, rules, Stage::merge), CheckTarget{"HEAD", base}, executor);
  REQUIRE(merge);
  REQUIRE(merge->manifests.size() == 1);  // the change touches b only
  CHECK(merge->outcome == Outcome::pass);

  auto deploy = check(request_for(repo, rules, Stage::deploy), CheckTarget{"HEAD", base}, executor);
  REQUIRE(deploy);
  REQUIRE(deploy->manifests.size() == 2);
  CHECK(deploy->manifests[0].path == "a/operability.toml");
  CHECK(deploy->outcome == Outcome::fail);
  // a's failure was there before the change: not new, but it fails a deployment.
  const Finding* backups = find(deploy->manifests[0], "BKP-001");
  REQUIRE(backups);
  CHECK(backups->status == Status::fail);
  CHECK(backups->is_new == false);
}

TEST_CASE("ratchet: a change that lowers the level fails, naming the rules", "[check][ratchet]") {
  TempRepo repo;
  repo.write("operability.toml", manifest("critical", true));
  repo.write("runbook.md", "# Runbook\n");
  const std::string base = repo.commit("level 3", "2026-11-20T10:00:00+01:00");
  repo.write("operability.toml",
             manifest("critical", true) + "\n[monitoring]\ndashboard = \"https://x\"\n");
  repo.remove("runbook.md");
  repo.commit("drop the runbook", "2026-11-21T10:00:00+01:00");
  Executor executor(1);

  RulesDir rules(k_rules);
  auto report = check(request_for(repo, rules, Stage::merge), CheckTarget{"HEAD", base}, executor);
  REQUIRE(report);
  const ManifestResult& result = report->manifests.at(0);
  CHECK(result.level == 1);
  const Finding* drop = find(result, "GATE-LEVEL-DROP");
  REQUIRE(drop);
  CHECK(drop->status == Status::fail);
  CHECK(drop->severity == Severity::error);
  CHECK(drop->is_new == true);
  CHECK_THAT(drop->message, Catch::Contains("from level 3 at the merge base to level 1"));
  CHECK_THAT(drop->message, Catch::Contains("RUN-001 now fails"));
  const Finding* removed = find(result, "GATE-EVIDENCE-REMOVED");
  REQUIRE(removed);
  CHECK_THAT(removed->message, Catch::Contains("deletes runbook.md"));
  CHECK_THAT(removed->message, Catch::Contains("RUN-001"));
  CHECK(removed->where.line > 0);

  SECTION("a pack can turn the level ratchet off") {
    TempDir off;
    std::ofstream(off.path() / "off.toml") << "[pack]\nname = \"off\"\nratchet = false\n";
    CheckRequest request = request_for(repo, rules, Stage::merge);
    request.rules.push_back(off.path().string());
    auto without = check(request, CheckTarget{"HEAD", base}, executor);
    REQUIRE(without);
    CHECK_FALSE(find(without->manifests.at(0), "GATE-LEVEL-DROP"));
    CHECK(find(without->manifests.at(0), "GATE-EVIDENCE-REMOVED"));  // not the level ratchet
  }
}

TEST_CASE("ratchet: emptying a checked file or removing a checked key is flagged",
          "[check][ratchet]") {
  TempRepo repo;
  repo.write("operability.toml", manifest("critical", true));
  repo.write("runbook.md", "# Runbook\n");
  const std::string base = repo.commit("level 3", "2026-11-20T10:00:00+01:00");
  Executor executor(1);
  RulesDir rules(k_rules);

  SECTION("a key removed") {
    repo.write("operability.toml", manifest("critical", true, false));
    repo.commit("no restore date", "2026-11-21T10:00:00+01:00");
    auto report =
        check(request_for(repo, rules, Stage::merge), CheckTarget{"HEAD", base}, executor);
    REQUIRE(report);
    const Finding* removed = find(report->manifests.at(0), "GATE-EVIDENCE-REMOVED");
    REQUIRE(removed);
    CHECK_THAT(removed->message,
               Catch::Contains("removes backup.last_restore_test, which rule BKP-002 checked"));
    CHECK(report->outcome == Outcome::fail);
  }
  SECTION("a file emptied: path_exists still holds, the evidence is gone all the same") {
    repo.write("runbook.md", "");
    repo.commit("empty runbook", "2026-11-21T10:00:00+01:00");
    auto report =
        check(request_for(repo, rules, Stage::merge), CheckTarget{"HEAD", base}, executor);
    REQUIRE(report);
    CHECK(find(report->manifests.at(0), "RUN-001")->status == Status::pass);
    const Finding* removed = find(report->manifests.at(0), "GATE-EVIDENCE-REMOVED");
    REQUIRE(removed);
    CHECK_THAT(removed->message, Catch::Contains("empties runbook.md"));
    CHECK(report->outcome == Outcome::fail);
  }
  SECTION("evidence moved: the manifest points at the new file") {
    repo.remove("runbook.md");
    repo.write("docs/runbook.md", "# Runbook\n");
    std::string moved = manifest("critical", true);
    moved.replace(moved.find("\"runbook.md\""), 12, "\"docs/runbook.md\"");
    repo.write("operability.toml", moved);
    repo.commit("move the runbook", "2026-11-21T10:00:00+01:00");
    auto report =
        check(request_for(repo, rules, Stage::merge), CheckTarget{"HEAD", base}, executor);
    REQUIRE(report);
    CHECK_FALSE(find(report->manifests.at(0), "GATE-EVIDENCE-REMOVED"));
    CHECK(report->outcome == Outcome::pass);
  }
}

TEST_CASE("ratchet: rules that stop applying are a warning listing them", "[check][ratchet]") {
  TempRepo repo;
  repo.write("operability.toml", manifest("critical", true));
  repo.write("runbook.md", "# Runbook\n");
  const std::string base = repo.commit("critical", "2026-11-20T10:00:00+01:00");
  repo.write("operability.toml", manifest("low", true));
  repo.commit("now low", "2026-11-21T10:00:00+01:00");
  Executor executor(1);
  RulesDir rules(k_rules);
  auto report = check(request_for(repo, rules, Stage::merge), CheckTarget{"HEAD", base}, executor);
  REQUIRE(report);
  const ManifestResult& result = report->manifests.at(0);
  const Finding* scope = find(result, "GATE-SCOPE-CHANGED");
  REQUIRE(scope);
  CHECK(scope->status == Status::fail);
  CHECK(scope->severity == Severity::warning);
  CHECK_THAT(scope->message, Catch::Contains("1 rule that applied at the merge base stop applying: "
                                             "BKP-002"));
  CHECK_THAT(scope->message, Catch::Contains("service.tier \"critical\" -> \"low\""));
  CHECK(scope->where.line == 5);
  // Level 3 needed BKP-002; without it the highest level is 2: a drop, but one the rules
  // no longer ask of a low-tier service... still a drop.
  CHECK(result.level == 2);
  CHECK(find(result, "GATE-LEVEL-DROP"));
}

TEST_CASE("new findings: what the change brings, and --fail-on-new", "[check][new]") {
  TempRepo repo;
  repo.write("operability.toml", manifest("low", false));  // BKP-001 fails already
  repo.write("runbook.md", "# Runbook\n");
  const std::string base = repo.commit("legacy", "2026-11-20T10:00:00+01:00");
  repo.write("README.md", "unrelated\n");
  repo.write("operability.toml", manifest("low", false) + "# touched\n");
  repo.commit("touch", "2026-11-21T10:00:00+01:00");
  Executor executor(1);
  RulesDir rules(k_rules);

  auto plain = check(request_for(repo, rules, Stage::merge), CheckTarget{"HEAD", base}, executor);
  REQUIRE(plain);
  const ManifestResult& result = plain->manifests.at(0);
  CHECK(find(result, "BKP-001")->is_new == false);
  CHECK_FALSE(find(result, "RUN-001")->is_new);  // passing: no key
  CHECK_FALSE(find(result, "GATE-SCHEMA")->is_new);
  CHECK(plain->outcome == Outcome::fail);

  CheckRequest request = request_for(repo, rules, Stage::merge);
  request.fail_on_new = true;
  auto adopted = check(request, CheckTarget{"HEAD", base}, executor);
  REQUIRE(adopted);
  CHECK(adopted->outcome == Outcome::pass);
  CHECK(adopted->summary.failed == 0);
  CHECK(adopted->summary.warnings == 1);
  const Finding* backups = find(adopted->manifests.at(0), "BKP-001");
  CHECK(backups->severity == Severity::error);  // keeps its rule's severity
  CHECK_THAT(backups->tolerated, Catch::Contains("already failing at the merge base"));

  SECTION("a failure the change brings still fails under --fail-on-new") {
    repo.remove("runbook.md");
    repo.commit("worse", "2026-11-22T10:00:00+01:00");
    auto worse = check(request, CheckTarget{"HEAD", base}, executor);
    REQUIRE(worse);
    CHECK(worse->outcome == Outcome::fail);
    const ManifestResult& now = worse->manifests.at(0);
    CHECK(find(now, "RUN-001")->is_new == true);
    CHECK(find(now, "RUN-001")->tolerated.empty());
    CHECK(find(now, "GATE-EVIDENCE-REMOVED")->is_new == true);
    CHECK(find(now, "BKP-001")->is_new == false);
    CHECK_FALSE(find(now, "BKP-001")->tolerated.empty());
  }

  SECTION("without a base, no finding says new or not") {
    auto full = check(request_for(repo, rules, Stage::merge), CheckTarget{"HEAD"}, executor);
    REQUIRE(full);
    for (const Finding& finding : full->manifests.at(0).findings) CHECK_FALSE(finding.is_new);
  }
}

TEST_CASE("new findings: --fail-on-new never tolerates a rule that is not waivable",
          "[check][new]") {
  // The release window is as closed at the merge base as at the revision: "already failing"
  // there says nothing about the change, and a non-waivable window rule must still stop a
  // deployment outside it.
  RulesDir rules(std::string(k_rules) + R"(
[[rule]]
id = "WIN-009"
area = "release_window"
title = "Deployments happen inside a window, no waiver"
severity = "error"
level = 1
stages = ["deploy"]
waivable = false
help = "Wait for the window."
check = [ { key = "release_window", window_open = true } ]
)");
  TempRepo repo;
  repo.write("operability.toml", manifest("critical", true));
  repo.write("runbook.md", "# Runbook\n");
  const std::string base = repo.commit("service", "2026-11-20T10:00:00+01:00");
  repo.write("runbook.md", "# Runbook\n\nMore.\n");
  repo.commit("edit", "2026-11-21T10:00:00+01:00");
  Executor executor(1);

  CheckRequest request = request_for(repo, rules, Stage::deploy);  // Saturday: closed
  request.fail_on_new = true;
  auto report = check(request, CheckTarget{"HEAD", base}, executor);
  REQUIRE(report);
  const ManifestResult& result = report->manifests.at(0);
  const Finding* waivable = find(result, "WIN-003");
  REQUIRE(waivable);
  CHECK(waivable->is_new == false);
  CHECK_FALSE(waivable->tolerated.empty());
  const Finding* strict = find(result, "WIN-009");
  REQUIRE(strict);
  CHECK(strict->status == Status::fail);
  CHECK(strict->is_new == false);
  CHECK(strict->tolerated.empty());
  CHECK_FALSE(result.passed);
  CHECK(report->outcome == Outcome::fail);
  CHECK(report->summary.failed == 1);
}

TEST_CASE("pair_moves: the same service name, else most of the old values kept", "[stage]") {
  auto doc = [](const std::string& text) { return *parse_toml(text, "m.toml"); };
  const toml::table pay =
      doc("schema = 1\n[service]\nname = \"pay\"\nowner = \"team\"\n[backup]\n"
          "retention_days = 14\nlast_restore_test = 2026-11-01\n[runbook]\npath = \"r.md\"\n");
  const toml::table ledger =
      doc("schema = 1\n[service]\nname = \"ledger\"\nowner = \"books\"\n[backup]\n"
          "retention_days = 30\n");
  const std::vector<const toml::table*> left{&ledger, &pay};
  auto pair_one = [&](const toml::table& now, const std::vector<const toml::table*>& from) {
    auto paired = pair_moves({&now}, from);
    REQUIRE(paired);
    REQUIRE(paired->size() == 1);
    return paired->front();
  };

  // Same name, whatever else changed.
  auto renamed_values = doc("[service]\nname = \"pay\"\nowner = \"other\"\n");
  CHECK(pair_one(renamed_values, left) == std::optional<std::size_t>(1));
  // Another name, most values kept (inline tables or reordered keys are the same values).
  auto renamed =
      doc("schema = 1\nservice = { name = \"payments\", owner = \"team\" }\n"
          "runbook.path = \"r.md\"\nbackup = { retention_days = 7, last_restore_test = 2026-11-01 "
          "}\n[extra]\nx = 1\ny = 2\nz = 3\n");
  CHECK(pair_one(renamed, left) == std::optional<std::size_t>(1));
  // Less than half of any old manifest: a new service.
  auto other = doc("schema = 1\n[service]\nname = \"search\"\nowner = \"team\"\n");
  CHECK_FALSE(pair_one(other, left));
  CHECK_FALSE(pair_one(pay, {}));

  SECTION("each manifest that left continues one arrival at most, in order") {
    auto paired = pair_moves({&renamed_values, &renamed, &pay}, left);
    REQUIRE(paired);
    CHECK(*paired == std::vector<std::optional<std::size_t>>{1, std::nullopt, std::nullopt});
  }
  SECTION("a change too costly to pair is an error, not moves left unpaired") {
    // 2,000 values each, renamed: every arrival is compared with every departure.
    std::vector<toml::table> many_left, many_arrived;
    for (int i = 0; i < 60; ++i) {
      std::string text = fmt::format("[service]\nname = \"old-{}\"\n[extra]\n", i);
      for (int k = 0; k < 2000; ++k) text += fmt::format("k{} = {}\n", k, i);
      many_left.push_back(doc(text));
      text = fmt::format("[service]\nname = \"new-{}\"\n[extra]\n", i);
      for (int k = 0; k < 2000; ++k) text += fmt::format("k{} = {}\n", k, -1 - i);
      many_arrived.push_back(doc(text));
    }
    std::vector<const toml::table*> from, to;
    for (const toml::table& t : many_left) from.push_back(&t);
    for (const toml::table& t : many_arrived) to.push_back(&t);
    auto paired = pair_moves(to, from);
    REQUIRE_FALSE(paired);
    CHECK_THAT(paired.error().message, Catch::Contains("more manifests than can be paired"));
  }
}

}  // namespace stage_test
