#include "fleet.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

#include "git_history.hpp"
#include "i18n.hpp"
#include "rule_sources.hpp"

namespace fs = std::filesystem;

namespace opsgate {

namespace {

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// A path git would open as a repository by itself: a work tree (.git directory or file) or a
// bare repository (HEAD, objects/ and refs/). A plain directory inside a repository is not
// one: its children may be the repositories.
bool is_repository(const fs::path& path) {
  std::error_code ec;
  if (fs::exists(path / ".git", ec)) return true;
  return fs::is_regular_file(path / "HEAD", ec) && fs::is_directory(path / "objects", ec) &&
         fs::is_directory(path / "refs", ec);
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return std::string(text);
}

// One SOURCE (not an @FILE): the repository it is, or the repositories directly inside it.
void expand_path(const std::string& source, SourceList& list) {
  std::string name = source;
  while (name.size() > 1 && name.ends_with('/')) name.pop_back();
  std::error_code ec;
  const fs::path path(name);
  if (!fs::exists(path, ec)) {
    list.errors.push_back({source, std::string(tr("no such file or directory"))});
    return;
  }
  if (is_repository(path)) {
    list.repositories.emplace_back(name, name);
    return;
  }
  if (!fs::is_directory(path, ec)) {
    list.errors.push_back(
        {source, std::string(tr("not a repository nor a directory of repositories"))});
    return;
  }
  std::vector<std::string> children;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_directory(ec) && is_repository(it->path()))
      children.push_back(it->path().filename().string());
  if (ec) {
    list.errors.push_back({source, fmt::format("{}: {}", source, ec.message())});
    return;
  }
  if (children.empty()) {
    list.errors.push_back(
        {source, std::string(tr("not a repository, and no directory in it is one"))});
    return;
  }
  for (const std::string& child : children) {
    const std::string child_name = name == "." ? child : name + "/" + child;
    list.repositories.emplace_back(child_name, child_name);
  }
}

// The fleet's view of one evaluated manifest.
FleetService service_of(const std::string& repository, const std::string& revision,
                        const ManifestResult& result, Severity fail_on) {
  FleetService service;
  service.repository = repository;
  service.revision = revision;
  service.manifest = result.path;
  service.name = result.service;
  service.owner = result.owner;
  service.tier = result.tier;
  service.level = result.level;
  service.outcome = result.passed ? "pass" : "fail";
  for (const Finding& finding : result.findings) {
    if (finding.status == Status::skipped) continue;
    std::string& area = service.areas[finding.area];
    if (finding.status == Status::fail) {
      const bool fails_gate = finding.severity >= fail_on && finding.tolerated.empty();
      area = fails_gate ? "fail" : (area == "fail" ? "fail" : "warn");
      service.failing.push_back(FleetFinding{finding.rule, std::string(finding.title.str()),
                                             std::string(severity_name(finding.severity)),
                                             finding.area, finding.level, finding.message,
                                             std::string(finding.help.str()), finding.where});
    } else {
      if (finding.status == Status::waived) ++service.waived;
      if (area.empty()) area = "pass";
    }
  }
  return service;
}

FleetService errored_service(const std::string& repository, const std::string& revision,
                             const ManifestError& error) {
  FleetService service;
  service.repository = repository;
  service.revision = revision;
  service.manifest = error.path;
  service.outcome = "error";
  service.error = error.error.to_string();
  return service;
}

// What one repository contributes: its services at --rev, and per trend point the counts by
// team (nullopt: no commit before that date, the repository starts later).
struct RepositoryScan {
  FleetRepository repository;
  std::vector<FleetService> services;
  std::vector<std::optional<std::map<std::string, FleetCounts>>> points;
  std::vector<FleetError> errors;
  std::vector<PackInfo> packs;
  bool evaluated = false;
};

}  // namespace

std::string format_local(const Instant& instant) {
  const auto local = instant.utc + instant.offset;
  const auto minutes = instant.offset.count();
  if (minutes == 0) return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", local);
  const auto magnitude = minutes < 0 ? -minutes : minutes;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}{}{:02}:{:02}", local, minutes < 0 ? '-' : '+',
                     magnitude / 60, magnitude % 60);
}

namespace {

RepositoryScan scan_repository(const std::string& name, const std::string& path,
                               const FleetRequest& request,
                               const std::shared_ptr<const RuleSet>& rules,
                               const std::vector<Instant>& boundaries, Executor& executor) {
  RepositoryScan scan;
  scan.repository.name = name;
  CheckRequest check = request.check;
  check.repository = path;
  check.loaded_rules = rules;
  check.reuse_reads = true;       // the trend's commits share most of their manifests and runbooks
  check.cite_provenance = false;  // no report of the fleet shows it
  check.jobs = 1;  // the repositories are the fleet's parallelism; a repository's manifests
                   // are evaluated on the task that holds it
  check.on_phase = nullptr;
  auto checker = Checker::open(check, executor);
  if (!checker) {
    scan.errors.push_back({name, checker.error().to_string()});
    return scan;
  }
  scan.packs = pack_infos(checker->rules());
  const Repository& repository = checker->repository();
  auto commit = repository.resolve_commit(request.rev);
  if (!commit) {
    scan.errors.push_back({name, commit.error().to_string()});
    return scan;
  }
  // One first-parent chain for the scan and every trend point: each point's history is the
  // chain from its commit on, walked once for all of them.
  std::shared_ptr<History> history = repository.history_at(*commit, &executor);
  Report report = checker->new_report();
  std::vector<ManifestError> unevaluated;
  if (auto ok = checker->evaluate(CheckTarget{*commit, "", false, std::nullopt, history}, report,
                                  &unevaluated);
      !ok) {
    scan.errors.push_back({name, ok.error().to_string()});
    return scan;
  }
  const std::string revision = report.revision.value_or("");
  scan.repository.revision = revision;
  for (const ManifestResult& result : report.manifests)
    scan.services.push_back(service_of(name, revision, result, check.fail_on));
  for (const ManifestError& error : unevaluated)
    scan.services.push_back(errored_service(name, revision, error));
  std::sort(scan.services.begin(), scan.services.end(),
            [](const FleetService& a, const FleetService& b) { return a.manifest < b.manifest; });
  scan.repository.services = static_cast<int>(scan.services.size());
  scan.evaluated = true;
  report = Report();
  if (boundaries.empty()) return scan;

  // The trend: the last first-parent commit before each boundary, evaluated as of the
  // boundary. The chain is walked once, back to the oldest boundary.
  scan.points.resize(boundaries.size());
  auto* git_history = dynamic_cast<GitHistory*>(history.get());
  if (!git_history) {
    scan.errors.push_back(
        {name, std::string(tr("the trend needs the repository's history")), std::nullopt});
    return scan;
  }
  bool cut = false;
  auto chain = git_history->chain_until(boundaries.front().utc, cut);
  if (!chain) {
    scan.errors.push_back({name, chain.error().to_string()});
    return scan;
  }
  for (std::size_t i = 0; i < boundaries.size(); ++i) {
    const Instant& boundary = boundaries[i];
    auto link = std::find_if(chain->begin(), chain->end(),
                             [&](const GitHistory::Link& l) { return l.when < boundary.utc; });
    if (link == chain->end()) {
      if (cut)
        scan.errors.push_back(
            {name,
             trf("the history is cut (a shallow clone) before {}: that point is left out; "
                 "deepen the clone (git fetch --deepen=N) to cover the trend window",
                 format_local(boundary)),
             format_local(boundary)});
      continue;  // younger than the point: the repository starts later
    }
    std::shared_ptr<History> at_link =
        repository.history_along(*history, static_cast<std::size_t>(link - chain->begin()));
    Report at_point = checker->new_report();
    std::vector<ManifestError> bad;
    if (auto ok = checker->evaluate(CheckTarget{link->commit, "", false, boundary}, at_point, &bad);
        !ok) {
      scan.errors.push_back({name, ok.error().to_string(), format_local(boundary)});
      continue;
    }
    std::map<std::string, FleetCounts> teams;
    for (const ManifestResult& result : at_point.manifests) {
      FleetService service = service_of(name, link->commit, result, check.fail_on);
      teams[team_of(service)].add(service);
    }
    for (const ManifestError& error : bad) {
      FleetService service = errored_service(name, link->commit, error);
      teams[team_of(service)].add(service);
    }
    scan.points[i] = std::move(teams);
  }
  return scan;
}

bool uses_repository_rules(const std::vector<std::string>& sources) {
  return std::any_of(sources.begin(), sources.end(), [](const std::string& source) {
    return classify_rule_source(source) == RuleSourceKind::revision;
  });
}

void sort_report(FleetReport& report) {
  std::sort(report.repositories.begin(), report.repositories.end(),
            [](const FleetRepository& a, const FleetRepository& b) { return a.name < b.name; });
  std::sort(report.services.begin(), report.services.end(),
            [](const FleetService& a, const FleetService& b) {
              return std::tie(a.repository, a.manifest) < std::tie(b.repository, b.manifest);
            });
  const auto key = [](const FleetError& e) {
    return std::tuple(e.source, e.point.value_or(""), e.message);
  };
  std::sort(report.errors.begin(), report.errors.end(),
            [&](const FleetError& a, const FleetError& b) { return key(a) < key(b); });
  report.errors.erase(
      std::unique(report.errors.begin(), report.errors.end(),
                  [&](const FleetError& a, const FleetError& b) { return key(a) == key(b); }),
      report.errors.end());
}

}  // namespace

std::string TrendSpec::text() const {
  return fmt::format("{}{}", count, unit == Unit::week ? 'w' : 'm');
}

Expected<TrendSpec> parse_trend(std::string_view text) {
  TrendSpec spec;
  const auto bad = [&] {
    return fail(ErrorKind::usage,
                trf("--trend {}: expected a number of weeks or months, e.g. 12w (1 to "
                    "104) or 6m (1 to 24)",
                    text));
  };
  if (text.size() < 2) return bad();
  const char unit = text.back();
  if (unit != 'w' && unit != 'm') return bad();
  auto count = parse_int(text.substr(0, text.size() - 1));
  spec.unit = unit == 'w' ? TrendSpec::Unit::week : TrendSpec::Unit::month;
  const int most = spec.unit == TrendSpec::Unit::week ? 104 : 24;
  if (!count || *count < 1 || *count > most) return bad();
  spec.count = *count;
  return spec;
}

std::vector<Instant> trend_boundaries(const TrendSpec& spec, const Instant& at) {
  using namespace std::chrono;
  const sys_days today = at.local_day();
  sys_days first;
  if (spec.unit == TrendSpec::Unit::week) {
    const unsigned since_monday = weekday(today).iso_encoding() - 1;
    first = today - days(since_monday);
  } else {
    const year_month_day ymd(today);
    first = sys_days(ymd.year() / ymd.month() / 1);
  }
  std::vector<Instant> boundaries;
  for (int k = spec.count - 1; k >= 0; --k) {
    sys_days day;
    if (spec.unit == TrendSpec::Unit::week) {
      day = first - days(7 * k);
    } else {
      const year_month_day ymd(first);
      day = sys_days((ymd.year() / ymd.month() - months(k)) / 1);
    }
    // Local midnight at --at's offset, as an instant.
    boundaries.push_back(Instant{Seconds(day.time_since_epoch()) - at.offset, at.offset});
  }
  return boundaries;
}

Expected<Shard> parse_shard(std::string_view text) {
  const std::size_t slash = text.find('/');
  std::optional<int> index, total;
  if (slash != std::string_view::npos) {
    index = parse_int(text.substr(0, slash));
    total = parse_int(text.substr(slash + 1));
  }
  if (!index || !total || *total < 1 || *index < 1 || *index > *total)
    return fail(ErrorKind::usage, trf("--shard {}: expected I/N with 1 <= I <= N (1-based, as "
                                      "CI_NODE_INDEX/CI_NODE_TOTAL)",
                                      text));
  return Shard{*index, *total};
}

bool in_shard(const Shard& shard, std::size_t position) {
  return static_cast<int>(position % static_cast<std::size_t>(shard.total)) == shard.index - 1;
}

void FleetCounts::add(const FleetService& service) {
  ++services;
  if (service.outcome == "error") {
    ++errors;
    return;
  }
  ++levels[static_cast<std::size_t>(std::clamp(service.level, 0, k_max_level))];
  if (service.outcome == "pass")
    ++passed;
  else
    ++failed;
}

void FleetCounts::add(const FleetCounts& other) {
  services += other.services;
  passed += other.passed;
  failed += other.failed;
  errors += other.errors;
  for (std::size_t i = 0; i < levels.size(); ++i) levels[i] += other.levels[i];
}

double FleetCounts::pass_rate() const {
  return services == 0 ? 0.0 : static_cast<double>(passed) / services;
}

bool FleetReport::source_failed() const {
  return std::any_of(errors.begin(), errors.end(),
                     [](const FleetError& error) { return !error.point; });
}

std::string team_of(const FleetService& service) {
  return service.owner.empty() ? "(no owner)" : service.owner;
}

FleetSummary summarize(const FleetReport& report) {
  FleetSummary summary;
  std::map<std::string, TeamSummary> teams;
  std::map<std::string, std::map<std::string, int>> team_rules;
  std::map<std::string, RuleSummary> rules;
  std::set<std::string> areas;
  for (const FleetService& service : report.services) {
    summary.counts.add(service);
    const std::string team = team_of(service);
    TeamSummary& entry = teams[team];
    entry.team = team;
    entry.counts.add(service);
    for (const auto& [area, status] : service.areas) {
      areas.insert(area);
      auto& cell = entry.areas[area];
      ++cell.second;
      if (status == "pass") ++cell.first;
    }
    for (const FleetFinding& finding : service.failing) {
      ++team_rules[team][finding.rule];
      RuleSummary& rule = rules[finding.rule];
      if (rule.rule.empty())
        rule = RuleSummary{finding.rule,     finding.title, finding.area,
                           finding.severity, finding.level, 0};
      ++rule.services;
    }
  }
  const auto most_first = [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  for (auto& [team, entry] : teams) {
    for (const auto& counted : team_rules[team]) entry.failing_rules.push_back(counted);
    std::sort(entry.failing_rules.begin(), entry.failing_rules.end(), most_first);
    summary.teams.push_back(std::move(entry));
  }
  for (auto& [id, rule] : rules) summary.rules.push_back(std::move(rule));
  std::stable_sort(summary.rules.begin(), summary.rules.end(),
                   [](const RuleSummary& a, const RuleSummary& b) {
                     return a.services != b.services ? a.services > b.services : a.rule < b.rule;
                   });
  summary.areas.assign(areas.begin(), areas.end());
  return summary;
}

SourceList expand_sources(const std::vector<std::string>& sources) {
  SourceList list;
  for (const std::string& source : sources) {
    if (!source.starts_with('@')) {
      expand_path(source, list);
      continue;
    }
    const std::string file = source.substr(1);
    std::ifstream in(file);
    if (!in) {
      list.errors.push_back({source, std::string(tr("cannot read the list of repositories"))});
      continue;
    }
    std::size_t number = 0;
    std::size_t before = list.repositories.size() + list.errors.size();
    for (std::string line; std::getline(in, line);) {
      ++number;
      const std::string entry = trimmed(line);
      if (entry.empty() || entry.starts_with('#')) continue;
      if (entry.starts_with('@')) {
        list.errors.push_back(
            {source, trf("{}:{}: a list names repositories and directories, not another list ({})",
                         file, number, entry)});
        continue;
      }
      expand_path(entry, list);
    }
    if (list.repositories.size() + list.errors.size() == before)
      list.errors.push_back({source, std::string(tr("names no repository"))});
  }
  // The same repository named twice (a path and its directory's child) is scanned once, under
  // its first name in sorted order.
  std::sort(list.repositories.begin(), list.repositories.end());
  std::set<std::string> seen;
  std::vector<std::pair<std::string, std::string>> unique;
  for (auto& repository : list.repositories) {
    std::error_code ec;
    std::string real = fs::weakly_canonical(repository.second, ec).string();
    if (seen.insert(ec ? repository.second : real).second) unique.push_back(std::move(repository));
  }
  list.repositories = std::move(unique);
  return list;
}

Expected<FleetReport> scan_fleet(const FleetRequest& request, Executor& executor) try {
  if (!request.check.at)
    return fail(ErrorKind::usage,
                std::string(tr("the fleet scan needs its evaluation time (--at or now)")));
  FleetReport report;
  report.environment = request.check.environment;
  report.lang = language();
  report.stage = request.check.stage;
  report.at = *request.check.at;
  report.rev = request.rev;
  report.fail_on = request.check.fail_on;
  report.trend = request.trend;
  report.shard = request.shard;
  if (request.sources.empty())
    return fail(ErrorKind::usage,
                std::string(tr(
                    "fleet: give at least one SOURCE (a repository, a directory of repositories or "
                    "@FILE)")));

  // Rules from directories, files and installed packs are loaded once for every repository;
  // a REV:PATH source names a revision of each repository (its own pack, e.g.
  // origin/main:.opsgate/rules), so those are loaded per repository.
  std::shared_ptr<const RuleSet> shared_rules;
  if (!uses_repository_rules(request.check.rules)) {
    auto loaded = load_rule_set(request.check.rules, request.check.environment, nullptr);
    if (!loaded) return std::unexpected(loaded.error());
    shared_rules = std::make_shared<const RuleSet>(std::move(*loaded));
    report.packs = pack_infos(*shared_rules);
  }
  load_time_zones();

  SourceList sources = expand_sources(request.sources);
  report.errors = std::move(sources.errors);
  std::vector<std::pair<std::string, std::string>> mine;
  for (std::size_t i = 0; i < sources.repositories.size(); ++i)
    if (!request.shard || in_shard(*request.shard, i))
      mine.push_back(std::move(sources.repositories[i]));

  const std::vector<Instant> boundaries =
      request.trend ? trend_boundaries(*request.trend, report.at) : std::vector<Instant>{};
  report.trend_points.resize(boundaries.empty() ? 0 : boundaries.size() + 1);
  for (std::size_t i = 0; i < boundaries.size(); ++i) report.trend_points[i].date = boundaries[i];
  if (!boundaries.empty()) {
    report.trend_points.back().date = report.at;
    report.trend_points.back().current = true;
  }

  std::vector<std::future<RepositoryScan>> scans;
  scans.reserve(mine.size());
  for (const auto& [name, path] : mine)
    scans.push_back(executor.submit([&, name = name, path = path] {
      return scan_repository(name, path, request, shared_rules, boundaries, executor);
    }));
  for (auto& future : scans) {
    RepositoryScan scan = executor.wait(future);
    for (FleetError& error : scan.errors) report.errors.push_back(std::move(error));
    if (!scan.evaluated) continue;
    if (report.packs.empty()) report.packs = std::move(scan.packs);
    if (!boundaries.empty()) {
      TrendPoint& now = report.trend_points.back();
      ++now.repositories;
      for (const FleetService& service : scan.services) {
        now.overall.add(service);
        now.teams[team_of(service)].add(service);
      }
      for (std::size_t i = 0; i < scan.points.size(); ++i) {
        if (!scan.points[i]) continue;
        TrendPoint& point = report.trend_points[i];
        ++point.repositories;
        for (const auto& [team, counts] : *scan.points[i]) {
          point.overall.add(counts);
          point.teams[team].add(counts);
        }
      }
    }
    report.repositories.push_back(std::move(scan.repository));
    for (FleetService& service : scan.services) report.services.push_back(std::move(service));
  }
  sort_report(report);
  return report;
} catch (const std::bad_alloc&) {
  return fail(ErrorKind::unavailable, std::string(tr("out of memory while scanning the fleet")));
}

Expected<FleetReport> merge_fleet(std::vector<std::pair<std::string, FleetReport>> shards) {
  if (shards.empty())
    return fail(ErrorKind::usage, std::string(tr("fleet merge: no shard report given")));
  FleetReport merged = std::move(shards.front().second);
  const std::string first = shards.front().first;
  merged.shard.reset();
  std::set<std::string> repositories;
  for (const FleetRepository& repository : merged.repositories)
    repositories.insert(repository.name);
  for (std::size_t s = 1; s < shards.size(); ++s) {
    auto& [file, shard] = shards[s];
    const auto differs = [&](std::string_view what, const std::string& mine,
                             const std::string& theirs) {
      return fail(ErrorKind::usage,
                  trf("fleet merge: {} has {} {}, {} has {}: not shards of one scan", file, what,
                      theirs, first, mine));
    };
    if (shard.environment != merged.environment)
      return differs(tr("environment"), merged.environment, shard.environment);
    if (shard.stage != merged.stage)
      return differs(tr("stage"), std::string(stage_name(merged.stage)),
                     std::string(stage_name(shard.stage)));
    if (shard.at.utc != merged.at.utc || shard.at.offset != merged.at.offset)
      return differs(tr("evaluation time"), format_local(merged.at), format_local(shard.at));
    if (shard.rev != merged.rev) return differs(tr("revision"), merged.rev, shard.rev);
    if (shard.lang != merged.lang)
      return differs(tr("language"), std::string(lang_name(merged.lang)),
                     std::string(lang_name(shard.lang)));
    if (shard.fail_on != merged.fail_on)
      return differs("--fail-on", std::string(severity_name(merged.fail_on)),
                     std::string(severity_name(shard.fail_on)));
    const std::string trend = merged.trend ? merged.trend->text() : "none";
    const std::string their_trend = shard.trend ? shard.trend->text() : "none";
    if (trend != their_trend) return differs(tr("trend"), trend, their_trend);
    if (shard.trend_points.size() != merged.trend_points.size())
      return differs(tr("trend points"), std::to_string(merged.trend_points.size()),
                     std::to_string(shard.trend_points.size()));
    for (FleetRepository& repository : shard.repositories) {
      if (!repositories.insert(repository.name).second)
        return fail(ErrorKind::usage,
                    trf("fleet merge: repository {} is in {} and in another shard report",
                        repository.name, file));
      merged.repositories.push_back(std::move(repository));
    }
    for (FleetService& service : shard.services) merged.services.push_back(std::move(service));
    for (FleetError& error : shard.errors) merged.errors.push_back(std::move(error));
    if (merged.packs.empty()) merged.packs = std::move(shard.packs);
    for (std::size_t i = 0; i < shard.trend_points.size(); ++i) {
      TrendPoint& into = merged.trend_points[i];
      const TrendPoint& from = shard.trend_points[i];
      into.repositories += from.repositories;
      into.overall.add(from.overall);
      for (const auto& [team, counts] : from.teams) into.teams[team].add(counts);
    }
  }
  sort_report(merged);
  return merged;
}

FleetReport fleet_error_report(const FleetRequest& request, const Error& error) {
  FleetReport report;
  report.environment = request.check.environment;
  report.lang = language();
  report.stage = request.check.stage;
  if (request.check.at) report.at = *request.check.at;
  report.rev = request.rev;
  report.fail_on = request.check.fail_on;
  report.trend = request.trend;
  report.shard = request.shard;
  report.errors.push_back({"", error.to_string()});
  return report;
}

}  // namespace opsgate
