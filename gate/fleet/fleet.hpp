#pragma once
// The fleet view: every service of every repository evaluated through the library entry point
// (check.hpp), with the rules loaded once, on the shared executor; optionally a trend of real
// evaluations at older first-parent commits; a deterministic share of the repositories
// (--shard); and shard reports merged into one. The model here is what every fleet renderer
// (fleet_render.hpp) and the JSON reader of `fleet merge` (fleet_json.hpp) share.

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "check.hpp"
#include "error.hpp"
#include "executor.hpp"
#include "i18n.hpp"
#include "report.hpp"
#include "timeutil.hpp"

namespace opsgate {

// --trend 12w / 6m: that many week (Monday 00:00) or month (the 1st, 00:00) boundaries, in the
// offset of the evaluation time.
struct TrendSpec {
  enum class Unit { week, month };
  Unit unit = Unit::week;
  int count = 0;
  std::string text() const;  // "12w", "6m"
};
Expected<TrendSpec> parse_trend(std::string_view text);  // 1..104 weeks, 1..24 months

// The boundaries of `spec` at or before `at`, oldest first, as instants in `at`'s offset.
std::vector<Instant> trend_boundaries(const TrendSpec& spec, const Instant& at);

// RFC 3339 in the instant's own offset: "2026-11-23T00:00:00+01:00" ("Z" for UTC).
std::string format_local(const Instant& instant);

// --shard I/N, 1-based like CI_NODE_INDEX / CI_NODE_TOTAL.
struct Shard {
  int index = 1;
  int total = 1;
};
Expected<Shard> parse_shard(std::string_view text);
// Whether the repository at `position` in the sorted list of every source's repositories
// belongs to `shard` (round robin: deterministic and balanced for any list).
bool in_shard(const Shard& shard, std::size_t position);

// A failed finding of a service, with what the reader needs to fix it.
struct FleetFinding {
  std::string rule;
  std::string title;
  std::string severity;  // error | warning | info
  std::string area;
  int level = 0;
  std::string message;
  std::string help;  // the fix
  SourcePos where;
};

constexpr int k_max_level = 5;
using LevelHistogram = std::array<int, k_max_level + 1>;  // services at level 0..5

// One service: one manifest of one repository at --rev.
struct FleetService {
  std::string repository;  // as the sources name it
  std::string revision;    // 40-hex commit id
  std::string manifest;    // path inside the repository
  std::string name;        // service.name ("" when absent)
  std::string owner;       // service.owner ("" when absent: the team "(no owner)")
  std::string tier;
  int level = 0;
  std::string outcome;  // pass | fail | error
  std::string error;    // the message, for outcome error
  // area -> pass (every applicable rule passed or was waived), warn (only findings below
  // --fail-on failed) or fail; areas without an applicable rule are left out.
  std::map<std::string, std::string> areas;
  std::vector<FleetFinding> failing;  // sorted by rule id
  int waived = 0;
};

// Counts over services, additive (shards sum them).
struct FleetCounts {
  int services = 0;
  int passed = 0;
  int failed = 0;
  int errors = 0;           // services whose manifest could not be evaluated
  LevelHistogram levels{};  // of the evaluated services (not the errors)
  void add(const FleetService& service);
  void add(const FleetCounts& other);
  double pass_rate() const;  // passed / services, 0 without services
};

// A trend point: every repository evaluated at its last first-parent commit before `date`,
// with evidence ages computed at `date`; the last point is the scan itself (`current`).
struct TrendPoint {
  Instant date;
  bool current = false;
  int repositories = 0;  // repositories that had a commit before the date
  FleetCounts overall;
  std::map<std::string, FleetCounts> teams;  // by service.owner
};

// A source, repository or trend point that could not be evaluated.
struct FleetError {
  std::string source;  // the SOURCE, repository or rule source concerned
  std::string message;
  std::optional<std::string> point;  // a trend point's date: its history is cut (shallow)
};

struct FleetRepository {
  std::string name;
  std::string revision;
  int services = 0;
};

struct FleetReport {
  std::string environment;
  Stage stage = Stage::merge;
  Instant at;
  std::string rev = "HEAD";
  Severity fail_on = Severity::error;
  Lang lang = Lang::en;  // the language of its texts (messages, titles, help): the scan's
  std::vector<PackInfo> packs;
  std::optional<TrendSpec> trend;
  std::optional<Shard> shard;                 // unset in a full or merged report
  std::vector<FleetRepository> repositories;  // sorted by name
  std::vector<FleetService> services;         // sorted by repository, then manifest path
  std::vector<TrendPoint> trend_points;       // oldest first, the scan last
  std::vector<FleetError> errors;             // sorted
  // Whether a source (not only a trend point) could not be evaluated: exit 2.
  bool source_failed() const;
};

// What the renderers show besides the services, computed from them (never stored: a merge
// recomputes it from the shards' services).
struct TeamSummary {
  std::string team;
  FleetCounts counts;
  std::vector<std::pair<std::string, int>> failing_rules;  // most common first, then by id
  // area -> {services whose area passed, services where the area applies}
  std::map<std::string, std::pair<int, int>> areas;
};
struct RuleSummary {
  std::string rule;
  std::string title;
  std::string area;
  std::string severity;
  int level = 0;
  int services = 0;  // services failing it
};
struct FleetSummary {
  FleetCounts counts;
  std::vector<TeamSummary> teams;  // by team name
  std::vector<RuleSummary> rules;  // most failed first, then by id
  std::vector<std::string> areas;  // every area seen, sorted
};
FleetSummary summarize(const FleetReport& report);

// The team a service counts under.
std::string team_of(const FleetService& service);

struct FleetRequest {
  std::vector<std::string> sources;  // repositories, directories of repositories, @FILE
  CheckRequest check;                // rules, environment, stage, time, fail_on
  std::string rev = "HEAD";
  std::optional<TrendSpec> trend;
  std::optional<Shard> shard;
};

// The repositories the sources name, sorted and without duplicates, with the problems of the
// sources that name none (a missing path, an unreadable @FILE, a directory holding no
// repository).
struct SourceList {
  std::vector<std::pair<std::string, std::string>> repositories;  // name -> path to open
  std::vector<FleetError> errors;
};
SourceList expand_sources(const std::vector<std::string>& sources);

// Scans the fleet. An Error only for what stops everything (the time, rules that cannot load,
// --env unknown to shared rules); a source that cannot be evaluated is in `errors`.
Expected<FleetReport> scan_fleet(const FleetRequest& request,
                                 Executor& executor = Executor::shared());

// Shard reports of one scan (same environment, stage, time, revision, trend, language) into one
// report, as an unsharded run would have written it. A mismatch is a usage error naming the file.
Expected<FleetReport> merge_fleet(std::vector<std::pair<std::string, FleetReport>> shards);

// The report of a run that could not scan at all: its request and the message.
FleetReport fleet_error_report(const FleetRequest& request, const Error& error);

}  // namespace opsgate
