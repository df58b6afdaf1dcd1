// The fleet view (gate/fleet/) on real repositories: sources, services in error, teams and
// rules, the trend from history (evidence ages at each point, young and shallow repositories),
// shards and their merge.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>

#include "fleet.hpp"
#include "fleet_render.hpp"
#include "git_history.hpp"
#include "repo.hpp"
#include "test_repo.hpp"

namespace fleet_test {

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
title = "The runbook was reviewed within three weeks"
severity = "error"
level = 2
help = "Review the runbook and set runbook.last_review."
check = [ { key = "runbook.last_review", max_age_days = 21 } ]
)";

std::string manifest(const std::string& name, const std::string& owner, bool backups,
                     const std::string& reviewed = "2026-11-20") {
  return "schema = 1\n[service]\nname = \"" + name + "\"\nowner = \"" + owner +
         "\"\ntier = \"low\"\n[backup]\nenabled = " + (backups ? "true" : "false") +
         "\n[runbook]\nlast_review = " + reviewed + "\n";
}

Instant instant(const std::string& text) {
  auto parsed = parse_rfc3339(text);
  REQUIRE(parsed);
  return *parsed;
}

FleetRequest request_for(std::vector<std::string> sources, const RulesDir& rules,
                         const std::string& at = "2026-11-26T10:00:00+01:00") {
  FleetRequest request;
  request.sources = std::move(sources);
  request.check.rules = {rules.path()};
  request.check.at = instant(at);
  return request;
}

const FleetService& service(const FleetReport& report, const std::string& name) {
  for (const FleetService& found : report.services)
    if (found.name == name) return found;
  FAIL("no service " << name);
  throw std::logic_error("unreachable");
}

// A directory of repositories, as an organisation's clone directory is: links to each.
struct FleetDir {
  TempDir dir;
  void add(const std::string& name, const fs::path& target) {
    fs::create_directory_symlink(target, dir.path() / name);
  }
  std::string path() const { return dir.path().string(); }
};

}  // namespace

TEST_CASE("fleet: every manifest of every repository of a directory", "[fleet]") {
  RulesDir rules(k_rules);
  TempRepo payments, shop, broken;
  TempRepo bare(true);
  payments.write("billing/operability.toml", manifest("billing", "team-payments", true));
  payments.write("ledger/operability.toml", manifest("ledger", "team-payments", false));
  payments.commit("two services", "2026-11-01T10:00:00+01:00");
  shop.write("operability.toml", manifest("shop", "team-web", true, "2026-10-01"));
  shop.commit("shop", "2026-11-01T10:00:00+01:00");
  broken.write("a/operability.toml", "schema = 1\n[service\nname = \"x\"\n");  // invalid TOML
  broken.write("b/operability.toml", manifest("fine", "team-web", true));
  broken.commit("one broken manifest", "2026-11-01T10:00:00+01:00");
  // The bare repository gets its commit from a clone of it.
  TempDir work;
  payments.git("clone -q " + bare.path().string() + " " + (work.path() / "w").string());
  {
    std::ofstream(work.path() / "w" / "operability.toml") << manifest("bare-svc", "team-ops", true);
  }
  payments.git("-C " + (work.path() / "w").string() + " add -A");
  payments.git("-C " + (work.path() / "w").string() +
               " -c user.name=t -c user.email=t@example.org commit -q -m bare");
  payments.git("-C " + (work.path() / "w").string() + " push -q origin HEAD:main");

  FleetDir fleet;
  fleet.add("payments", payments.path());
  fleet.add("shop", shop.path());
  fleet.add("broken", broken.path());
  fleet.add("ops.git", bare.path());
  fs::create_directory(fleet.dir.path() / "not-a-repo");

  Executor executor(1);
  auto report = scan_fleet(request_for({fleet.path()}, rules), executor);
  REQUIRE(report);
  CHECK_FALSE(report->source_failed());
  CHECK(report->errors.empty());
  REQUIRE(report->repositories.size() == 4);
  CHECK(report->repositories[0].name == fleet.path() + "/broken");
  REQUIRE(report->services.size() == 6);

  const FleetService& billing = service(*report, "billing");
  CHECK(billing.outcome == "pass");
  CHECK(billing.level == 2);
  CHECK(billing.owner == "team-payments");
  CHECK(billing.tier == "low");
  CHECK(billing.manifest == "billing/operability.toml");
  CHECK(billing.revision == payments.git("rev-parse HEAD"));
  CHECK(billing.areas.at("backup") == "pass");

  const FleetService& ledger = service(*report, "ledger");
  CHECK(ledger.outcome == "fail");
  CHECK(ledger.level == 0);
  REQUIRE(ledger.failing.size() == 1);
  CHECK(ledger.failing[0].rule == "BKP-001");
  CHECK(ledger.failing[0].help == "Set backup.enabled.");
  CHECK(ledger.failing[0].where.line > 0);
  CHECK(ledger.areas.at("backup") == "fail");

  // The runbook review is 56 days old at --at: level 1 only.
  CHECK(service(*report, "shop").level == 1);
  CHECK(service(*report, "bare-svc").outcome == "pass");

  // A manifest that cannot be evaluated is a service in error; its neighbour still counts.
  auto errored = std::find_if(report->services.begin(), report->services.end(),
                              [](const FleetService& s) { return s.outcome == "error"; });
  REQUIRE(errored != report->services.end());
  CHECK(errored->manifest == "a/operability.toml");
  CHECK(errored->error.find("a/operability.toml:") != std::string::npos);
  CHECK(service(*report, "fine").outcome == "pass");

  const FleetSummary summary = summarize(*report);
  CHECK(summary.counts.services == 6);
  CHECK(summary.counts.passed == 3);
  CHECK(summary.counts.failed == 2);
  CHECK(summary.counts.errors == 1);
  REQUIRE(summary.teams.size() == 4);  // (no owner), team-ops, team-payments, team-web
  CHECK(summary.teams[0].team == "(no owner)");
  const TeamSummary& payments_team = summary.teams[2];
  CHECK(payments_team.team == "team-payments");
  CHECK(payments_team.counts.services == 2);
  CHECK(payments_team.counts.levels[0] == 1);
  CHECK(payments_team.counts.levels[2] == 1);
  REQUIRE(payments_team.failing_rules.size() == 1);
  CHECK(payments_team.failing_rules[0] == std::pair<std::string, int>{"BKP-001", 1});
  REQUIRE(summary.rules.size() == 2);
  CHECK(summary.rules[0].services == 1);

  SECTION("the JSON says the same and reads back") {
    const std::string json = render_fleet_json(*report);
    auto back = parse_fleet_json(json, "fleet.json");
    REQUIRE(back);
    CHECK(render_fleet_json(*back) == json);
  }
  SECTION("the HTML page is one file with nothing to fetch") {
    const std::string html = render_fleet_html(*report);
    CHECK(html.find("<table id=\"services\" class=\"sortable\">") != std::string::npos);
    CHECK(html.find("data-metric=\"services\">6<") != std::string::npos);
    CHECK(html.find("http://") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
    CHECK(html.find("src=") == std::string::npos);
  }
}

TEST_CASE("fleet: a source that names no repository is an error, the others are scanned",
          "[fleet]") {
  RulesDir rules(k_rules);
  TempRepo repo;
  repo.write("operability.toml", manifest("one", "team", true));
  repo.commit("one", "2026-11-01T10:00:00+01:00");
  TempDir empty;
  TempRepo unborn;  // no commit: HEAD names nothing
  Executor executor(1);
  auto report = scan_fleet(request_for({repo.path().string(), "/nonexistent/fleet",
                                        empty.path().string(), unborn.path().string()},
                                       rules),
                           executor);
  REQUIRE(report);
  CHECK(report->services.size() == 1);
  CHECK(report->source_failed());
  REQUIRE(report->errors.size() == 3);
  for (const FleetError& error : report->errors) CHECK_FALSE(error.point);
  CHECK(report->errors[0].source == "/nonexistent/fleet");

  SECTION("@FILE lists sources, one a line") {
    TempDir list;
    std::ofstream(list.path() / "repos.txt")
        << "# the fleet\n\n"
        << repo.path().string() << "\n  " << repo.path().string() << "  \n";
    auto listed =
        scan_fleet(request_for({"@" + (list.path() / "repos.txt").string()}, rules), executor);
    REQUIRE(listed);
    CHECK(listed->errors.empty());
    CHECK(listed->services.size() == 1);  // named twice, scanned once
  }
  SECTION("rules that do not load stop the scan") {
    FleetRequest request = request_for({repo.path().string()}, rules);
    request.check.rules = {"/nonexistent/rules"};
    CHECK_FALSE(scan_fleet(request, executor));
  }
}

TEST_CASE("fleet: the trend evaluates the commit before each boundary as of that date", "[fleet]") {
  RulesDir rules(k_rules);
  TempRepo old_repo, young;
  // Reviewed on 2026-10-05, backups off until 2026-11-04: RUN-001 (21 days) holds at the
  // boundaries of Oct 12, 19 and 26 and fails from Nov 2 on; BKP-001 fails until the fix.
  old_repo.write("operability.toml", manifest("old", "team-a", false, "2026-10-05"));
  old_repo.commit("start", "2026-10-01T12:00:00+02:00");
  old_repo.write("operability.toml", manifest("old", "team-a", true, "2026-10-05"));
  old_repo.commit("backups", "2026-11-04T12:00:00+01:00");
  young.write("operability.toml", manifest("young", "team-b", true, "2026-11-18"));
  young.commit("start", "2026-11-18T12:00:00+01:00");

  FleetRequest request = request_for({old_repo.path().string(), young.path().string()}, rules,
                                     "2026-11-26T10:00:00+01:00");  // a Thursday
  request.trend = *parse_trend("7w");
  Executor executor(1);
  auto report = scan_fleet(request, executor);
  REQUIRE(report);
  CHECK(report->errors.empty());
  REQUIRE(report->trend_points.size() == 8);
  const std::vector<std::string> dates = {"2026-10-12T00:00:00+01:00", "2026-10-19T00:00:00+01:00",
                                          "2026-10-26T00:00:00+01:00", "2026-11-02T00:00:00+01:00",
                                          "2026-11-09T00:00:00+01:00", "2026-11-16T00:00:00+01:00",
                                          "2026-11-23T00:00:00+01:00", "2026-11-26T10:00:00+01:00"};
  for (std::size_t i = 0; i < dates.size(); ++i)
    CHECK(format_local(report->trend_points[i].date) == dates[i]);
  CHECK(report->trend_points.back().current);

  const auto point = [&](std::size_t i) { return report->trend_points[i].overall; };
  // Oct 12-26: old fails BKP-001 (level 0), review fresh; young does not exist yet.
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(report->trend_points[i].repositories == 1);
    CHECK(point(i).services == 1);
    CHECK(point(i).failed == 1);
    CHECK(point(i).levels[0] == 1);
  }
  // Nov 2: still the first commit; the review is 28 days old.
  CHECK(point(3).failed == 1);
  // Nov 9, 16: backups fixed (level 1), the review too old: still failing (RUN-001 is an error).
  CHECK(point(4).failed == 1);
  CHECK(point(4).levels[1] == 1);
  // Nov 23 and now: young has joined and passes.
  CHECK(report->trend_points[6].repositories == 2);
  CHECK(point(6).services == 2);
  CHECK(point(6).passed == 1);
  CHECK(report->trend_points[6].teams.at("team-b").passed == 1);
  CHECK(point(7).services == 2);
  CHECK(point(7).passed == 1);
}

TEST_CASE("fleet: a shallow clone's cut points go to errors, not into the figures", "[fleet]") {
  RulesDir rules(k_rules);
  TempRepo repo;
  repo.write("operability.toml", manifest("svc", "team", true, "2026-11-20"));
  repo.commit("one", "2026-10-01T12:00:00+02:00");
  repo.write("README.md", "x\n");
  repo.commit("two", "2026-11-18T12:00:00+01:00");
  TempDir clones;
  const std::string shallow = (clones.path() / "shallow").string();
  repo.git("clone -q --depth 1 file://" + repo.path().string() + " " + shallow);

  FleetRequest request = request_for({shallow}, rules);
  request.trend = *parse_trend("3w");  // Nov 9, Nov 16, Nov 23, now
  Executor executor(1);
  auto report = scan_fleet(request, executor);
  REQUIRE(report);
  CHECK_FALSE(report->source_failed());
  REQUIRE(report->errors.size() == 2);
  CHECK(report->errors[0].point == "2026-11-09T00:00:00+01:00");
  CHECK(report->errors[0].message.find("shallow") != std::string::npos);
  CHECK(report->trend_points[0].repositories == 0);
  CHECK(report->trend_points[1].repositories == 0);
  CHECK(report->trend_points[2].repositories == 1);
}

TEST_CASE("fleet: shards split the repositories and merge into the unsharded report", "[fleet]") {
  RulesDir rules(k_rules);
  std::vector<std::unique_ptr<TempRepo>> repos;
  FleetDir fleet;
  for (int i = 0; i < 5; ++i) {
    auto repo = std::make_unique<TempRepo>();
    repo->write("operability.toml",
                manifest("svc" + std::to_string(i), "team-" + std::to_string(i % 2), i % 3 != 0));
    repo->commit("one", "2026-10-01T12:00:00+02:00");
    fleet.add("r" + std::to_string(i), repo->path());
    repos.push_back(std::move(repo));
  }
  FleetRequest request = request_for({fleet.path()}, rules);
  request.trend = *parse_trend("2m");
  Executor executor(1);
  auto whole = scan_fleet(request, executor);
  REQUIRE(whole);
  std::vector<std::pair<std::string, FleetReport>> shards;
  std::size_t scanned = 0;
  for (int index = 1; index <= 3; ++index) {
    request.shard = Shard{index, 3};
    auto part = scan_fleet(request, executor);
    REQUIRE(part);
    scanned += part->repositories.size();
    auto back = parse_fleet_json(render_fleet_json(*part), "shard" + std::to_string(index));
    REQUIRE(back);
    shards.emplace_back("shard" + std::to_string(index), std::move(*back));
  }
  CHECK(scanned == 5);
  auto merged = merge_fleet(shards);
  REQUIRE(merged);
  CHECK(render_fleet_json(*merged) == render_fleet_json(*whole));

  SECTION("a shard of another scan is refused") {
    shards[1].second.environment = "staging";
    auto refused = merge_fleet(shards);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("shard2") != std::string::npos);
  }
  SECTION("the same shard twice is refused") {
    shards.push_back(shards[0]);
    CHECK_FALSE(merge_fleet(shards));
  }
}

TEST_CASE("fleet: trend, shard and report parsing", "[fleet]") {
  CHECK(parse_trend("12w")->count == 12);
  CHECK(parse_trend("6m")->unit == TrendSpec::Unit::month);
  for (const char* bad : {"", "w", "0w", "105w", "25m", "12d", "-1w", "1.5m"})
    CHECK_FALSE(parse_trend(bad));
  CHECK(parse_shard("2/3")->index == 2);
  for (const char* bad : {"0/3", "4/3", "1/0", "1", "a/b", "1/2/3"}) CHECK_FALSE(parse_shard(bad));
  for (std::size_t i = 0; i < 7; ++i)
    CHECK(int(in_shard({1, 3}, i)) + int(in_shard({2, 3}, i)) + int(in_shard({3, 3}, i)) == 1);

  // Month boundaries in --at's offset, across a year.
  auto months = trend_boundaries(*parse_trend("3m"), instant("2026-01-15T08:00:00-05:00"));
  REQUIRE(months.size() == 3);
  CHECK(format_local(months[0]) == "2025-11-01T00:00:00-05:00");
  CHECK(format_local(months[2]) == "2026-01-01T00:00:00-05:00");
  // On a Monday at midnight the week's boundary is that instant.
  auto weeks = trend_boundaries(*parse_trend("1w"), instant("2026-11-23T00:00:00Z"));
  CHECK(format_local(weeks[0]) == "2026-11-23T00:00:00Z");

  auto bad = parse_fleet_json("{\"kind\": \"opsgate-fleet\", \"format\": 1}", "x.json");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("x.json") != std::string::npos);
  CHECK_FALSE(parse_fleet_json("{\"outcome\": \"pass\"}", "check.json"));
  CHECK_FALSE(parse_fleet_json("not json", "y.json"));
}

TEST_CASE("fleet: a point's history along the scan's chain answers as its own", "[fleet]") {
  TempRepo repo;
  repo.write("docs/runbook.md", "# One\n");
  repo.commit("one", "2026-09-01T12:00:00+02:00");
  repo.write("README.md", "x\n");
  repo.commit("two", "2026-10-01T12:00:00+02:00");
  repo.write("docs/runbook.md", "# Two\n");
  const std::string three = repo.commit("three", "2026-10-15T12:00:00+02:00");
  repo.write("README.md", "y\n");
  repo.commit("four", "2026-11-01T12:00:00+01:00");
  repo.write("README.md", "z\n");
  const std::string head = repo.commit("five", "2026-11-10T12:00:00+01:00");
  auto opened = Repository::discover(repo.path().string());
  REQUIRE(opened);
  std::unique_ptr<History> history = opened->history_at(head);
  auto* git = dynamic_cast<GitHistory*>(history.get());
  REQUIRE(git);
  bool cut = true;
  auto chain = git->chain_until(instant("2026-10-10T00:00:00Z").utc, cut);
  REQUIRE(chain);
  CHECK_FALSE(cut);
  REQUIRE(chain->size() == 4);  // five, four, three, and two: the first before the date
  CHECK(chain->at(2).commit == three);
  const Seconds cutoff = instant("2026-01-01T00:00:00Z").utc;
  for (std::size_t link = 0; link < chain->size(); ++link) {
    std::unique_ptr<History> along = opened->history_along(*history, link);
    std::unique_ptr<History> own = opened->history_at(chain->at(link).commit);
    for (const char* path : {"docs/runbook.md", "README.md", "missing.md"}) {
      auto a = along->last_change(path, cutoff);
      auto b = own->last_change(path, cutoff);
      REQUIRE(a);
      REQUIRE(b);
      CHECK(a->kind == b->kind);
      CHECK(a->commit == b->commit);
    }
  }
}

TEST_CASE("fleet: a point's history along the chain blames its own commit's lines", "[fleet]") {
  TempRepo repo;
  repo.write("operability.toml", "schema = 1\n");
  repo.commit("one", "2026-09-01T12:00:00+02:00");
  repo.write("README.md", "x\n");
  repo.commit("two", "2026-10-01T12:00:00+02:00");
  repo.write("operability.toml", "schema = 2\n");
  repo.commit("three", "2026-10-15T12:00:00+02:00");
  // A shallow clone cut at `two`: the point at `two` cannot tell who wrote its line, and must
  // not answer with the scan's revision, which rewrote it.
  TempDir clones;
  for (const std::string depth : {"", "--depth 2 "}) {
    const fs::path clone = clones.path() / (depth.empty() ? "full" : "shallow");
    repo.git("clone -q --no-local " + depth + repo.path().string() + " " + clone.string());
    auto opened = Repository::discover(clone.string());
    REQUIRE(opened);
    std::unique_ptr<History> history = opened->history_at(repo.git("rev-parse HEAD").substr(0, 40));
    for (std::size_t link = 0; link < 2; ++link) {
      std::unique_ptr<History> along = opened->history_along(*history, link);
      std::unique_ptr<History> own =
          opened->history_at(repo.git("rev-parse HEAD~" + std::to_string(link)).substr(0, 40));
      auto a = along->blame("operability.toml", 1, 1, /*bounded=*/false);
      auto b = own->blame("operability.toml", 1, 1, /*bounded=*/false);
      INFO(depth << "link " << link);
      REQUIRE(a.has_value() == b.has_value());
      if (!a) continue;
      CHECK(a->at(0).origin.has_value() == b->at(0).origin.has_value());
      if (a->at(0).origin && b->at(0).origin)
        CHECK(a->at(0).origin->commit == b->at(0).origin->commit);
    }
  }
}

TEST_CASE("fleet: what repositories say is text in the page, never markup", "[fleet]") {
  FleetReport report;
  report.environment = "production";
  report.at = instant("2026-11-26T10:00:00+01:00");
  FleetService service;
  service.repository = "repos/\"><img src=x onerror=alert(1)>";
  service.revision = std::string(40, 'a');
  service.manifest = "operability.toml";
  service.name = "<script>alert(1)</script>";
  service.owner = "team-'quote'";
  service.outcome = "fail";
  service.areas["backup"] = "fail";
  service.failing.push_back(FleetFinding{"BKP-002", "t", "error", "backup", 2,
                                         "</details><script>alert(2)</script>", "fix & go",
                                         SourcePos{"operability.toml", 3, 1}});
  report.services.push_back(service);
  report.repositories.push_back({service.repository, service.revision, 1});
  const std::string html = render_fleet_html(report);
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("fix &amp; go") != std::string::npos);
  CHECK(html.find("team-&#39;quote&#39;") != std::string::npos);
  // One script element: the page's own.
  std::size_t scripts = 0;
  for (std::size_t at = html.find("<script"); at != std::string::npos;
       at = html.find("<script", at + 1))
    ++scripts;
  CHECK(scripts == 1);
}

TEST_CASE("fleet: reads kept across the trend's commits never answer for another content",
          "[fleet]") {
  const RulesDir rules_dir(R"(
[pack]
name = "sections"
version = "1.0.0"

[[rule]]
id = "RUN-010"
area = "runbook"
title = "The runbook says how to restore"
severity = "error"
level = 1
help = "Add a Restore section."
check = [ { key = "runbook.path", has_sections = ["Restore"] } ]
)",
                           "sections.toml");
  TempRepo repo;
  const std::string manifest_text =
      "schema = 1\n[service]\nname = \"svc\"\nowner = \"team\"\n"
      "[runbook]\npath = \"docs/runbook.md\"\n";
  repo.write("operability.toml", manifest_text);
  repo.write("docs/runbook.md", "# Runbook\n");
  repo.commit("no restore section", "2026-11-03T12:00:00+01:00");
  repo.write("docs/runbook.md", "# Runbook\n## Restore\n");
  repo.commit("restore section", "2026-11-10T12:00:00+01:00");
  repo.write("docs/runbook.md", "# Runbook\n");
  repo.commit("restore section gone", "2026-11-17T12:00:00+01:00");

  FleetRequest request;
  request.sources = {repo.path().string()};
  request.check.rules = {rules_dir.path()};
  request.check.at = instant("2026-11-26T10:00:00+01:00");
  request.trend = *parse_trend("3w");  // Nov 9, 16, 23, now
  Executor executor(1);
  auto report = scan_fleet(request, executor);
  REQUIRE(report);
  REQUIRE(report->trend_points.size() == 4);
  CHECK(report->trend_points[0].overall.failed == 1);  // the first runbook
  CHECK(report->trend_points[1].overall.passed == 1);  // with its section
  CHECK(report->trend_points[2].overall.failed == 1);  // the same blob as the first again
  CHECK(report->trend_points[3].overall.failed == 1);
}

TEST_CASE("fleet in French: headings from the catalog, ids and the JSON's keys English",
          "[fleet][i18n]") {
  RulesDir rules(k_rules);
  TempRepo payments, shop;
  payments.write("operability.toml", manifest("billing", "team-payments", false));
  payments.commit("billing", "2026-11-01T10:00:00+01:00");
  shop.write("operability.toml", manifest("shop", "team-web", true));
  shop.commit("shop", "2026-11-01T10:00:00+01:00");
  FleetDir fleet;
  fleet.add("payments", payments.path());
  fleet.add("shop", shop.path());
  FleetRequest request = request_for({fleet.path(), fleet.path() + "/missing"}, rules);
  request.trend = *parse_trend("2w");
  Executor executor(1);
  auto english = scan_fleet(request, executor);
  REQUIRE(english);
  struct French {
    French() { set_language(Lang::fr); }
    ~French() { set_language(Lang::en); }
  };
  std::optional<French> french(std::in_place);
  auto report = scan_fleet(request, executor);
  REQUIRE(report);
  CHECK(report->lang == Lang::fr);

  const std::string text = render_fleet_text(*report, false);
  CHECK(text.starts_with("opsgate fleet : 2 services dans 2 dépôts ("));
  CHECK(text.find("1 conformes, 1 non conformes, 0 erreur ; taux de conformité 50.0%") !=
        std::string::npos);
  for (const char* heading :
       {"\nSERVICES\nDÉPÔT  ", "\nÉQUIPES\nÉQUIPE  ", "\nRÈGLES LES PLUS EN ÉCHEC\nRÈGLE  ",
        "\nTENDANCE (2w)\nDATE  ", "\nERREURS\n", "(maintenant)", "non conforme  BKP-001"})
    CHECK(text.find(heading) != std::string::npos);
  CHECK(text.find("fichier ou répertoire introuvable") != std::string::npos);
  CHECK(text.find("REPOSITORY") == std::string::npos);

  const std::string html = render_fleet_html(*report);
  CHECK(html.find("<html lang=\"fr\">") != std::string::npos);
  for (const char* label :
       {"<h1>Exploitabilité du parc</h1>", "<h2 id=\"summary\">Synthèse</h2>",
        ">Taux de conformité</dt>", "<th scope=\"col\">Équipe</th>",
        "<summary>1 règle en échec</summary>", "Correctif : Set backup.enabled.",
        "class=\"badge fail\">\u2717 non conforme</span>"})
    CHECK(html.find(label) != std::string::npos);
  CHECK(html.find("Operability of the fleet") == std::string::npos);
  // The machine's anchors the browser test reads stay ids.
  CHECK(html.find("data-metric=\"pass-rate\"") != std::string::npos);

  // The JSON: "lang", and the same document as in English but for the texts.
  const std::string json_text = render_fleet_json(*report);
  CHECK(json_text.find("\"lang\": \"fr\"") != std::string::npos);
  CHECK(render_fleet_json(*english).find("\"lang\": \"en\"") != std::string::npos);
  auto back = parse_fleet_json(json_text, "fr.json");
  REQUIRE(back);
  CHECK(back->lang == Lang::fr);
  CHECK(back->services.size() == english->services.size());

  // Shards in two languages are not one scan: their texts would be mixed.
  french.reset();
  auto mixed = merge_fleet(
      {{"fr.json", *back}, {"en.json", *parse_fleet_json(render_fleet_json(*english), "en.json")}});
  REQUIRE_FALSE(mixed);
  CHECK(mixed.error().message.find("language") != std::string::npos);
}

TEST_CASE("fleet: no blame for provenance the fleet's reports do not show", "[fleet]") {
  RulesDir rules(k_rules);
  TempRepo repo;
  repo.write("operability.toml", manifest("billing", "team-payments", false));
  repo.commit("billing", "2026-11-01T10:00:00+01:00");
  CheckRequest request;
  request.repository = repo.path().string();
  request.rules = {rules.path()};
  request.at = instant("2026-11-26T10:00:00+01:00");
  const auto failed_backups = [](const Report& report) -> const Finding& {
    for (const Finding& finding : report.manifests.at(0).findings)
      if (finding.rule == "BKP-001") return finding;
    throw std::logic_error("no BKP-001");
  };
  Executor executor(1);
  auto cited = check(request, CheckTarget{}, executor);
  REQUIRE(cited);
  REQUIRE(failed_backups(*cited).status == Status::fail);
  REQUIRE(failed_backups(*cited).provenance);  // check cites it
  CHECK(failed_backups(*cited).provenance->commit == repo.git("rev-parse HEAD").substr(0, 40));
  request.cite_provenance = false;  // as the fleet scan asks
  auto uncited = check(request, CheckTarget{}, executor);
  REQUIRE(uncited);
  CHECK(failed_backups(*uncited).status == Status::fail);
  CHECK_FALSE(failed_backups(*uncited).provenance);
}

}  // namespace fleet_test
