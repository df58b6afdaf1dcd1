// opsgate window: is the release window of --env open at --at, why, and when does it next
// close or open? Deployment jobs use it to refuse, or to wait (--wait MAX) for the next opening.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <thread>

#include "commands.hpp"
#include "cron.hpp"
#include "i18n.hpp"
#include "options.hpp"
#include "terminal_text.hpp"
#include "window_query.hpp"

namespace opsgate::cli {

namespace {

using nlohmann::json;

struct WindowOptions : CommonOptions {
  std::string rev = "HEAD";
  std::vector<std::string> manifests;
  std::string format = "text";
  std::string wait;  // a duration such as "2h"; empty: do not wait
  std::string emergency;
  bool worktree = false;
};

json utc_or_null(const std::optional<Seconds>& instant) {
  if (!instant) return nullptr;
  return format_utc(*instant);
}

json local_or_null(const Schedule& schedule, const std::optional<Seconds>& instant) {
  if (!instant) return nullptr;
  return format_local_rfc3339(schedule, *instant);
}

std::string render_json(const WindowAnswer& answer, const WindowOptions& options) {
  const Schedule& schedule = answer.schedule;
  const WindowState& state = answer.state;
  json problems = json::array();
  for (const SchemaProblem& problem : answer.problems)
    problems.push_back({{"message", problem.message},
                        {"location",
                         {{"path", problem.where.path},
                          {"line", problem.where.line},
                          {"column", problem.where.column}}}});
  json out = {
      {"open", state.open},
      {"reason", answer.reason()},
      {"cause", answer.cause()},
      {"closes_at", utc_or_null(state.closes_at)},
      {"next_open", utc_or_null(state.next_open)},
      {"next_closes_at", utc_or_null(state.next_closes_at)},
      {"timezone", schedule.timezone.empty() ? json(nullptr) : json(schedule.timezone)},
      {"at", format_utc(answer.at.utc)},
      {"local",
       {{"at", local_or_null(schedule, answer.at.utc)},
        {"closes_at", local_or_null(schedule, state.closes_at)},
        {"next_open", local_or_null(schedule, state.next_open)},
        {"next_closes_at", local_or_null(schedule, state.next_closes_at)}}},
      {"period", state.period ? json{{"from", format_utc(state.period->from)},
                                     {"to", format_utc(state.period->to)}}
                              : json(nullptr)},
      {"environment", options.env},
      {"manifest", answer.manifest},
      {"service", answer.service.empty() ? json(nullptr) : json(answer.service)},
      {"revision", answer.revision.empty() ? json(nullptr) : json(answer.revision)},
      {"emergency", options.emergency.empty() ? json(nullptr) : json(options.emergency)},
      {"problems", problems},
      {"lang", lang_name(language())},
  };
  return out.dump(2) + "\n";
}

std::string both(const Schedule& schedule, Seconds instant) {
  return fmt::format("{} ({})", format_local(schedule, instant), format_utc(instant));
}

// Names, reasons and problems come from the manifest: each made inert (escape_control).
std::string render_text(const WindowAnswer& answer, const WindowOptions& options) {
  const Schedule& schedule = answer.schedule;
  const WindowState& state = answer.state;
  std::string who = escape_control(answer.service.empty() ? answer.manifest : answer.service);
  const std::string zone =
      schedule.timezone.empty() ? "" : " (" + escape_control(schedule.timezone) + ")";
  std::string out =
      (state.open
           ? trf("open: release window of {} for {}{}", who, escape_control(options.env), zone)
           : trf("closed: release window of {} for {}{}", who, escape_control(options.env), zone)) +
      "\n";
  if (!options.emergency.empty() && !state.open)
    out += trf("  emergency: the closed window is waived: {}", escape_control(options.emergency)) +
           "\n";
  if (options.quiet) return out;
  // Labels padded to one width in each language: a column a character.
  const auto columns = [](std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
      return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
  };
  std::size_t width = 0;
  for (std::string_view label :
       {tr("at"), tr("why"), tr("closes at"), tr("next opens"), tr("until")})
    width = std::max(width, columns(label));
  const auto line = [&](std::string_view label, std::string_view text) {
    return fmt::format("  {}{}{}\n", label, std::string(width - columns(label) + 2, ' '), text);
  };
  out += line(tr("at"), both(schedule, answer.at.utc));
  out += line(tr("why"), escape_control(answer.reason()));
  for (std::size_t i = 1; i < answer.problems.size(); ++i)
    out += line("", escape_control(answer.problems[i].where.to_string()) + ": " +
                        escape_control(answer.problems[i].message));
  if (state.closes_at) out += line(tr("closes at"), both(schedule, *state.closes_at));
  if (state.open && !state.closes_at)
    out += line(tr("closes at"), tr("not within the next 8 years"));
  if (state.next_open) {
    out += line(tr("next opens"), both(schedule, *state.next_open));
    if (state.next_closes_at) out += line(tr("until"), both(schedule, *state.next_closes_at));
  } else if (!state.open && answer.problems.empty() && !answer.missing_manifest) {
    out += line(tr("next opens"), state.cause == WindowCause::no_allow
                                      ? tr("never")
                                      : tr("not within the next 8 years"));
  }
  return out;
}

class WindowRun {
 public:
  explicit WindowRun(WindowOptions options) : m_options(std::move(options)) {}

  int run() {
    if (m_options.format != "text" && m_options.format != "json")
      return report_error(
          Error{ErrorKind::usage,
                trf("--format: unknown format '{}' (window prints text or json)", m_options.format),
                std::nullopt});
    std::optional<std::chrono::seconds> wait;
    if (!m_options.wait.empty()) {
      if (!m_options.at.empty())
        return report_error(
            Error{ErrorKind::usage,
                  std::string(tr("--wait waits in real time; it cannot be used with --at")),
                  std::nullopt});
      auto parsed = parse_duration(m_options.wait);
      if (!parsed)
        return report_error(
            Error{ErrorKind::usage, "--wait: " + parsed.error().message, std::nullopt});
      wait = *parsed;
    }
    auto at = evaluation_time(m_options.at);
    if (!at) return report_error(at.error());
    WindowRequest request;
    request.repository = m_options.repo;
    request.rules = m_options.rules;
    request.environment = m_options.env;
    request.rev = m_options.rev;
    request.worktree = m_options.worktree;
    request.manifests = m_options.manifests;
    auto query = WindowQuery::open(request);
    if (!query) return report_error(query.error());

    m_answer = query->at(*at);
    if (wait && !m_answer.state.open) {
      Seconds deadline = m_answer.at.utc + *wait;
      // Sleep to the next opening, then evaluate again at the real time (sleep may overshoot).
      while (!m_answer.state.open && m_answer.state.next_open &&
             *m_answer.state.next_open <= deadline) {
        if (!m_options.quiet)
          fmt::print(stderr, "{}\n",
                     trf("opsgate: window closed; waiting until {}",
                         both(m_answer.schedule, *m_answer.state.next_open)));
        std::this_thread::sleep_until(*m_answer.state.next_open);
        m_answer = query->at(now_utc());
      }
    }
    fmt::print("{}", m_options.format == "json" ? render_json(m_answer, m_options)
                                                : render_text(m_answer, m_options));
    if (m_answer.state.open) return k_exit_pass;
    return m_options.emergency.empty() ? k_exit_fail : k_exit_pass;
  }

 private:
  WindowOptions m_options;
  WindowAnswer m_answer;
};

}  // namespace

void register_window(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<WindowOptions>();
  CLI::App* command = app.add_subcommand(
      "window",
      std::string(
          tr("Say whether the release window of --env is open at --at, why, and when it next "
             "closes or opens (exit 0 open, 1 closed, 2 error)")));
  command->add_option(
      "repo", options->repo,
      std::string(tr("Repository (default: the one containing the current directory)")));
  command->add_option("--rev", options->rev, std::string(tr("Revision to read the manifest from")))
      ->capture_default_str();
  add_rules_options(*command, *options);
  command
      ->add_option(
          "--manifest", options->manifests,
          std::string(tr("Manifest path inside the repository (needed when there are several)")))
      ->allow_extra_args(false);
  command->add_option("--at", options->at,
                      std::string(tr("Evaluation time, RFC 3339 (default: now)")));
  command->add_option("--format", options->format, std::string(tr("Output: text, json")))
      ->check(described_choices({"text", "json"}))
      ->capture_default_str();
  command->add_option(
      "--wait", options->wait,
      std::string(tr("When closed, wait for the next opening if it comes within this duration "
                     "(\"2h\", \"30m\"), then exit 0")));
  command->add_option(
      "--emergency", options->emergency,
      std::string(tr("Emergency change: exit 0 even when closed, recording REASON")));
  command->add_flag("--worktree", options->worktree,
                    std::string(tr("Read files from the work tree, not --rev")));
  add_output_options(*command, *options);
  command->callback([options, &exit_code] { exit_code = WindowRun(*options).run(); });
}

}  // namespace opsgate::cli
