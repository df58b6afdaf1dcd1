// opsgate hook pre-push | pre-receive | install: the gate as a git hook. The two hook modes read
// the ref updates git writes on stdin, check every pushed tip into one report and exit with the
// highest code; `install` writes a pre-push hook that calls `opsgate hook pre-push`.

#include <fmt/format.h>
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "check_run.hpp"
#include "commands.hpp"

namespace fs = std::filesystem;

namespace opsgate::cli {

namespace {

// The line that marks a hook file as written by `opsgate hook install`.
constexpr std::string_view k_hook_marker = "# opsgate-hook: written by `opsgate hook install`";

enum class HookKind { pre_push, pre_receive };

struct HookOptions : CheckOptions {
  std::vector<std::string> refs;      // --refs GLOB: only these refs are checked
  std::string on_error = "block";     // block | allow: what exit 2 does to the push
  std::vector<std::string> git_args;  // pre-push: the remote's name and URL
};

// One ref update announced by git on the hook's stdin.
struct RefUpdate {
  std::string ref;     // the ref that moves (pre-push: on the remote)
  std::string source;  // pre-push: the local ref pushed; empty otherwise
  std::string old_id;  // what the ref was; all zeros when it is created
  std::string new_id;  // the pushed tip; all zeros when the ref is deleted
};

bool is_zero_id(std::string_view id) {
  return !id.empty() && id.find_first_not_of('0') == std::string_view::npos;
}

std::string short_id(std::string_view id) {
  return std::string(id.substr(0, 12));
}

// pre-push: `<local ref> <local sha> <remote ref> <remote sha>`;
// pre-receive: `<old sha> <new sha> <ref>`.
Expected<std::vector<RefUpdate>> read_updates(std::istream& in, HookKind kind) {
  std::vector<RefUpdate> updates;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::vector<std::string> words;
    for (std::string word; fields >> word;) words.push_back(std::move(word));
    if (words.empty()) continue;
    if (kind == HookKind::pre_push && words.size() == 4) {
      updates.push_back({words[2], words[0], words[3], words[1]});
    } else if (kind == HookKind::pre_receive && words.size() == 3) {
      updates.push_back({words[2], "", words[0], words[1]});
    } else {
      return fail(ErrorKind::usage,
                  fmt::format("stdin line {}: expected git's {} line ({}), got '{}'", number,
                              kind == HookKind::pre_push ? "pre-push" : "pre-receive",
                              kind == HookKind::pre_push
                                  ? "<local ref> <local sha> <remote ref> <remote sha>"
                                  : "<old sha> <new sha> <ref>",
                              line));
    }
  }
  return updates;
}

// A --refs glob matches the full ref name (`refs/heads/release/*`) or its short name
// (`release/*`, `main`, `v1.*`); `*` also crosses `/`.
bool ref_selected(const std::vector<std::string>& globs, const std::string& ref) {
  if (globs.empty()) return true;
  std::string short_name = ref;
  for (std::string_view prefix : {"refs/heads/", "refs/tags/"})
    if (ref.starts_with(prefix)) short_name = ref.substr(prefix.size());
  return std::any_of(globs.begin(), globs.end(), [&](const std::string& glob) {
    return fnmatch(glob.c_str(), ref.c_str(), 0) == 0 ||
           fnmatch(glob.c_str(), short_name.c_str(), 0) == 0;
  });
}

// The rules a tip failed (at or above --fail-on), from the manifests it added to the report.
std::vector<std::string> failing_rules(const Report& report, std::size_t first_manifest) {
  std::vector<std::string> rules;
  for (std::size_t i = first_manifest; i < report.manifests.size(); ++i)
    for (const Finding& finding : report.manifests[i].findings)
      if (finding.status == Status::fail && finding.severity >= report.fail_on &&
          std::find(rules.begin(), rules.end(), finding.rule) == rules.end())
        rules.push_back(finding.rule);
  return rules;
}

struct TipVerdict {
  std::string ref;
  std::vector<std::string> failed;  // rule ids
};

// Checks one pushed tip: the old id is the base when this repository has it and shares
// history with the tip; otherwise the whole tip is checked, with a note saying so.
Expected<void> check_tip(Gate& gate, const RefUpdate& update, std::vector<TipVerdict>& verdicts) {
  const Repository& repo = *gate.repository();
  std::string from = update.source.empty() || update.source == update.ref
                         ? update.ref
                         : fmt::format("{} (from {})", update.ref, update.source);
  auto tip = repo.resolve_commit(update.new_id);
  if (!tip) {
    // A tag may name a tree or a blob: there is no manifest to judge.
    if (repo.contains(update.new_id)) {
      gate.note(
          fmt::format("{}: {} is not a commit; nothing to check", from, short_id(update.new_id)));
      return {};
    }
    return std::unexpected(tip.error());
  }
  std::string base;
  if (is_zero_id(update.old_id)) {
    gate.note(fmt::format("{}: new ref, {} checked without a base (every manifest)", from,
                          short_id(*tip)));
  } else if (!repo.contains(update.old_id)) {
    gate.note(
        fmt::format("{}: {} checked without a base: the previous tip {} is not in this "
                    "repository (fetch first to scope the check to the change)",
                    from, short_id(*tip), short_id(update.old_id)));
  } else if (auto old_tip = repo.resolve_commit(update.old_id); !old_tip) {
    gate.note(fmt::format("{}: {} checked without a base: the previous tip {} is not a commit",
                          from, short_id(*tip), short_id(update.old_id)));
  } else if (!repo.merge_base(*old_tip, *tip)) {
    gate.note(
        fmt::format("{}: {} checked without a base: it shares no history with the "
                    "previous tip {}",
                    from, short_id(*tip), short_id(update.old_id)));
  } else {
    base = update.old_id;
    gate.note(
        fmt::format("{}: {} checked against {}", from, short_id(*tip), short_id(update.old_id)));
  }
  std::size_t first_manifest = gate.report().manifests.size();
  if (auto ok = gate.evaluate(*tip, base, false); !ok) return ok;
  verdicts.push_back({update.ref, failing_rules(gate.report(), first_manifest)});
  return {};
}

// What --on-error allow turns an exit 2 into, said loudly so nobody mistakes it for a pass.
int apply_error_policy(const HookOptions& options, int code) {
  if (code != k_exit_error) return code;
  if (options.on_error == "allow") {
    fmt::print(stderr,
               "opsgate: WARNING: the gate could NOT evaluate this push (see the error above).\n"
               "opsgate: WARNING: letting it through anyway because of --on-error allow.\n");
    return k_exit_pass;
  }
  fmt::print(stderr,
             "opsgate: push refused: the gate could not evaluate it (exit 2). Fix the error above "
             "(a hook given --on-error allow lets such pushes through).\n");
  return code;
}

int run_hook(HookOptions options, HookKind kind) {
  if (isatty(STDIN_FILENO))
    return apply_error_policy(
        options,
        report_error(Error{ErrorKind::usage,
                           fmt::format("hook {} reads git's ref lines on stdin; git runs "
                                       "it (see `opsgate hook install`)",
                                       kind == HookKind::pre_push ? "pre-push" : "pre-receive"),
                           std::nullopt}));
  auto updates = read_updates(std::cin, kind);
  if (!updates) return apply_error_policy(options, report_error(updates.error()));

  std::vector<RefUpdate> checked;
  std::vector<std::string> skipped;
  for (const RefUpdate& update : *updates) {
    if (is_zero_id(update.new_id))
      skipped.push_back(update.ref + ": deleted, nothing to check");
    else if (!ref_selected(options.refs, update.ref))
      skipped.push_back(update.ref + ": not selected by --refs");
    else
      checked.push_back(update);
  }
  if (checked.empty()) {
    if (!options.quiet)
      for (const std::string& line : skipped) fmt::print(stderr, "opsgate: {}\n", line);
    fmt::print(stderr, "opsgate: no pushed ref to check\n");
    return k_exit_pass;
  }

  options.repo_from_env = true;
  Gate gate(options);
  std::vector<TipVerdict> verdicts;
  auto ok = gate.prepare();
  if (ok)
    for (const std::string& line : skipped) gate.note(line);
  for (const RefUpdate& update : checked) {
    if (!ok) break;
    ok = check_tip(gate, update, verdicts);
  }
  int code = gate.finish(ok);
  if (code == k_exit_fail) {
    fmt::print(stderr, "opsgate: push refused by the operability gate:\n");
    for (const TipVerdict& verdict : verdicts)
      if (!verdict.failed.empty())
        fmt::print(stderr, "opsgate:   {}: {}\n", verdict.ref, fmt::join(verdict.failed, ", "));
    fmt::print(stderr, "opsgate: `opsgate explain RULE-ID` says how to fix a rule.\n");
  } else if (code == k_exit_pass && !options.quiet) {
    fmt::print(stderr, "opsgate: push accepted ({} ref{} checked)\n", verdicts.size(),
               verdicts.size() == 1 ? "" : "s");
  }
  return apply_error_policy(options, code);
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

int install(const HookOptions& options, const CLI::App& command) {
  auto repo = Repository::discover(options.repo);
  if (!repo) return report_error(repo.error());
  auto dir = repo->hooks_dir();
  if (!dir) return report_error(dir.error());
  fs::path hook = fs::path(*dir) / "pre-push";
  std::string script = hook_script(forwarded_arguments(command));

  std::error_code ec;
  bool exists = fs::exists(fs::symlink_status(hook, ec));
  if (exists) {
    std::ifstream in(hook, std::ios::binary);
    std::string current((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (fs::is_symlink(hook, ec) || current.find(k_hook_marker) == std::string::npos)
      return report_error(Error{
          ErrorKind::usage,
          fmt::format("{} exists and was not written by opsgate; it is left unchanged. Add this "
                      "line to it (or remove it and run `opsgate hook install` again):\n  {}",
                      hook.string(), script.substr(script.rfind("exec ") + 5)),
          std::nullopt});
    if (current == script) {
      fmt::print("{} is up to date\n", hook.string());
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
      return report_error(Error{ErrorKind::io, "cannot write " + temporary.string(), std::nullopt});
  }
  fs::permissions(temporary,
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                      fs::perms::others_read | fs::perms::others_exec,
                  ec);
  if (!ec) fs::rename(temporary, hook, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return report_error(Error{ErrorKind::io,
                              fmt::format("cannot install {}: {}", hook.string(), ec.message()),
                              std::nullopt});
  }
  fmt::print("{} {}: `git push` now runs `opsgate hook pre-push`\n",
             exists ? "updated" : "installed", hook.string());
  return k_exit_pass;
}

// The options every hook mode shares: check's (without --rev, --base, --worktree), --refs and
// --on-error.
void add_hook_options(CLI::App& command, HookOptions& options) {
  add_check_options(command, options, false);
  command.add_option("--refs", options.refs,
                     "Only check refs matching this glob (full or short name; repeatable)");
  command
      .add_option("--on-error", options.on_error,
                  "When opsgate cannot evaluate (exit 2): block the push, or allow it loudly")
      ->check(CLI::IsMember({"block", "allow"}))
      ->capture_default_str();
}

}  // namespace

void register_hook(CLI::App& app, int& exit_code) {
  CLI::App* hook = app.add_subcommand("hook", "Git hook modes: pre-push, pre-receive, install");
  hook->require_subcommand(1);

  auto push = std::make_shared<HookOptions>();
  CLI::App* pre_push = hook->add_subcommand(
      "pre-push", "Run by git before a push: check every pushed tip (stdin: git's ref lines)");
  pre_push->add_option("git-args", push->git_args, "The remote's name and URL (git passes them)");
  add_hook_options(*pre_push, *push);
  pre_push->callback([push, &exit_code] { exit_code = run_hook(*push, HookKind::pre_push); });

  auto receive = std::make_shared<HookOptions>();
  CLI::App* pre_receive = hook->add_subcommand(
      "pre-receive",
      "Run by git on the server (bare repository) before accepting a push: check every tip");
  add_hook_options(*pre_receive, *receive);
  pre_receive->callback(
      [receive, &exit_code] { exit_code = run_hook(*receive, HookKind::pre_receive); });

  auto installed = std::make_shared<HookOptions>();
  CLI::App* install_command = hook->add_subcommand(
      "install",
      "Write REPO's pre-push hook calling `opsgate hook pre-push` with these options (never "
      "over a hook opsgate did not write)");
  install_command->add_option("repo", installed->repo,
                              "Repository (default: the one containing the current directory)");
  add_hook_options(*install_command, *installed);
  install_command->callback([installed, install_command, &exit_code] {
    exit_code = install(*installed, *install_command);
  });
}

}  // namespace opsgate::cli
