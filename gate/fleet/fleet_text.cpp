// The fleet report as text: a summary line, then one aligned table per section.

#include <fmt/format.h>

#include "fleet_render.hpp"
#include "i18n.hpp"
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

std::string percent(const FleetCounts& counts) {
  return fmt::format("{:.1f}%", counts.pass_rate() * 100.0);
}

std::string render_fleet_text(const FleetReport& report, bool color) {
  const FleetSummary summary = summarize(report);
  const FleetCounts& counts = summary.counts;
  // Outcomes are ids in the JSON; here they are words in the report's language.
  const auto paint = [&](const std::string& outcome) {
    const std::string word(tr(outcome));
    if (!color) return word;
    const char* code = outcome == "pass" ? "32" : outcome == "fail" ? "31" : "35";
    return fmt::format("\x1b[{}m{}\x1b[0m", code, word);
  };
  std::string out =
      trf("opsgate fleet: {} in {} ({}, {}, {}{}): {} pass, {} fail, {}; pass rate {}",
          trnf("{} service", "{} services", counts.services, counts.services),
          trnf("{} repository", "{} repositories", report.repositories.size(),
               report.repositories.size()),
          safe(report.environment), format_local(report.at), safe(report.rev),
          report.shard ? trf(", shard {}/{}", report.shard->index, report.shard->total) : "",
          counts.passed, counts.failed, trnf("{} error", "{} errors", counts.errors, counts.errors),
          percent(counts));
  out += "\n" + trf("levels: {}", levels_text(counts.levels)) + "\n";

  out += fmt::format("\n{}\n", tr("SERVICES"));
  Table services({std::string(tr("REPOSITORY")), std::string(tr("MANIFEST")),
                  std::string(tr("SERVICE")), std::string(tr("OWNER")), std::string(tr("TIER")),
                  std::string(tr("LEVEL")), std::string(tr("OUTCOME")),
                  std::string(tr("FAILING"))});
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

  out += fmt::format("\n{}\n", tr("TEAMS"));
  Table teams({std::string(tr("TEAM")), std::string(tr("SERVICES")), std::string(tr("PASS")),
               std::string(tr("FAIL")), std::string(tr("ERROR")), std::string(tr("PASS RATE")),
               std::string(tr("LEVELS")), std::string(tr("FAILING MOST"))});
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

  out += fmt::format("\n{}\n", tr("RULES FAILING MOST"));
  if (summary.rules.empty()) {
    out += fmt::format("{}\n", tr("(no rule fails)"));
  } else {
    Table rules({std::string(tr("RULE")), std::string(tr("SERVICES")), std::string(tr("SEVERITY")),
                 std::string(tr("AREA")), std::string(tr("TITLE"))});
    for (const RuleSummary& rule : summary.rules)
      rules.add({safe(rule.rule), std::to_string(rule.services), std::string(tr(rule.severity)),
                 safe(rule.area), safe(rule.title)});
    out += rules.render();
  }

  if (report.trend) {
    out += fmt::format("\n{}\n", trf("TREND ({})", report.trend->text()));
    Table trend({std::string(tr("DATE")), std::string(tr("REPOSITORIES")),
                 std::string(tr("SERVICES")), std::string(tr("PASS RATE")),
                 std::string(tr("LEVELS"))});
    for (const TrendPoint& point : report.trend_points)
      trend.add({format_local(point.date) + (point.current ? " " + std::string(tr("(now)")) : ""),
                 std::to_string(point.repositories), std::to_string(point.overall.services),
                 percent(point.overall), levels_text(point.overall.levels)});
    out += trend.render();
  }

  if (!report.errors.empty()) {
    out += fmt::format("\n{}\n", tr("ERRORS"));
    for (const FleetError& error : report.errors)
      out += fmt::format("{}{}: {}\n", safe(error.source.empty() ? "opsgate" : error.source),
                         error.point ? trf(" at {}", *error.point) : "", safe(error.message));
  }
  return out;
}

}  // namespace opsgate
