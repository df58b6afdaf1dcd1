// opsgate hook pre-push | pre-receive | install: the gate as a git hook. The two hook modes read
// the ref updates git writes on stdin, check every pushed tip into one report and exit with the
// highest code; `install` writes a pre-push hook that calls `opsgate hook pre-push`.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "check.hpp"
#include "commands.hpp"
#include "i18n.hpp"
#include "output.hpp"
#include "push.hpp"
#include "terminal_text.hpp"
#include "timings.hpp"

namespace fs = std::filesystem;

namespace opsgate::cli {

namespace {

// The line that marks a hook file as written by `opsgate hook install`.
constexpr std::string_view k_hook_marker = "# opsgate-hook: written by `opsgate hook install`";

struct HookOptions : CheckOptions {
  std::vector<std::string> refs;      // --refs GLOB: only these refs are checked
  std::string on_error = "block";     // block | allow: what exit 2 does to the push
  std::vector<std::string> git_args;  // pre-push: the remote's name and URL
};

// Whether an error is one the pusher cannot cause: the repository cannot be opened, memory ran
// out, the status server failed. Anything in the pushed objects (a manifest that is not TOML,
// schema = 2, an oversized file, a forged or incomplete tree) is the pusher's.
bool infrastructure_error(const Error& error) {
  return error.kind == ErrorKind::unavailable || error.kind == ErrorKind::network;
}

// What --on-error allow turns an exit 2 into, said loudly so nobody mistakes it for a pass.
// `infrastructure` says whether the error is one the pusher cannot cause; the others always
// block.
int apply_error_policy(const HookOptions& options, int code, bool infrastructure = false) {
  if (code != k_exit_error) return code;
  if (options.on_error == "allow" && !infrastructure) {
    fmt::print(stderr, "{}\n",
               tr("opsgate: push refused: the gate could not evaluate it because of what the push "
                  "contains (see the error above); --on-error allow lets through only failures "
                  "of the server itself."));
    return code;
  }
  if (options.on_error == "allow") {
    fmt::print(stderr, "{}\n",
               tr("opsgate: WARNING: the gate could NOT evaluate this push (see the error above).\n"
                  "opsgate: WARNING: letting it through anyway because of --on-error allow."));
    return k_exit_pass;
  }
  fmt::print(stderr, "{}\n",
             tr("opsgate: push refused: the gate could not evaluate it (exit 2). Fix the error "
                "above (a hook given --on-error allow lets such pushes through)."));
  return code;
}

int run_hook(HookOptions options, HookKind kind) {
  if (isatty(STDIN_FILENO))
    return apply_error_policy(
        options, report_error(Error{ErrorKind::usage,
                                    trf("hook {} reads git's ref lines on stdin; git runs "
                                        "it (see `opsgate hook install`)",
                                        kind == HookKind::pre_push ? "pre-push" : "pre-receive"),
                                    std::nullopt}));
  std::ostringstream input;
  input << std::cin.rdbuf();
  auto updates = parse_ref_updates(input.str(), kind);
  if (!updates) return apply_error_policy(options, report_error(updates.error()));

  // On the server, a pushed name may be a symbolic ref (refs/heads/master -> refs/heads/main
  // after a rename): --refs selects by the ref that really moves too.
  if (kind == HookKind::pre_receive)
    if (auto repo = Repository::open_from_env())
      for (RefUpdate& update : *updates)
        update.lands_on = repo->symbolic_target(update.ref).value_or(std::string());
  const PushPlan plan = plan_push(*updates, options.refs);
  if (plan.checked.empty()) {
    if (!options.quiet)
      for (const std::string& line : plan.skipped)
        fmt::print(stderr, "opsgate: {}\n", escape_control(line));
    fmt::print(stderr, "{}\n", tr("opsgate: no pushed ref to check"));
    return k_exit_pass;
  }

  Timings::process().mark("options");
  std::vector<TipVerdict> verdicts;
  Expected<Report> outcome = [&]() -> Expected<Report> {
    auto request = make_request(options);
    if (!request) return std::unexpected(request.error());
    request->repository_from_env = true;
    auto pushed = check_push(*request, plan);
    if (!pushed) return std::unexpected(pushed.error());
    verdicts = std::move(pushed->verdicts);
    return std::move(pushed->report);
  }();
  int code = finish(options, outcome);
  // With a verdict, an exit 2 can only come from writing the reports or posting the status.
  const bool infrastructure = outcome ? true : infrastructure_error(outcome.error());
  if (code == k_exit_fail) {
    fmt::print(stderr, "{}\n", tr("opsgate: push refused by the operability gate:"));
    for (const TipVerdict& verdict : verdicts)
      if (!verdict.failed.empty())
        fmt::print(stderr, "opsgate:   {}: {}\n", escape_control(verdict.ref),
                   escape_control(fmt::format("{}", fmt::join(verdict.failed, ", "))));
    fmt::print(stderr, "{}\n", tr("opsgate: `opsgate explain RULE-ID` says how to fix a rule."));
  } else if (code == k_exit_pass && !options.quiet) {
    fmt::print(stderr, "{}\n",
               trnf("opsgate: push accepted ({} ref checked)",
                    "opsgate: push accepted ({} refs checked)", verdicts.size(), verdicts.size()));
  }
  return apply_error_policy(options, code, infrastructure);
}

// --- hook install --------------------------------------------------------------------------

// POSIX shell quoting: plain words stay readable, anything else is single-quoted.
std::string shell_quote(std::string_view word) {
  bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("_-./=:@%+,").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(word);
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The options `install` was given, as arguments for `hook pre-push` (positionals left out).
std::vector<std::string> forwarded_arguments(const CLI::App& command) {
  std::vector<std::string> args;
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_positional() || option->count() == 0 || option->get_name() == "--help")
      continue;
    bool long_name = !option->get_lnames().empty();
    std::string name =
        long_name ? "--" + option->get_lnames().front() : "-" + option->get_snames().front();
    bool flag = option->get_expected_max() == 0;
    for (const std::string& value : option->results()) {
      if ((flag && (value == "true" || value.empty())) ||
          (value.empty() && option->get_expected_min() == 0)) {
        args.push_back(name);
      } else if (long_name) {
        args.push_back(name + "=" + value);
      } else {
        args.push_back(name);
        args.push_back(value);
      }
    }
  }
  return args;
}

std::string self_path() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("opsgate") : self.string();
}

std::string hook_script(const std::vector<std::string>& args) {
  std::string command = shell_quote(self_path()) + " hook pre-push";
  for (const std::string& arg : args) command += " " + shell_quote(arg);
  return fmt::format(
      "#!/bin/sh\n"
      "{}\n"
      "# Checks every pushed tip with opsgate; re-run `opsgate hook install` to change the\n"
      "# options (it rewrites this file), delete the file to stop. Paths are relative to the\n"
      "# repository root, where git runs hooks.\n"
      "exec {} -- \"$@\"\n",
      k_hook_marker, command);
}

// The options tried as the hook will use them, from where git runs it (the work tree's root,
// or the git directory of a bare repository): a hook whose rules do not load, whose --env no
// pack declares or whose --stage does not parse would refuse every push, so it is not written.
Expected<void> try_hook_options(const HookOptions& options, const Repository& repo) {
  auto request = make_request(options);
  if (!request) return std::unexpected(request.error());
  const std::string root = repo.workdir().value_or(repo.git_dir());
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (ec || (fs::current_path(root, ec), ec))
    return fail(ErrorKind::io, trf("cannot enter {}: {}", root, ec.message()));
  request->repository = root;
  auto checker = Checker::open(*request, Executor::shared());
  fs::current_path(cwd, ec);
  if (!checker) return std::unexpected(checker.error());
  return {};
}

int install(const HookOptions& options, const CLI::App& command) {
  auto repo = Repository::discover(options.repo);
  if (!repo) return report_error(repo.error());
  auto dir = repo->hooks_dir();
  if (!dir) return report_error(dir.error());
  if (auto usable = try_hook_options(options, *repo); !usable) {
    const int code = report_error(usable.error());
    fmt::print(stderr, "{}\n",
               trf("opsgate: {} was not written: with these options it would refuse every push",
                   (fs::path(*dir) / "pre-push").string()));
    return code;
  }
  fs::path hook = fs::path(*dir) / "pre-push";
  std::string script = hook_script(forwarded_arguments(command));

  std::error_code ec;
  bool exists = fs::exists(fs::symlink_status(hook, ec));
  if (exists) {
    std::ifstream in(hook, std::ios::binary);
    std::string current((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (fs::is_symlink(hook, ec) || current.find(k_hook_marker) == std::string::npos)
      return report_error(
          Error{ErrorKind::usage,
                trf("{} exists and was not written by opsgate; it is left unchanged. Add this "
                    "line to it (or remove it and run `opsgate hook install` again):\n  {}",
                    hook.string(), script.substr(script.rfind("exec ") + 5)),
                std::nullopt});
    if (current == script) {
      fmt::print("{}\n", trf("{} is up to date", hook.string()));
      return k_exit_pass;
    }
  }

  fs::create_directories(hook.parent_path(), ec);
  fs::path temporary = hook;
  temporary += ".opsgate-new";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << script;
    out.close();
    if (!out)
      return report_error(
          Error{ErrorKind::io, trf("cannot write {}", temporary.string()), std::nullopt});
  }
  fs::permissions(temporary,
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                      fs::perms::others_read | fs::perms::others_exec,
                  ec);
  if (!ec) fs::rename(temporary, hook, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return report_error(Error{
        ErrorKind::io, trf("cannot install {}: {}", hook.string(), ec.message()), std::nullopt});
  }
  fmt::print("{}\n",
             exists
                 ? trf("updated {}: `git push` now runs `opsgate hook pre-push`", hook.string())
                 : trf("installed {}: `git push` now runs `opsgate hook pre-push`", hook.string()));
  return k_exit_pass;
}

// The options every hook mode shares: check's (without --rev, --base, --worktree), --refs and
// --on-error.
void add_hook_options(CLI::App& command, HookOptions& options) {
  options.default_stage = "push";
  add_check_options(command, options, false);
  command.add_option(
      "--refs", options.refs,
      std::string(tr("Only check refs matching this glob (full or short name; repeatable)")));
  command
      .add_option("--on-error", options.on_error,
                  std::string(tr(
                      "When opsgate cannot evaluate (exit 2): block the push, or allow it loudly")))
      ->check(CLI::IsMember({"block", "allow"}))
      ->capture_default_str();
}

}  // namespace

void register_hook(CLI::App& app, int& exit_code) {
  CLI::App* hook =
      app.add_subcommand("hook", std::string(tr("Git hook modes: pre-push, pre-receive, install")));
  hook->require_subcommand(1);

  auto push = std::make_shared<HookOptions>();
  CLI::App* pre_push = hook->add_subcommand(
      "pre-push",
      std::string(tr("Run by git before a push: check every pushed tip (stdin: git's ref lines)")));
  pre_push->add_option("git-args", push->git_args,
                       std::string(tr("The remote's name and URL (git passes them)")));
  add_hook_options(*pre_push, *push);
  pre_push->callback([push, &exit_code] { exit_code = run_hook(*push, HookKind::pre_push); });

  auto receive = std::make_shared<HookOptions>();
  CLI::App* pre_receive = hook->add_subcommand(
      "pre-receive",
      std::string(tr(
          "Run by git on the server (bare repository) before accepting a push: check every tip")));
  add_hook_options(*pre_receive, *receive);
  pre_receive->callback(
      [receive, &exit_code] { exit_code = run_hook(*receive, HookKind::pre_receive); });

  auto installed = std::make_shared<HookOptions>();
  CLI::App* install_command = hook->add_subcommand(
      "install",
      std::string(
          tr("Write REPO's pre-push hook calling `opsgate hook pre-push` with these options (never "
             "over a hook opsgate did not write)")));
  install_command->add_option(
      "repo", installed->repo,
      std::string(tr("Repository (default: the one containing the current directory)")));
  add_hook_options(*install_command, *installed);
  install_command->callback([installed, install_command, &exit_code] {
    exit_code = install(*installed, *install_command);
  });
}

}  // namespace opsgate::cli
