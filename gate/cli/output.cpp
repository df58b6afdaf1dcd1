#include "output.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "i18n.hpp"
#include "timings.hpp"

namespace fs = std::filesystem;

namespace opsgate::cli {

namespace {

struct ReportTarget {
  std::string format;
  std::string file;
};

// Keeps every well-formed FMT=FILE in `targets` (so they can still carry an error report) and
// returns the first problem.
Expected<void> parse_report_targets(const std::vector<std::string>& specs,
                                    std::vector<ReportTarget>& targets) {
  Expected<void> first = {};
  for (const std::string& spec : specs) {
    std::size_t equals = spec.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == spec.size()) {
      if (first) first = fail(ErrorKind::usage, trf("--report {}: expected FMT=FILE", spec));
      continue;
    }
    ReportTarget target{spec.substr(0, equals), spec.substr(equals + 1)};
    if (auto ok = check_format(target.format, "--report"); !ok) {
      if (first) first = std::unexpected(ok.error());
      continue;
    }
    targets.push_back(std::move(target));
  }
  return first;
}

// Straight to stdout: fmt::print would first copy the text.
void print_report(const Report& report, const std::string& format, const TextStyle& style) {
  write_report(report, format, style,
               [](std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); });
}

// The work tree of the repository the run is about, canonical, when it has one.
std::optional<fs::path> work_tree_of(const std::string& repo) {
  auto opened = try_open(repo);
  if (!opened) return std::nullopt;
  auto workdir = opened->workdir();
  if (!workdir) return std::nullopt;
  std::error_code ec;
  fs::path root = fs::canonical(*workdir, ec);
  if (ec) return std::nullopt;
  return root;
}

// A report file inside the work tree is written only where no symlink leads: the change
// controls the work tree, and a committed opsgate-report/summary.md -> /any/file must not make
// the gate overwrite a file outside it. Outside the work tree (an artifacts directory,
// /dev/stdout) paths are used as given.
Expected<int> open_report_file(const std::string& format, const std::string& file,
                               const std::optional<fs::path>& root) {
  int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  if (root) {
    std::error_code ec;
    fs::path absolute = fs::absolute(file, ec).lexically_normal();
    // The deepest existing directory decides where the path really is.
    fs::path parent = absolute.parent_path();
    fs::path real_parent = fs::weakly_canonical(parent, ec);
    const auto inside = [&](const fs::path& path) {
      auto [end, _] = std::mismatch(root->begin(), root->end(), path.begin(), path.end());
      return end == root->end();
    };
    if (!ec && (inside(absolute) || inside(real_parent))) {
      if (real_parent != parent)
        return fail(ErrorKind::usage,
                    trf("--report {}: a directory on the way is a symlink inside the "
                        "repository's work tree; reports are not written through it",
                        file));
      flags |= O_NOFOLLOW;
    }
  }
  const int fd = ::open(file.c_str(), flags, 0644);
  if (fd < 0) {
    if (errno == ELOOP)
      return fail(ErrorKind::usage,
                  trf("--report {}: the file is a symlink inside the repository's work "
                      "tree; reports are not written through it",
                      file));
    return fail(ErrorKind::io,
                trf("cannot write the {} report to {}: {}", format, file, std::strerror(errno)));
  }
  return fd;
}

// Writes every --report file; the first failure is returned (after trying them all).
Expected<void> write_reports(const Report& report, const std::vector<ReportTarget>& targets,
                             const std::string& repo) {
  Expected<void> result = {};
  if (targets.empty()) return result;
  const std::optional<fs::path> root = work_tree_of(repo);
  for (const ReportTarget& target : targets) {
    auto fd = open_report_file(target.format, target.file, root);
    if (!fd) {
      if (result) result = std::unexpected(fd.error());
      continue;
    }
    std::FILE* out = ::fdopen(*fd, "wb");
    if (!out) {
      ::close(*fd);
      if (result)
        result = fail(ErrorKind::io,
                      trf("cannot write the {} report to {}", target.format, target.file));
      continue;
    }
    write_report(report, target.format, TextStyle{false, true, false},
                 [out](std::string_view text) { std::fwrite(text.data(), 1, text.size(), out); });
    const bool failed = std::ferror(out) != 0;
    if ((std::fclose(out) != 0 || failed) && result)
      result =
          fail(ErrorKind::io, trf("cannot write the {} report to {}", target.format, target.file));
  }
  return result;
}

// Posts the verdict when --post-status asked for it (after the reports: a network failure
// loses nothing). Returns false when the post failed; the token never reaches any output.
bool post_status(const CheckOptions& options, const Report& report, StatusState state) {
  const StatusOptions& status = options.status;
  if (status.provider.empty()) return true;
  std::fflush(stdout);  // the verdict is out before a slow server is waited for
  std::string description = verdict_line(report);
  if (report.emergency)
    description +=
        trf(" \u2014 emergency: {}", *report.emergency) +
        (report.emergency_requested_by ? trf(" (asked by {})", *report.emergency_requested_by)
                                       : std::string());
  LogSink log;
  if (options.verbose) log = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
  auto posted = post_commit_status(status, report.revision.value_or(""), state, description,
                                   process_environment(), log);
  if (posted) return true;
  fmt::print(stderr, "{}\n",
             status.require
                 ? trf("opsgate: error: commit status not posted: {}", posted.error().message)
                 : trf("opsgate: warning: commit status not posted: {}", posted.error().message));
  return false;
}

// Who runs the job, as the CI server names them: GitLab's user, GitHub's actor, Jenkins' build
// user (the Build User Vars plugin).
std::optional<std::string> ci_user() {
  for (const char* name : {"GITLAB_USER_LOGIN", "GITHUB_ACTOR", "BUILD_USER_ID"})
    if (const char* value = std::getenv(name); value && *value) return std::string(value);
  return std::nullopt;
}

// --stage as given, else the command's default (commit with --worktree).
std::string stage_option(const CheckOptions& options) {
  if (options.stage) return *options.stage;
  return options.worktree ? "commit" : options.default_stage;
}

// The request as far as the options allow, for an error report when they do not parse (its
// repository names the revision the error report and status are about).
CheckRequest partial_request(const CheckOptions& options) {
  CheckRequest request;
  request.repository = options.repo;
  request.environment = options.env;
  if (auto parsed = parse_stage(stage_option(options))) request.stage = *parsed;
  if (auto at = parse_rfc3339(options.at); !options.at.empty() && at) request.at = *at;
  if (!options.emergency.empty()) {
    request.emergency = options.emergency;
    request.emergency_requested_by = ci_user();
  }
  return request;
}

// Exit 2: every problem still writes the requested reports, with "outcome": "error".
int finish_error(const CheckOptions& options, const std::vector<ReportTarget>& targets,
                 const Error& error, Report report) {
  report_error(error);
  const TextStyle style{use_color(options), options.verbose, options.quiet};
  // A machine-readable stdout still gets its (error) report; text has the message on stderr.
  if (options.format != "text" && is_report_format(options.format))
    print_report(report, options.format, style);
  if (auto written = write_reports(report, targets, options.repo);
      !written && written.error().message != error.message)
    report_error(written.error());
  post_status(options, report, StatusState::failed);  // exit 2 is posted as failed
  return k_exit_error;
}

// --post-status[=PROVIDER]: a flag whose `=` form carries the provider, so that
// `--post-status REPO` leaves REPO to the positional.
void add_status_options(CLI::App& command, StatusOptions& status) {
  command
      .add_flag("--post-status{auto}", status.provider,
                std::string(tr(
                    "Post the verdict as a commit status: --post-status[=auto|gitlab|github|gitea|"
                    "bitbucket]")))
      ->check(CLI::IsMember({"auto", "gitlab", "github", "gitea", "bitbucket"}));
  command.add_flag("--require-status", status.require,
                   std::string(tr("A failed status post is exit 2")));
  command.add_option(
      "--api-url", status.api_url,
      std::string(tr("API root for --post-status (default: CI_API_V4_URL, GITHUB_API_URL or "
                     "BITBUCKET_URL)")));
  command.add_option(
      "--project", status.project,
      std::string(tr("GitLab project id or path, GitHub/Gitea owner/repo (default: CI_PROJECT_ID "
                     "or GITHUB_REPOSITORY)")));
  command.add_option(
      "--target-url", status.target_url,
      std::string(tr("Link of the status (default: the CI job: CI_JOB_URL, the GitHub run, "
                     "BUILD_URL)")));
  command.add_option(
      "--status-sha", status.sha,
      std::string(tr("Commit that gets the status (default: the evaluated revision)")));
  command
      .add_option("--ca-file", status.ca_file,
                  std::string(tr("PEM CA bundle to verify the server with (a corporate CA)")))
      ->check(CLI::ExistingFile);
  command
      .add_option("--status-timeout", status.timeout_seconds,
                  std::string(tr("Bound on the whole post, retries included, in seconds")))
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
}

}  // namespace

void add_check_options(CLI::App& command, CheckOptions& options, bool with_revisions) {
  if (with_revisions) {
    command.add_option("--rev", options.rev, std::string(tr("Revision to evaluate")))
        ->capture_default_str();
    command.add_option("--base", options.base,
                       std::string(tr("Base of the change (its merge base with --rev is used)")));
    command.add_flag("--worktree", options.worktree,
                     std::string(tr("Read files from the work tree, not --rev")));
  }
  add_rules_options(command, options);
  command.add_option(
      "--stage", options.stage,
      with_revisions
          ? std::string(tr("Where the check runs: commit, push, merge or deploy (default: "
                           "merge; commit with --worktree). Rules may apply at some stages "
                           "only; deploy judges every service, whatever --base says"))
          : trf("Where the check runs: commit, push, merge or deploy (default: {})",
                options.default_stage));
  // One value per occurrence (repeatable): `--manifest M REPO` must not take REPO as a manifest.
  command
      .add_option("--manifest", options.manifests,
                  std::string(tr("Manifest path(s) inside the repository")))
      ->allow_extra_args(false);
  command.add_option("--at", options.at,
                     std::string(tr("Evaluation time, RFC 3339 (default: now)")));
  command
      .add_option(
          "--format", options.format,
          std::string(tr("Report on stdout: text, json, junit, sarif, codequality, markdown")))
      ->check(described_choices(report_formats()))
      ->capture_default_str();
  command
      .add_option("--report", options.reports,
                  std::string(tr("Also write a report: FMT=FILE (repeatable)")))
      ->allow_extra_args(false);
  command
      .add_option("--fail-on", options.fail_on,
                  std::string(tr("Lowest failing severity: error, warning")))
      ->check(described_choices({"error", "warning"}))
      ->capture_default_str();
  command.add_flag(
      "--fail-on-new", options.fail_on_new,
      std::string(tr("With --base: only failures the change brings fail the gate; those already "
                     "failing at the merge base are reported as warnings")));
  command.add_option("--min-level", options.min_level,
                     std::string(tr("Fail unless every manifest reaches this maturity level")));
  command.add_option(
      "--emergency", options.emergency,
      std::string(tr("Emergency change: waive release-window rules, recording REASON")));
  add_status_options(command, options.status);
  add_output_options(command, options);
  command
      .add_option("--jobs", options.jobs,
                  std::string(tr(
                      "Manifests evaluated at once in a monorepo (default: one per usable CPU)")))
      ->check(CLI::Range(1u, 64u));
  command.add_flag(
      "--timings", options.timings,
      std::string(
          tr("Print where the run's time went (start-up, rules, evaluation...) on stderr")));
}

Expected<CheckRequest> make_request(const CheckOptions& options) {
  CheckRequest request = partial_request(options);
  request.rules = options.rules;
  request.manifests = options.manifests;
  request.min_level = options.min_level;
  request.jobs = options.jobs;
  request.on_phase = [](std::string_view phase) { Timings::process().mark(phase); };
  if (auto ok = check_format(options.format, "--format"); !ok) return std::unexpected(ok.error());
  auto at = evaluation_time(options.at);
  if (!at) return std::unexpected(at.error());
  request.at = *at;
  auto fail_on = parse_severity(options.fail_on);
  if (!fail_on || *fail_on == Severity::info)
    return fail(ErrorKind::usage, trf("--fail-on {}: expected error or warning", options.fail_on));
  request.fail_on = *fail_on;
  const std::string stage = stage_option(options);
  auto parsed_stage = parse_stage(stage);
  if (!parsed_stage)
    return fail(ErrorKind::usage, trf("--stage '{}': expected one of {}", stage, k_stage_names));
  request.stage = *parsed_stage;
  request.fail_on_new = options.fail_on_new;
  return request;
}

int finish(const CheckOptions& options, const Expected<Report>& outcome,
           const CheckTarget* target) {
  std::vector<ReportTarget> targets;
  auto targets_parsed = parse_report_targets(options.reports, targets);
  if (!outcome || !targets_parsed) {
    const Error& error = outcome ? targets_parsed.error() : outcome.error();
    return finish_error(options, targets, error,
                        error_report(partial_request(options), target, error));
  }
  const Report& report = *outcome;
  // A report that cannot be written makes the run an error, and the others must say so too.
  if (auto written = write_reports(report, targets, options.repo); !written) {
    Report failed = error_report(partial_request(options), nullptr, written.error());
    failed.at = report.at;
    failed.revision = report.revision;
    return finish_error(options, targets, written.error(), std::move(failed));
  }
  print_report(report, options.format,
               TextStyle{use_color(options), options.verbose, options.quiet});
  // A report cut short (a full disk) is no verdict a pipeline can read.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    Error error{ErrorKind::io, std::string(tr("cannot write the report to standard output")),
                std::nullopt};
    Report failed = error_report(partial_request(options), nullptr, error);
    failed.at = report.at;
    failed.revision = report.revision;
    return finish_error(options, targets, error, std::move(failed));
  }
  Timings::process().mark("report");
  int code = report.outcome == Outcome::pass ? k_exit_pass : k_exit_fail;
  bool posted = post_status(options, report,
                            code == k_exit_pass ? StatusState::success : StatusState::failed);
  if (!options.status.provider.empty()) Timings::process().mark("post-status");
  if (options.timings) {
    std::fflush(stdout);
    fmt::print(stderr, "{}\n", Timings::process().summary());
  }
  if (!posted && options.status.require) return k_exit_error;
  return code;
}

}  // namespace opsgate::cli
