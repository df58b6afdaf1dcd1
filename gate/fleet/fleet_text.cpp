// The fleet report as text: a summary line, then one aligned table per section.

#include <fmt/format.h>

#include "fleet_render.hpp"
#include "terminal_text.hpp"

namespace opsgate {

namespace {

// Columns padded to their widest cell (counted in code points, close enough for a table).
class Table {
 public:
  explicit Table(std::vector<std::string> header) { m_rows.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }

  std::string render() const {
    std::vector<std::size_t> widths;
    for (const auto& row : m_rows)
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (widths.size() <= i) widths.push_back(0);
        widths[i] = std::max(widths[i], width(row[i]));
      }
    std::string out;
    for (const auto& row : m_rows) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line.append(widths[i] - width(row[i]) + 2, ' ');
      }
      while (line.ends_with(' ')) line.pop_back();  // an empty last cell
      out += line + "\n";
    }
    return out;
  }

 private:
  static std::size_t width(const std::string& text) {
    std::size_t count = 0;
    for (unsigned char c : text) count += (c & 0xC0) != 0x80;
    return count;
  }
  std::vector<std::vector<std::string>> m_rows;
};

std::string percent(const FleetCounts& counts) {
  return fmt::format("{:.1f}%", counts.pass_rate() * 100.0);
}

std::string levels_text(const LevelHistogram& levels) {
  std::string out;
  for (std::size_t i = 0; i < levels.size(); ++i)
    out += fmt::format("{}L{} {}", i ? "  " : "", i, levels[i]);
  return out;
}

std::string safe(std::string_view text) {
  return escape_control(text);
}

}  // namespace

std::string render_fleet_text(const FleetReport& report, bool color) {
  const FleetSummary summary = summarize(report);
  const FleetCounts& counts = summary.counts;
  const auto paint = [&](const std::string& outcome) {
    if (!color) return outcome;
    const char* code = outcome == "pass" ? "32" : outcome == "fail" ? "31" : "35";
    return fmt::format("\x1b[{}m{}\x1b[0m", code, outcome);
  };
  std::string out = fmt::format(
      "opsgate fleet: {} service{} in {} repositor{} ({}, {}, {}{}): {} pass, {} fail, {} "
      "error{}; pass rate {}\n",
      counts.services, counts.services == 1 ? "" : "s", report.repositories.size(),
      report.repositories.size() == 1 ? "y" : "ies", safe(report.environment),
      format_local(report.at), safe(report.rev),
      report.shard ? fmt::format(", shard {}/{}", report.shard->index, report.shard->total) : "",
      counts.passed, counts.failed, counts.errors, counts.errors == 1 ? "" : "s", percent(counts));
  out += fmt::format("levels: {}\n", levels_text(counts.levels));

  out += "\nSERVICES\n";
  Table services(
      {"REPOSITORY", "MANIFEST", "SERVICE", "OWNER", "TIER", "LEVEL", "OUTCOME", "FAILING"});
  for (const FleetService& service : report.services) {
    std::string failing;
    for (const FleetFinding& finding : service.failing)
      failing += (failing.empty() ? "" : " ") + finding.rule;
    if (service.outcome == "error") failing = safe(service.error);
    services.add({safe(service.repository), safe(service.manifest), safe(service.name),
                  safe(service.owner), safe(service.tier),
                  service.outcome == "error" ? "-" : std::to_string(service.level),
                  paint(service.outcome), failing});
  }
  out += services.render();

  out += "\nTEAMS\n";
  Table teams({"TEAM", "SERVICES", "PASS", "FAIL", "ERROR", "PASS RATE", "LEVELS", "FAILING MOST"});
  for (const TeamSummary& team : summary.teams) {
    std::string most;
    for (std::size_t i = 0; i < team.failing_rules.size() && i < 3; ++i)
      most += fmt::format("{}{} ({})", i ? ", " : "", team.failing_rules[i].first,
                          team.failing_rules[i].second);
    teams.add({safe(team.team), std::to_string(team.counts.services),
               std::to_string(team.counts.passed), std::to_string(team.counts.failed),
               std::to_string(team.counts.errors), percent(team.counts),
               levels_text(team.counts.levels), most});
  }
  out += teams.render();

  out += "\nRULES FAILING MOST\n";
  if (summary.rules.empty()) {
    out += "(no rule fails)\n";
  } else {
    Table rules({"RULE", "SERVICES", "SEVERITY", "AREA", "TITLE"});
    for (const RuleSummary& rule : summary.rules)
      rules.add({safe(rule.rule), std::to_string(rule.services), rule.severity, safe(rule.area),
                 safe(rule.title)});
    out += rules.render();
  }

  if (report.trend) {
    out += fmt::format("\nTREND ({})\n", report.trend->text());
    Table trend({"DATE", "REPOSITORIES", "SERVICES", "PASS RATE", "LEVELS"});
    for (const TrendPoint& point : report.trend_points)
      trend.add({format_local(point.date) + (point.current ? " (now)" : ""),
                 std::to_string(point.repositories), std::to_string(point.overall.services),
                 percent(point.overall), levels_text(point.overall.levels)});
    out += trend.render();
  }

  if (!report.errors.empty()) {
    out += "\nERRORS\n";
    for (const FleetError& error : report.errors)
      out += fmt::format("{}{}: {}\n", safe(error.source.empty() ? "opsgate" : error.source),
                         error.point ? " at " + *error.point : "", safe(error.message));
  }
  return out;
}

}  // namespace opsgate
