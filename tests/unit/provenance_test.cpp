// Provenance and evidence (issue 19): a failed finding cites the commit that last changed its
// manifest line (blame over the whole history), a freshness finding the commit that last
// changed the file it read; neither ever changes a verdict.

#include <catch2/catch.hpp>

#include <fstream>

#include "check.hpp"
#include "i18n.hpp"
#include "render.hpp"
#include "test_repo.hpp"

namespace provenance_test {

using namespace opsgate;
using opsgate::test::TempDir;
using opsgate::test::TempRepo;

namespace {

constexpr const char* k_rules = R"(
[pack]
name = "unit"

[[rule]]
id = "BKP-002"
area = "backup"
title = "Backups are kept a week"
severity = "error"
level = 1
check = [ { key = "backup.retention_days", min = 7 } ]

[[rule]]
id = "RUN-006"
area = "runbook"
title = "The runbook is kept current"
severity = "error"
level = 2
check = [ { key = "runbook.path", changed_within_days = 30 } ]
)";

std::string manifest(int retention) {
  return "schema = 1\n[service]\nname = \"billing\"\nowner = \"team\"\n[backup]\n"
         "retention_days = " +
         std::to_string(retention) + "\n[runbook]\npath = \"docs/runbook.md\"\n";
}

struct Fixture {
  TempDir rules_dir;
  TempRepo repo;
  Executor executor{1};

  Fixture() { std::ofstream(rules_dir.path() / "unit.toml") << k_rules; }

  CheckRequest request() const {
    CheckRequest request;
    request.repository = repo.path().string();
    request.rules = {rules_dir.path().string()};
    request.at = *parse_rfc3339("2026-11-26T10:00:00+01:00");
    return request;
  }
};

const Finding& finding(const Report& report, const std::string& rule) {
  for (const Finding& found : report.manifests.at(0).findings)
    if (found.rule == rule) return found;
  FAIL("no finding for " << rule);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("provenance: a failed finding cites who last changed its line", "[provenance]") {
  Fixture f;
  f.repo.write("docs/runbook.md", "# Runbook\n");
  f.repo.write("operability.toml", manifest(35));
  f.repo.commit_as("start", "2023-03-14T10:00:00+01:00", "Ana", "ana@example.org");
  f.repo.write("operability.toml", manifest(3));
  const std::string lowered =
      f.repo.commit_as("fewer backups", "2026-10-01T10:00:00+02:00", "Bob", "bob@example.org");
  f.repo.write("README.md", "unrelated\n");
  f.repo.commit_as("later", "2026-11-01T10:00:00+01:00", "Cy", "cy@example.org");

  auto report = check(f.request(), CheckTarget{"HEAD"}, f.executor);
  REQUIRE(report);
  const Finding& retention = finding(*report, "BKP-002");
  CHECK(retention.status == Status::fail);
  REQUIRE(retention.provenance);
  CHECK(retention.provenance->commit == lowered);
  CHECK(retention.provenance->author == "Bob");
  CHECK(retention.provenance->email == "bob@example.org");
  CHECK(format_utc(retention.provenance->when) == "2026-10-01T08:00:00Z");
  CHECK_THAT(render_text(*report, {}),
             Catch::Contains("last changed by Bob in " + lowered.substr(0, 12) + " on 2026-10-01"));
  CHECK_THAT(render_json(*report), Catch::Contains(R"("author": "Bob <bob@example.org>")"));

  SECTION("the freshness finding cites the commit that last changed the file") {
    const Finding& runbook = finding(*report, "RUN-006");
    CHECK(runbook.status == Status::fail);
    CHECK_THAT(runbook.message,
               Catch::StartsWith("docs/runbook.md last changed 2023-03-14 by Ana in ") &&
                   Catch::Contains("(1,353 days before 2026-11-26)") &&
                   Catch::Contains("unchanged since before 2026-10-27"));
    REQUIRE(runbook.evidence);
    REQUIRE(runbook.evidence->size() == 1);
    CHECK(runbook.evidence->at(0).path == "docs/runbook.md");
    CHECK(runbook.evidence->at(0).author == "Ana");
    CHECK(runbook.evidence->at(0).commit == f.repo.git("rev-list --max-parents=0 HEAD"));
    // Provenance of the line that names the file: Ana wrote runbook.path.
    REQUIRE(runbook.provenance);
    CHECK(runbook.provenance->author == "Ana");
  }
  SECTION("in French, the day count is grouped with a narrow no-break space, not a comma") {
    set_language(Lang::fr);
    auto french = check(f.request(), CheckTarget{"HEAD"}, f.executor);
    set_language(Lang::en);
    REQUIRE(french);
    CHECK_THAT(finding(*french, "RUN-006").message,
               Catch::Contains("(1\u202f353 jours avant le 2026-11-26)"));
  }
  SECTION("passing findings carry no provenance, but keep their evidence") {
    f.repo.write("operability.toml", manifest(35));
    f.repo.write("docs/runbook.md", "# Runbook\n\nReviewed.\n");
    const std::string fixed =
        f.repo.commit_as("fix", "2026-11-20T10:00:00+01:00", "Dee", "dee@example.org");
    auto passing = check(f.request(), CheckTarget{"HEAD"}, f.executor);
    REQUIRE(passing);
    CHECK(passing->outcome == Outcome::pass);
    CHECK_FALSE(finding(*passing, "BKP-002").provenance);
    const Finding& runbook = finding(*passing, "RUN-006");
    CHECK(runbook.status == Status::pass);
    CHECK_FALSE(runbook.provenance);
    REQUIRE(runbook.evidence);
    CHECK(runbook.evidence->at(0).commit == fixed);
    CHECK(runbook.evidence->at(0).author == "Dee");
    CHECK_THAT(runbook.message, Catch::Contains("last changed 2026-11-20 by Dee in " +
                                                fixed.substr(0, 12) + " (6 days before"));
  }
  SECTION("the work tree has no provenance: its lines are not committed") {
    auto worktree = check(f.request(), CheckTarget{"HEAD", "", true}, f.executor);
    REQUIRE(worktree);
    CHECK(finding(*worktree, "BKP-002").status == Status::fail);
    CHECK_FALSE(finding(*worktree, "BKP-002").provenance);
  }
}

TEST_CASE("provenance: a cut history is unknown provenance, never another verdict",
          "[provenance]") {
  Fixture f;
  f.repo.write("docs/runbook.md", "# Runbook\n");
  f.repo.write("operability.toml", manifest(3));
  f.repo.commit_as("start", "2023-03-14T10:00:00+01:00", "Ana", "ana@example.org");
  f.repo.write("README.md", "one\n");
  f.repo.commit_as("one", "2026-11-01T10:00:00+01:00", "Bob", "bob@example.org");
  f.repo.write("README.md", "two\n");
  f.repo.commit_as("two", "2026-11-02T10:00:00+01:00", "Bob", "bob@example.org");

  TempDir clone_dir;
  const std::string clone = (clone_dir.path() / "shallow").string();
  REQUIRE(std::system(("git clone -q --depth 1 file://" + f.repo.path().string() + " " + clone +
                       " 2>/dev/null")
                          .c_str()) == 0);
  CheckRequest request = f.request();
  request.repository = clone;
  auto report = check(request, CheckTarget{"HEAD"}, f.executor);
  REQUIRE(report);
  CHECK(report->outcome == Outcome::fail);
  const Finding& retention = finding(*report, "BKP-002");
  CHECK(retention.status == Status::fail);
  REQUIRE(retention.provenance);
  CHECK(retention.provenance->commit.empty());
  CHECK_FALSE(retention.provenance->unknown.empty());
  CHECK_THAT(render_text(*report, {}), Catch::Contains("provenance unknown: "));
  CHECK_THAT(render_json(*report), Catch::Contains(R"("commit": null)"));
}

TEST_CASE("provenance: a clone cut at several points is unknown provenance, never a guess",
          "[provenance]") {
  // A merge at depth 2 leaves both its parents as cut points: libgit2 1.5 cannot stop at more
  // than one, so no blame is tried (a partial walk would fail, or attribute to the wrong commit).
  Fixture f;
  f.repo.write("docs/runbook.md", "# Runbook\n");
  f.repo.write("operability.toml", manifest(3));
  f.repo.commit_as("start", "2023-03-14T10:00:00+01:00", "Ana", "ana@example.org");
  f.repo.git("checkout -q -b side");
  f.repo.write("README.md", "side\n");
  f.repo.commit_as("side", "2026-11-01T10:00:00+01:00", "Bob", "bob@example.org");
  f.repo.git("checkout -q -");
  f.repo.write("NOTES.md", "main\n");
  f.repo.commit_as("main", "2026-11-02T10:00:00+01:00", "Bob", "bob@example.org");
  f.repo.git("merge -q --no-ff -m merge side");

  TempDir clone_dir;
  const std::string clone = (clone_dir.path() / "shallow").string();
  REQUIRE(std::system(("git clone -q --depth 2 file://" + f.repo.path().string() + " " + clone +
                       " 2>/dev/null")
                          .c_str()) == 0);
  CheckRequest request = f.request();
  request.repository = clone;
  auto report = check(request, CheckTarget{"HEAD"}, f.executor);
  REQUIRE(report);
  const Finding& retention = finding(*report, "BKP-002");
  CHECK(retention.status == Status::fail);
  REQUIRE(retention.provenance);
  CHECK(retention.provenance->commit.empty());
  CHECK_THAT(retention.provenance->unknown, Catch::Contains("2 cut points"));
}

}  // namespace provenance_test
