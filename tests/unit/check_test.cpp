// The library entry point (gate/check/check.hpp, push.hpp) on real repositories: what a verdict
// is made of, without the command line in the way.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "check.hpp"
#include "push.hpp"
#include "test_repo.hpp"

namespace check_test {

namespace fs = std::filesystem;

using namespace opsgate;
using opsgate::test::RulesDir;
using opsgate::test::TempDir;
using opsgate::test::TempRepo;

namespace {

constexpr const char* k_rules = R"(
[pack]
name = "unit"
version = "1.0.0"
environments = ["production", "staging"]

[[rule]]
id = "BKP-001"
area = "backup"
title = "Backups are declared"
severity = "error"
level = 1
help = "Set backup.enabled."
check = [ { key = "backup.enabled", equals = true } ]

[[rule]]
id = "RUN-001"
area = "runbook"
title = "The runbook exists"
severity = "warning"
level = 2
help = "Write the runbook."
check = [ { key = "runbook.path", path_exists = true } ]
)";

std::string manifest(const std::string& name, bool backups) {
  return "schema = 1\n[service]\nname = \"" + name +
         "\"\nowner = \"team\"\ntier = \"low\"\n[backup]\nenabled = " +
         (backups ? "true" : "false") + "\n[runbook]\npath = \"runbook.md\"\n";
}

CheckRequest request_for(const TempRepo& repo, const RulesDir& rules) {
  CheckRequest request;
  request.repository = repo.path().string();
  request.rules = {rules.path()};
  auto at = parse_rfc3339("2026-11-26T10:00:00+01:00");
  REQUIRE(at);
  request.at = *at;
  return request;
}

const Finding& finding(const ManifestResult& result, const std::string& rule) {
  for (const Finding& found : result.findings)
    if (found.rule == rule) return found;
  FAIL("no finding for " << rule);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("check: one call gives the verdict of a revision", "[check]") {
  RulesDir rules(k_rules);
  TempRepo repo;
  repo.write("operability.toml", manifest("billing", true));
  repo.write("runbook.md", "# Runbook\n");
  const std::string good = repo.commit("good", "2026-11-01T10:00:00+01:00");
  repo.write("operability.toml", manifest("billing", false));
  const std::string bad = repo.commit("bad", "2026-11-02T10:00:00+01:00");
  repo.write("operability.toml", manifest("billing", true));  // uncommitted: not read

  Executor executor(1);
  auto report = check(request_for(repo, rules), CheckTarget{"HEAD"}, executor);
  REQUIRE(report);
  CHECK(report->outcome == Outcome::fail);
  CHECK(report->revision == bad);
  CHECK_FALSE(report->base);
  REQUIRE(report->manifests.size() == 1);
  CHECK(report->manifests[0].service == "billing");
  CHECK(report->manifests[0].blob == repo.git("rev-parse HEAD:operability.toml"));
  CHECK(finding(report->manifests[0], "BKP-001").status == Status::fail);
  CHECK(finding(report->manifests[0], "RUN-001").status == Status::pass);
  CHECK(report->summary.failed == 1);
  REQUIRE(report->packs.size() == 1);
  CHECK(report->packs[0].name == "unit");

  SECTION("an older revision passes") {
    auto older = check(request_for(repo, rules), CheckTarget{good}, executor);
    REQUIRE(older);
    CHECK(older->outcome == Outcome::pass);
    CHECK(older->revision == good);
  }
  SECTION("the work tree, when asked") {
    auto worktree = check(request_for(repo, rules), CheckTarget{"HEAD", "", true}, executor);
    REQUIRE(worktree);
    CHECK(worktree->outcome == Outcome::pass);
    CHECK(worktree->worktree);
  }
  SECTION("phases are reported in order") {
    CheckRequest request = request_for(repo, rules);
    std::vector<std::string> phases;
    request.on_phase = [&](std::string_view phase) { phases.emplace_back(phase); };
    REQUIRE(check(request, CheckTarget{"HEAD"}, executor));
    CHECK(phases == std::vector<std::string>{"open-repository", "load-rules", "evaluate"});
  }
}

TEST_CASE("check: what keeps a revision from being evaluated is an error, not a verdict",
          "[check]") {
  RulesDir rules(k_rules);
  TempRepo repo;
  repo.write("operability.toml", manifest("billing", true));
  repo.commit("first", "2026-11-01T10:00:00+01:00");
  Executor executor(0);

  SECTION("an unknown revision") {
    auto report = check(request_for(repo, rules), CheckTarget{"no-such-branch"}, executor);
    REQUIRE_FALSE(report);
    CHECK(report.error().kind == ErrorKind::not_found);
  }
  SECTION("an unknown environment") {
    CheckRequest request = request_for(repo, rules);
    request.environment = "prod";
    auto report = check(request, CheckTarget{"HEAD"}, executor);
    REQUIRE_FALSE(report);
    CHECK(report.error().kind == ErrorKind::usage);
    CHECK_THAT(report.error().message, Catch::Contains("prod"));
  }
  SECTION("a manifest that is not TOML names its line and column") {
    repo.write("operability.toml", "schema = 1\n[service\n");
    repo.commit("broken", "2026-11-02T10:00:00+01:00");
    auto report = check(request_for(repo, rules), CheckTarget{"HEAD"}, executor);
    REQUIRE_FALSE(report);
    REQUIRE(report.error().where);
    CHECK(report.error().where->path == "operability.toml");
    CHECK(report.error().where->line == 2);
  }
  SECTION("not a repository") {
    TempDir empty;
    CheckRequest request = request_for(repo, rules);
    request.repository = empty.path().string();
    CHECK_FALSE(check(request, CheckTarget{"HEAD"}, executor));
  }
  SECTION("the error report still names the revision it was about") {
    Report report = error_report(request_for(repo, rules), nullptr,
                                 Error{ErrorKind::invalid, "broken", std::nullopt});
    CHECK(report.outcome == Outcome::error);
    CHECK_FALSE(report.revision);
    const CheckTarget target{"HEAD"};
    report = error_report(request_for(repo, rules), &target,
                          Error{ErrorKind::invalid, "broken", std::nullopt});
    CHECK(report.revision == repo.git("rev-parse HEAD"));
    CHECK(report.error == "broken");
  }
}

TEST_CASE("check: a monorepo gives the same report whatever the number of evaluators", "[check]") {
  RulesDir rules(k_rules);
  TempRepo repo;
  for (int i = 0; i < 40; ++i) {
    const std::string dir = "services/s" + std::to_string(i) + "/";
    repo.write(dir + "operability.toml", manifest("s" + std::to_string(i), i % 3 != 0));
    if (i % 4 != 0) repo.write(dir + "runbook.md", "# Runbook\n");
  }
  repo.commit("services", "2026-11-01T10:00:00+01:00");

  Executor one(0), three(2);
  CheckRequest request = request_for(repo, rules);
  request.jobs = 1;
  auto alone = check(request, CheckTarget{"HEAD"}, one);
  REQUIRE(alone);
  request.jobs = 0;
  auto shared = check(request, CheckTarget{"HEAD"}, three);
  REQUIRE(shared);
  request.jobs = 5;
  auto more_jobs_than_threads = check(request, CheckTarget{"HEAD"}, three);
  REQUIRE(more_jobs_than_threads);

  REQUIRE(alone->manifests.size() == 40);
  CHECK(alone->summary.failed == 14);    // i % 3 == 0
  CHECK(alone->summary.warnings == 10);  // i % 4 == 0
  for (const auto* other : {&*shared, &*more_jobs_than_threads}) {
    REQUIRE(other->manifests.size() == alone->manifests.size());
    for (std::size_t i = 0; i < alone->manifests.size(); ++i) {
      CHECK(other->manifests[i].path == alone->manifests[i].path);
      CHECK(other->manifests[i].passed == alone->manifests[i].passed);
      CHECK(other->manifests[i].findings.size() == alone->manifests[i].findings.size());
    }
    CHECK(other->summary.failed == alone->summary.failed);
  }
  CHECK(std::is_sorted(alone->manifests.begin(), alone->manifests.end(),
                       [](const auto& a, const auto& b) { return a.path < b.path; }));
}

TEST_CASE("check: with a base, only the services the change touches", "[check]") {
  RulesDir rules(k_rules);
  TempRepo repo;
  repo.write("a/operability.toml", manifest("a", false));
  repo.write("b/operability.toml", manifest("b", true));
  repo.write("b/runbook.md", "# Runbook\n");
  const std::string base = repo.commit("two services", "2026-11-01T10:00:00+01:00");
  repo.write("b/runbook.md", "# Runbook\n\nMore.\n");
  repo.commit("edit b", "2026-11-02T10:00:00+01:00");

  Executor executor(1);
  auto report = check(request_for(repo, rules), CheckTarget{"HEAD", base}, executor);
  REQUIRE(report);
  CHECK(report->base == base);
  CHECK(report->changed_paths == 1);
  REQUIRE(report->manifests.size() == 1);
  CHECK(report->manifests[0].path == "b/operability.toml");
  CHECK(report->outcome == Outcome::pass);  // a's failure is not this change's

  SECTION("without a base, every service") {
    auto full = check(request_for(repo, rules), CheckTarget{"HEAD"}, executor);
    REQUIRE(full);
    CHECK(full->manifests.size() == 2);
    CHECK(full->outcome == Outcome::fail);
  }
}

TEST_CASE("check: a change that rewrites the rules judging it is flagged", "[check]") {
  TempRepo repo;
  repo.write("operability.toml", manifest("billing", true));
  repo.write("runbook.md", "# Runbook\n");
  repo.write(".opsgate/rules/unit.toml", k_rules);
  const std::string base = repo.commit("first", "2026-11-01T10:00:00+01:00");
  repo.write(".opsgate/rules/unit.toml", std::string(k_rules) + "\n# weakened\n");
  repo.write("runbook.md", "# Runbook\n\nEdited.\n");
  repo.commit("rules too", "2026-11-02T10:00:00+01:00");

  Executor executor(1);
  CheckRequest request;
  request.repository = repo.path().string();
  request.at = *parse_rfc3339("2026-11-26T10:00:00+01:00");

  SECTION("read from the evaluated revision: an error") {
    request.rules = {"HEAD:.opsgate/rules"};
    auto report = check(request, CheckTarget{"HEAD", base}, executor);
    REQUIRE(report);
    REQUIRE(report->manifests.size() == 1);
    // About the run, not the service: at the top level, counted in the verdict.
    CHECK(std::none_of(report->manifests[0].findings.begin(), report->manifests[0].findings.end(),
                       [](const Finding& f) { return f.rule == "GATE-RULES-CHANGED"; }));
    REQUIRE(report->findings.size() == 1);
    CHECK(report->findings[0].rule == "GATE-RULES-CHANGED");
    CHECK(report->findings[0].severity == Severity::error);
    CHECK(report->summary.failed == 1);
    CHECK(report->outcome == Outcome::fail);
  }
  SECTION("read from the base: a warning") {
    request.rules = {base + ":.opsgate/rules"};
    auto report = check(request, CheckTarget{"HEAD", base}, executor);
    REQUIRE(report);
    REQUIRE(report->findings.size() == 1);
    CHECK(report->findings[0].severity == Severity::warning);
    CHECK(report->summary.warnings == 1);
    CHECK(report->outcome == Outcome::pass);
  }
}

TEST_CASE("push: git's ref lines are read strictly", "[check][push]") {
  const std::string a(40, 'a'), b(40, 'b'), zero(40, '0');
  auto pushed = parse_ref_updates("refs/heads/main " + a + " refs/heads/main " + b + "\n\n",
                                  HookKind::pre_push);
  REQUIRE(pushed);
  REQUIRE(pushed->size() == 1);
  CHECK((*pushed)[0].ref == "refs/heads/main");
  CHECK((*pushed)[0].new_id == a);
  CHECK((*pushed)[0].old_id == b);

  auto received = parse_ref_updates(
      b + " " + a + " refs/heads/x\n" + a + " " + zero + " refs/tags/v1\n", HookKind::pre_receive);
  REQUIRE(received);
  REQUIRE(received->size() == 2);
  CHECK((*received)[1].ref == "refs/tags/v1");

  auto wrong = parse_ref_updates(b + " " + a + " refs/heads/x\n", HookKind::pre_push);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().kind == ErrorKind::usage);
  CHECK_THAT(wrong.error().message, Catch::Contains("stdin line 1"));

  const PushPlan plan = plan_push(*received, {"x"});
  REQUIRE(plan.checked.size() == 1);
  CHECK(plan.checked[0].ref == "refs/heads/x");
  CHECK(plan.skipped == std::vector<std::string>{"refs/tags/v1: deleted, nothing to check"});
  CHECK(ref_selected({"release/*"}, "refs/heads/release/2026/12"));
  CHECK_FALSE(ref_selected({"release/*"}, "refs/heads/main"));
}

TEST_CASE("push: every tip in one report, each against its previous tip", "[check][push]") {
  RulesDir rules(k_rules);
  TempRepo repo;
  repo.write("a/operability.toml", manifest("a", false));
  repo.write("b/operability.toml", manifest("b", true));
  repo.write("b/runbook.md", "# Runbook\n");
  const std::string old_tip = repo.commit("first", "2026-11-01T10:00:00+01:00");
  repo.write("b/runbook.md", "# Runbook\n\nEdited.\n");
  const std::string new_tip = repo.commit("edit b", "2026-11-02T10:00:00+01:00");

  PushPlan plan;
  plan.checked.push_back({"refs/heads/main", "", old_tip, new_tip});
  plan.checked.push_back({"refs/heads/fresh", "", std::string(40, '0'), new_tip});
  plan.skipped.push_back("refs/heads/gone: deleted, nothing to check");
  Executor executor(1);
  auto pushed = check_push(request_for(repo, rules), plan, executor);
  REQUIRE(pushed);
  // main: b only (passes); fresh: no base, a and b (a fails).
  CHECK(pushed->report.manifests.size() == 3);
  REQUIRE(pushed->verdicts.size() == 2);
  CHECK(pushed->verdicts[0].failed.empty());
  CHECK(pushed->verdicts[1].failed == std::vector<std::string>{"BKP-001"});
  CHECK(pushed->report.outcome == Outcome::fail);
  REQUIRE(pushed->report.notes.size() == 3);
  CHECK_THAT(pushed->report.notes[1], Catch::Contains("checked against"));
  CHECK_THAT(pushed->report.notes[2], Catch::Contains("without a base"));
}

}  // namespace check_test
