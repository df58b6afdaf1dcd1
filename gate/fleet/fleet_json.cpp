// The fleet report as JSON (docs/fleet.schema.json), and back for `fleet merge`.

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "fleet_render.hpp"

#include "i18n.hpp"

namespace opsgate {

using json = nlohmann::ordered_json;

namespace {

constexpr std::string_view k_kind = "opsgate-fleet";
constexpr int k_format_version = 1;

// Four decimals: stable across shards and merges (the same integers give the same text).
double rounded_rate(const FleetCounts& counts) {
  return std::round(counts.pass_rate() * 10000.0) / 10000.0;
}

void add_counts(json& out, const FleetCounts& counts) {
  out["services"] = counts.services;
  out["passed"] = counts.passed;
  out["failed"] = counts.failed;
  out["errors"] = counts.errors;
  out["pass_rate"] = rounded_rate(counts);
  out["levels"] = counts.levels;
}

json counts_json(const FleetCounts& counts) {
  json out;
  add_counts(out, counts);
  return out;
}

json location_json(const SourcePos& where) {
  json out;
  out["path"] = where.path;
  out["line"] = where.line;
  out["column"] = where.column;
  return out;
}

json service_json(const FleetService& service) {
  json out;
  out["repository"] = service.repository;
  out["revision"] = service.revision;
  out["manifest"] = service.manifest;
  out["name"] = service.name;
  out["owner"] = service.owner;
  out["tier"] = service.tier;
  out["level"] = service.outcome == "error" ? json() : json(service.level);
  out["outcome"] = service.outcome;
  out["error"] = service.error.empty() ? json() : json(service.error);
  out["areas"] = json::object();
  for (const auto& [area, status] : service.areas) out["areas"][area] = status;
  out["failing"] = json::array();
  for (const FleetFinding& finding : service.failing) {
    json entry;
    entry["rule"] = finding.rule;
    entry["title"] = finding.title;
    entry["severity"] = finding.severity;
    entry["area"] = finding.area;
    entry["level"] = finding.level;
    entry["message"] = finding.message;
    entry["help"] = finding.help;
    entry["location"] = location_json(finding.where);
    out["failing"].push_back(std::move(entry));
  }
  out["waived"] = service.waived;
  return out;
}

// --- reading -----------------------------------------------------------------------------

FleetCounts counts_from(const json& in) {
  FleetCounts counts;
  counts.services = in.at("services").get<int>();
  counts.passed = in.at("passed").get<int>();
  counts.failed = in.at("failed").get<int>();
  counts.errors = in.at("errors").get<int>();
  const json& levels = in.at("levels");
  if (!levels.is_array() || levels.size() != counts.levels.size())
    throw std::runtime_error("levels: expected 6 counts (levels 0 to 5)");
  for (std::size_t i = 0; i < counts.levels.size(); ++i) counts.levels[i] = levels[i].get<int>();
  return counts;
}

std::string string_or_empty(const json& in, const char* key) {
  const json& value = in.at(key);
  return value.is_null() ? std::string() : value.get<std::string>();
}

FleetService service_from(const json& in) {
  FleetService service;
  service.repository = in.at("repository").get<std::string>();
  service.revision = in.at("revision").get<std::string>();
  service.manifest = in.at("manifest").get<std::string>();
  service.name = in.at("name").get<std::string>();
  service.owner = in.at("owner").get<std::string>();
  service.tier = in.at("tier").get<std::string>();
  service.outcome = in.at("outcome").get<std::string>();
  if (service.outcome != "pass" && service.outcome != "fail" && service.outcome != "error")
    throw std::runtime_error("outcome: expected pass, fail or error");
  service.level = in.at("level").is_null() ? 0 : in.at("level").get<int>();
  if (service.level < 0 || service.level > k_max_level)
    throw std::runtime_error("level: expected 0 to 5");
  service.error = string_or_empty(in, "error");
  for (const auto& [area, status] : in.at("areas").items())
    service.areas[area] = status.get<std::string>();
  for (const json& entry : in.at("failing")) {
    FleetFinding finding;
    finding.rule = entry.at("rule").get<std::string>();
    finding.title = entry.at("title").get<std::string>();
    finding.severity = entry.at("severity").get<std::string>();
    finding.area = entry.at("area").get<std::string>();
    finding.level = entry.at("level").get<int>();
    finding.message = entry.at("message").get<std::string>();
    finding.help = entry.at("help").get<std::string>();
    const json& location = entry.at("location");
    finding.where.path = location.at("path").get<std::string>();
    finding.where.line = location.at("line").get<std::uint32_t>();
    finding.where.column = location.at("column").get<std::uint32_t>();
    service.failing.push_back(std::move(finding));
  }
  service.waived = in.at("waived").get<int>();
  return service;
}

Instant instant_from(const json& in, const char* key) {
  auto parsed = parse_rfc3339(in.at(key).get<std::string>());
  if (!parsed) throw std::runtime_error(std::string(key) + ": " + parsed.error().message);
  return *parsed;
}

}  // namespace

std::vector<std::string> fleet_formats() {
  return {"text", "json", "html"};
}

Expected<void> check_fleet_format(std::string_view format, std::string_view option) {
  for (const std::string& known : fleet_formats())
    if (format == known) return {};
  return fail(ErrorKind::usage,
              trf("{} {}: unknown format '{}' (text, json, html)", option, format, format));
}

std::string render_fleet_json(const FleetReport& report) {
  const FleetSummary summary = summarize(report);
  json out;
  out["tool"] = {{"name", "opsgate"}, {"version", OPSGATE_VERSION}};
  out["kind"] = k_kind;
  out["format"] = k_format_version;
  out["environment"] = report.environment;
  out["stage"] = stage_name(report.stage);
  out["evaluated_at"] = format_local(report.at);
  out["revision"] = report.rev;
  out["fail_on"] = severity_name(report.fail_on);
  out["lang"] = lang_name(report.lang);
  out["packs"] = json::array();
  for (const PackInfo& pack : report.packs)
    out["packs"].push_back({{"name", pack.name},
                            {"version", pack.version},
                            {"source", pack.source},
                            {"origin", pack.origin}});
  out["shard"] =
      report.shard ? json{{"index", report.shard->index}, {"total", report.shard->total}} : json();
  json overall = counts_json(summary.counts);
  overall["repositories"] = report.repositories.size();
  out["summary"] = std::move(overall);
  out["repositories"] = json::array();
  for (const FleetRepository& repository : report.repositories)
    out["repositories"].push_back({{"name", repository.name},
                                   {"revision", repository.revision},
                                   {"services", repository.services}});
  out["services"] = json::array();
  for (const FleetService& service : report.services)
    out["services"].push_back(service_json(service));
  out["teams"] = json::array();
  for (const TeamSummary& team : summary.teams) {
    json entry;
    entry["team"] = team.team;
    add_counts(entry, team.counts);
    entry["failing_rules"] = json::array();
    for (const auto& [rule, services] : team.failing_rules)
      entry["failing_rules"].push_back({{"rule", rule}, {"services", services}});
    entry["areas"] = json::object();
    for (const auto& [area, cell] : team.areas)
      entry["areas"][area] = {{"passed", cell.first}, {"services", cell.second}};
    out["teams"].push_back(std::move(entry));
  }
  out["rules"] = json::array();
  for (const RuleSummary& rule : summary.rules)
    out["rules"].push_back({{"rule", rule.rule},
                            {"title", rule.title},
                            {"area", rule.area},
                            {"severity", rule.severity},
                            {"level", rule.level},
                            {"services", rule.services}});
  if (report.trend) {
    json trend;
    trend["window"] = report.trend->text();
    trend["points"] = json::array();
    for (const TrendPoint& point : report.trend_points) {
      json entry;
      entry["date"] = format_local(point.date);
      entry["current"] = point.current;
      entry["repositories"] = point.repositories;
      add_counts(entry, point.overall);
      entry["teams"] = json::object();
      for (const auto& [team, counts] : point.teams) entry["teams"][team] = counts_json(counts);
      trend["points"].push_back(std::move(entry));
    }
    out["trend"] = std::move(trend);
  } else {
    out["trend"] = json();
  }
  out["errors"] = json::array();
  for (const FleetError& error : report.errors)
    out["errors"].push_back({{"source", error.source},
                             {"message", error.message},
                             {"point", error.point ? json(*error.point) : json()}});
  // Replaced, not thrown on: a manifest's bytes are not always UTF-8.
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Expected<FleetReport> parse_fleet_json(std::string_view text, const std::string& name) try {
  const json in = json::parse(text);
  if (!in.is_object() || in.value("kind", "") != k_kind)
    return fail(ErrorKind::invalid,
                trf("{}: not a fleet report (opsgate fleet --format json)", name));
  if (in.at("format").get<int>() != k_format_version)
    return fail(ErrorKind::invalid, trf("{}: fleet report format {} (this opsgate reads {})", name,
                                        in.at("format").dump(), k_format_version));
  FleetReport report;
  report.environment = in.at("environment").get<std::string>();
  auto stage = parse_stage(in.at("stage").get<std::string>());
  if (!stage) throw std::runtime_error("stage: unknown");
  report.stage = *stage;
  report.at = instant_from(in, "evaluated_at");
  report.rev = in.at("revision").get<std::string>();
  auto fail_on = parse_severity(in.at("fail_on").get<std::string>());
  if (!fail_on) throw std::runtime_error("fail_on: unknown");
  report.fail_on = *fail_on;
  auto lang = parse_lang(in.at("lang").get<std::string>());
  if (!lang) throw std::runtime_error("lang: unknown");
  report.lang = *lang;
  for (const json& pack : in.at("packs"))
    report.packs.push_back(PackInfo{
        pack.at("name").get<std::string>(), pack.at("version").get<std::string>(),
        pack.at("source").get<std::string>(), pack.at("origin").get<std::string>(), std::string()});
  if (const json& shard = in.at("shard"); !shard.is_null())
    report.shard = Shard{shard.at("index").get<int>(), shard.at("total").get<int>()};
  for (const json& repository : in.at("repositories"))
    report.repositories.push_back(FleetRepository{repository.at("name").get<std::string>(),
                                                  repository.at("revision").get<std::string>(),
                                                  repository.at("services").get<int>()});
  for (const json& service : in.at("services")) report.services.push_back(service_from(service));
  if (const json& trend = in.at("trend"); !trend.is_null()) {
    auto spec = parse_trend(trend.at("window").get<std::string>());
    if (!spec) throw std::runtime_error("trend.window: " + spec.error().message);
    report.trend = *spec;
    for (const json& entry : trend.at("points")) {
      TrendPoint point;
      point.date = instant_from(entry, "date");
      point.current = entry.at("current").get<bool>();
      point.repositories = entry.at("repositories").get<int>();
      point.overall = counts_from(entry);
      for (const auto& [team, counts] : entry.at("teams").items())
        point.teams[team] = counts_from(counts);
      report.trend_points.push_back(std::move(point));
    }
  }
  for (const json& error : in.at("errors")) {
    FleetError entry{error.at("source").get<std::string>(), error.at("message").get<std::string>(),
                     std::nullopt};
    if (!error.at("point").is_null()) entry.point = error.at("point").get<std::string>();
    report.errors.push_back(std::move(entry));
  }
  return report;
} catch (const json::parse_error& error) {
  return fail(ErrorKind::invalid, trf("{}: not valid JSON: {}", name, error.what()));
} catch (const std::exception& error) {
  return fail(ErrorKind::invalid,
              trf("{}: not a fleet report this opsgate can read: {}", name, error.what()));
}

std::string render_fleet(const FleetReport& report, std::string_view format, bool color) {
  if (format == "json") return render_fleet_json(report);
  if (format == "html") return render_fleet_html(report);
  return render_fleet_text(report, color);
}

}  // namespace opsgate
