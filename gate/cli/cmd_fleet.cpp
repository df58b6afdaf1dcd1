// opsgate fleet: every service of every repository, as a table, JSON or one HTML page; and
// opsgate fleet merge: shard reports into one. The scan is the library's (fleet.hpp); this
// only turns options into a request and the report into stdout and files.

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "fleet.hpp"
#include "fleet_render.hpp"
#include "i18n.hpp"
#include "options.hpp"
#include "terminal_text.hpp"

namespace opsgate::cli {

namespace {

struct FleetOutput {
  std::string format = "text";
  std::vector<std::string> reports;  // FMT=FILE
  bool no_color = false;
};

struct FleetOptions : FleetOutput {
  std::vector<std::string> sources;
  std::vector<std::string> rules;
  std::string env = "production";
  std::string rev = "HEAD";
  std::string at;
  std::string stage = "merge";
  std::string fail_on = "error";
  std::string trend;
  std::string shard;
};

struct MergeOptions : FleetOutput {
  std::vector<std::string> files;
};

void add_output(CLI::App& command, FleetOutput& output) {
  command
      .add_option("--format", output.format, std::string(tr("Report on stdout: text, json, html")))
      ->check(described_choices(fleet_formats()))
      ->capture_default_str();
  // One value per occurrence: the SOURCEs after `--report html=F` are not more reports.
  command
      .add_option(
          "--report", output.reports,
          std::string(tr("Also write a report: FMT=FILE, FMT text, json or html (repeatable)")))
      ->allow_extra_args(false);
  command.add_flag("--no-color", output.no_color, std::string(tr("Plain output")));
}

bool colour(const FleetOutput& output) {
  CommonOptions common;
  common.no_color = output.no_color;
  return use_color(common);
}

// Writes stdout and every --report file, the error report included; returns the exit code:
// 0 when every source was evaluated, 2 when one was not or an output failed.
int emit(const FleetOutput& output, const FleetReport& report, bool failed) {
  int code = failed ? k_exit_error : k_exit_pass;
  std::vector<std::pair<std::string, std::string>> targets;
  for (const std::string& spec : output.reports) {
    const std::size_t equals = spec.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == spec.size()) {
      report_error(
          Error{ErrorKind::usage, trf("--report {}: expected FMT=FILE", spec), std::nullopt});
      code = k_exit_error;
      continue;
    }
    std::string format = spec.substr(0, equals);
    if (auto ok = check_fleet_format(format, "--report"); !ok) {
      report_error(ok.error());
      code = k_exit_error;
      continue;
    }
    targets.emplace_back(std::move(format), spec.substr(equals + 1));
  }
  for (const auto& [format, file] : targets) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << render_fleet(report, format, false);
    out.close();
    if (!out) {
      report_error(Error{ErrorKind::io, trf("cannot write the {} report to {}", format, file),
                         std::nullopt});
      code = k_exit_error;
    }
  }
  if (check_fleet_format(output.format, "--format")) {
    const std::string text = render_fleet(report, output.format, colour(output));
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    fmt::print(stderr, "{}\n", trf("opsgate: error: {}", tr("cannot write to standard output")));
    code = k_exit_error;
  }
  // The run's own error ("" source) was printed by the caller.
  for (const FleetError& error : report.errors)
    if (!error.point && !error.source.empty())
      fmt::print(stderr, "{}\n",
                 trf("opsgate: error: {}: {}", escape_control(error.source),
                     escape_control(error.message)));
  return code;
}

// --shard, else CI_NODE_INDEX/CI_NODE_TOTAL (GitLab's parallel:), else none.
Expected<std::optional<Shard>> shard_of(const std::string& option) {
  if (!option.empty()) {
    auto shard = parse_shard(option);
    if (!shard) return std::unexpected(shard.error());
    return std::optional<Shard>(*shard);
  }
  const char* index = std::getenv("CI_NODE_INDEX");
  const char* total = std::getenv("CI_NODE_TOTAL");
  if (!index || !total || !*index || !*total) return std::optional<Shard>();
  auto shard = parse_shard(fmt::format("{}/{}", index, total));
  if (!shard)
    return fail(ErrorKind::usage,
                trf("CI_NODE_INDEX={} CI_NODE_TOTAL={}: {}", index, total, shard.error().message));
  return std::optional<Shard>(*shard);
}

Expected<FleetRequest> make_fleet_request(const FleetOptions& options, FleetRequest& request) {
  request.sources = options.sources;
  request.rev = options.rev;
  request.check.rules = options.rules;
  request.check.environment = options.env;
  if (auto ok = check_fleet_format(options.format, "--format"); !ok)
    return std::unexpected(ok.error());
  auto stage = parse_stage(options.stage);
  if (!stage)
    return fail(ErrorKind::usage,
                trf("--stage '{}': expected one of {}", options.stage, k_stage_names));
  request.check.stage = *stage;
  auto fail_on = parse_severity(options.fail_on);
  if (!fail_on || *fail_on == Severity::info)
    return fail(ErrorKind::usage, trf("--fail-on {}: expected error or warning", options.fail_on));
  request.check.fail_on = *fail_on;
  auto at = evaluation_time(options.at);
  if (!at) return std::unexpected(at.error());
  request.check.at = *at;
  if (!options.trend.empty()) {
    auto trend = parse_trend(options.trend);
    if (!trend) return std::unexpected(trend.error());
    request.trend = *trend;
  }
  auto shard = shard_of(options.shard);
  if (!shard) return std::unexpected(shard.error());
  request.shard = *shard;
  return request;
}

int run_fleet(const FleetOptions& options) {
  FleetRequest request;
  auto made = make_fleet_request(options, request);
  if (!made) {
    report_error(made.error());
    return std::max(emit(options, fleet_error_report(request, made.error()), true), k_exit_error);
  }
  auto report = scan_fleet(*made);
  if (!report) {
    report_error(report.error());
    emit(options, fleet_error_report(*made, report.error()), true);
    return k_exit_error;
  }
  return emit(options, *report, report->source_failed());
}

int run_merge(const MergeOptions& options) {
  std::vector<std::pair<std::string, FleetReport>> shards;
  for (const std::string& file : options.files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) return report_error(Error{ErrorKind::io, trf("{}: cannot read", file), std::nullopt});
    auto parsed = parse_fleet_json(text.str(), file);
    if (!parsed) return report_error(parsed.error());
    shards.emplace_back(file, std::move(*parsed));
  }
  auto merged = merge_fleet(std::move(shards));
  if (!merged) return report_error(merged.error());
  return emit(options, *merged, merged->source_failed());
}

}  // namespace

void register_fleet(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<FleetOptions>();
  auto merge = std::make_shared<MergeOptions>();
  CLI::App* command = app.add_subcommand(
      "fleet",
      std::string(tr(
          "Evaluate every service of every repository and report the fleet: text, JSON or one HTML "
          "page, with a trend from history (exit 0 when every source was evaluated, 2 "
          "otherwise)")));
  command->add_option(
      "source", options->sources,
      std::string(tr("A repository, a directory of repositories, or @FILE listing them one a "
                     "line (a directory named merge is written ./merge)")));
  command
      ->add_option("--rev", options->rev, std::string(tr("Revision evaluated in each repository")))
      ->capture_default_str();
  command
      ->add_option("--rules", options->rules,
                   std::string(tr(
                       "Rule pack: directory, .toml file, REV:PATH (read from each repository) or "
                       "installed name (repeatable; default: baseline)")))
      ->allow_extra_args(false);
  command->add_option("--env", options->env, std::string(tr("Target environment")))
      ->capture_default_str();
  command->add_option("--at", options->at,
                      std::string(tr("Evaluation time, RFC 3339 (default: now)")));
  command
      ->add_option(
          "--stage", options->stage,
          std::string(tr("The stage the services are judged at: commit, push, merge or deploy")))
      ->capture_default_str();
  command
      ->add_option("--fail-on", options->fail_on,
                   std::string(tr("Lowest failing severity: error, warning")))
      ->check(described_choices({"error", "warning"}))
      ->capture_default_str();
  command->add_option(
      "--trend", options->trend,
      std::string(tr("Also evaluate each repository at the last commit before each of the last "
                     "N weeks (12w: Mondays 00:00) or months (6m: the 1st), in --at's offset")));
  command->add_option("--shard", options->shard,
                      std::string(tr("Evaluate share I of N of the repositories (default: "
                                     "CI_NODE_INDEX/CI_NODE_TOTAL when set)")));
  add_output(*command, *options);

  CLI::App* merging = command->add_subcommand(
      "merge", std::string(tr("Merge the JSON reports of the shards of one scan into one report")));
  merging->add_option("shard", merge->files, std::string(tr("Shard reports (fleet --format json)")))
      ->required();
  add_output(*merging, *merge);
  merging->callback([merge, &exit_code] { exit_code = run_merge(*merge); });

  command->require_subcommand(0, 1);
  command->callback([options, merging, &exit_code] {
    if (merging->parsed()) return;
    exit_code = run_fleet(*options);
  });
}

}  // namespace opsgate::cli
