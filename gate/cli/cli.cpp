#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "i18n.hpp"
#include "options.hpp"
#include "output.hpp"
#include "suggest.hpp"
#include "terminal_text.hpp"

namespace opsgate::cli {

namespace {

// The --report FMT=FILE values of a command line CLI11 refused: those reports are still owed.
std::vector<std::string> requested_reports(int argc, char** argv) {
  std::vector<std::string> reports;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--report" && i + 1 < argc)
      reports.emplace_back(argv[++i]);
    else if (arg.starts_with("--report="))
      reports.emplace_back(arg.substr(9));
  }
  return reports;
}

// Takes --lang LANG / --lang=LANG out of the command line, wherever it stands before "--" (a
// global option, valid on every command): the language must be known before CLI11 prints any
// help or error. Sets the process's language from it, else from the environment: the
// environment's first, so that --lang's own errors are in that language.
Expected<void> choose_language(std::vector<char*>& args) {
  set_language(
      lang_from_environment([](const char* name) -> const char* { return std::getenv(name); }));
  std::optional<std::string_view> chosen;
  for (std::size_t i = 1; i < args.size();) {
    std::string_view arg = args[i];
    if (arg == "--") break;
    if (arg == "--lang" || arg.starts_with("--lang=")) {
      std::size_t taken = 1;
      if (arg == "--lang") {
        if (i + 1 >= args.size())
          return fail(ErrorKind::usage, trf("--lang needs a language ({})", k_lang_names));
        chosen = args[i + 1];
        taken = 2;
      } else {
        chosen = arg.substr(7);
      }
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
                 args.begin() + static_cast<std::ptrdiff_t>(i + taken));
      continue;
    }
    ++i;
  }
  if (!chosen) return {};
  auto lang = parse_lang(*chosen);
  if (!lang)
    return fail(ErrorKind::usage,
                trf("--lang: unknown language '{}' (languages: {})", *chosen, k_lang_names));
  set_language(*lang);
  return {};
}

// In the order `opsgate --help` lists them.
constexpr void (*k_subcommands[])(CLI::App&, int&) = {
    register_check,  register_window, register_explain, register_rules,   register_init,
    register_schema, register_hook,   register_fleet,   register_version,
};

// CLI11's --help with its headings ("Usage:", "Options:", "Commands:") followed by a colon as
// the process's language writes one (French: "Utilisation :"); CLI11 writes "{}:" itself.
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string name) const override {
    std::string text = CLI::Formatter::make_usage(app, std::move(name));
    const std::string label = get_label("Usage");
    if (text.starts_with(label + ":")) text.replace(0, label.size() + 1, heading(label));
    return text;
  }
  std::string make_group(std::string group, bool is_positional,
                         std::vector<const CLI::Option*> opts) const override {
    return retitled(CLI::Formatter::make_group(group, is_positional, std::move(opts)), group);
  }
  std::string make_subcommands(const CLI::App* app, CLI::AppFormatMode mode) const override {
    std::string text = CLI::Formatter::make_subcommands(app, mode);
    std::vector<std::string> groups;
    for (const CLI::App* sub : app->get_subcommands({}))
      if (!sub->get_group().empty() &&
          std::find(groups.begin(), groups.end(), sub->get_group()) == groups.end())
        groups.push_back(sub->get_group());
    for (const std::string& group : groups) text = retitled(std::move(text), group);
    return text;
  }

 private:
  static std::string heading(std::string_view label) {
    // TRANSLATORS: a heading of --help ("Usage:", "Options:"); French puts a space before the
    // colon.
    return trf("{}:", label);
  }
  // `text` with its lines "GROUP:" written as heading() writes them.
  static std::string retitled(std::string text, std::string_view group) {
    const std::string from = fmt::format("\n{}:\n", group);
    const std::string to = "\n" + heading(group) + "\n";
    if (from == to) return text;
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
    return text;
  }
};

// CLI11's own words in --help, in the process's language: its headings and the group names it
// gives options ("Options") and subcommands ("Subcommands") by default.
void translate_help_words(CLI::App& app) {
  for (std::string_view label :
       {tr_noop("Usage"), tr_noop("OPTIONS"), tr_noop("SUBCOMMAND"), tr_noop("SUBCOMMANDS"),
        tr_noop("Positionals"), tr_noop("REQUIRED")})
    app.get_formatter()->label(std::string(label), std::string(tr(label)));
  const std::function<void(CLI::App&)> regroup = [&regroup](CLI::App& command) {
    for (CLI::Option* option : command.get_options({}))
      if (option->get_group() == "Options") option->group(std::string(tr("Options")));
    for (CLI::App* sub : command.get_subcommands({})) {
      if (sub->get_group() == "Subcommands") sub->group(std::string(tr("Subcommands")));
      regroup(*sub);
    }
  };
  regroup(app);
}

}  // namespace

std::string parse_error_text(const CLI::ParseError& error) {
  const std::string what = error.what();
  if (language() == Lang::en) return what;
  std::smatch match;
  static const std::regex k_missing("(.*): ([0-9]+) required (.*) missing");
  static const std::regex k_extras("The following arguments? (?:was|were) not expected: (.*)");
  static const std::regex k_convert("Could not convert: (.*) = (.*)");
  static const std::regex k_not_allowed("The value (.*) is not an allowed value for (.*)");
  static const std::regex k_required("(.*) is required");
  static const std::regex k_flag_inputs("(.*): too many inputs for a flag");
  static const std::regex k_range("(.*): Value (.*) not in range (.*) to (.*)");
  if (what == "A subcommand is required") return std::string(tr("A subcommand is required"));
  if (std::regex_match(what, match, k_missing))
    return trnf("{}: {} required {} missing", "{}: {} required {} missing",
                std::strtoull(match[2].str().c_str(), nullptr, 10), match[1].str(), match[2].str(),
                match[3].str());
  if (std::regex_match(what, match, k_extras))
    return trf("The following arguments were not expected: {}", match[1].str());
  if (std::regex_match(what, match, k_convert))
    return trf("Could not convert: {} = {}", match[1].str(), match[2].str());
  if (std::regex_match(what, match, k_not_allowed))
    return trf("The value {} is not an allowed value for {}", match[1].str(), match[2].str());
  if (std::regex_match(what, match, k_range))
    return trf("{}: Value {} not in range {} to {}", match[1].str(), match[2].str(), match[3].str(),
               match[4].str());
  if (std::regex_match(what, match, k_flag_inputs))
    return trf("{}: too many inputs for a flag", match[1].str());
  if (std::regex_match(what, match, k_required)) return trf("{} is required", match[1].str());
  return what;
}

std::optional<std::string> unknown_word(const CLI::App& app, int argc, const char* const* argv) {
  const CLI::App* command = &app;
  std::string name = app.get_name();  // "opsgate rules"
  const auto visible = [](const auto* item) { return !item->get_group().empty(); };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.starts_with("--")) {
      const std::string option_name(arg.substr(0, arg.find('=')));
      if (const CLI::Option* option = command->get_option_no_throw(option_name)) {
        if (option->get_expected_min() > 0 && arg.find('=') == std::string_view::npos) ++i;
        continue;
      }
      std::vector<std::string> names;
      for (const CLI::Option* option : command->get_options())
        if (visible(option))
          for (const std::string& long_name : option->get_lnames())
            names.push_back("--" + long_name);
      // An option of the commands below, written before the command (`opsgate --rev X check`).
      std::vector<std::string> owners;
      if (command == &app)
        for (const CLI::App* sub : app.get_subcommands({}))
          if (visible(sub) && sub->get_option_no_throw(option_name))
            owners.push_back(sub->get_name());
      if (!owners.empty())
        return trf(
            "{} has no option '{}': it is an option of {}, written after the command "
            "(opsgate {} {} ...)",
            name, option_name, fmt::join(owners, ", "), owners.front(), option_name);
      if (const auto guess = closest_match(option_name, names))
        return trf("{} has no option '{}'; did you mean {}? (`{} --help` lists them)", name,
                   option_name, *guess, name);
      return trf("{} has no option '{}' (`{} --help` lists them)", name, option_name, name);
    }
    if (arg.starts_with('-')) {  // -q, -v, -h: a short option taking a value takes the next word
      const CLI::Option* option = command->get_option_no_throw(std::string(arg.substr(0, 2)));
      if (option && option->get_expected_min() > 0 && arg.size() == 2) ++i;
      continue;
    }
    std::vector<std::string> commands;
    const CLI::App* named = nullptr;
    for (const CLI::App* sub : command->get_subcommands({})) {
      if (sub->check_name(std::string(arg))) named = sub;
      if (visible(sub)) commands.push_back(sub->get_name());
    }
    if (named) {
      command = named;
      name += " " + named->get_name();
      continue;
    }
    // A word where no command is expected is a positional argument (`opsgate check REPO`).
    if (commands.empty() ||
        !command->get_options([](const CLI::Option* option) { return option->get_positional(); })
             .empty())
      continue;
    if (const auto guess = suggest_name(arg, commands))
      return trf("{} has no command '{}'; did you mean {}? (commands: {})", name, arg, *guess,
                 fmt::join(commands, ", "));
    return trf("{} has no command '{}' (commands: {})", name, arg, fmt::join(commands, ", "));
  }
  return std::nullopt;
}

void define_cli(CLI::App& app, int& exit_code) {
  app.name("opsgate");
  // Before any subcommand exists: each shares its parent's formatter.
  app.formatter(std::make_shared<HelpFormatter>());
  app.description(
      std::string(tr("opsgate: an operability quality gate for CI pipelines and git hooks")));
  // Before any subcommand exists: each inherits the help flag's description.
  app.set_help_flag("-h,--help", std::string(tr("Print this help message and exit")));
  app.require_subcommand(1);
  app.fallthrough(false);
  app.set_version_flag(
      "--version", [] { return version_text(); },
      std::string(tr("Print the version (as `opsgate version`)")));
  // Read before CLI11 runs (choose_language); declared here for --help, the man page and the
  // completions.
  static std::string lang;
  app.add_option("--lang", lang,
                 std::string(tr(
                     "Language of messages and reports on every command: en or fr (default: from "
                     "LANGUAGE, LC_ALL, LC_MESSAGES, LANG)")))
      ->check(CLI::IsMember({"en", "fr"}));
  for (auto add : k_subcommands) add(app, exit_code);
  translate_help_words(app);
}

int run(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  if (auto chosen = choose_language(args); !chosen) {
    // Exit 2 after reports were requested still writes them (finish prints the error too).
    if (auto reports = requested_reports(argc, argv); !reports.empty()) {
      CheckOptions options;
      options.reports = std::move(reports);
      return finish(options, std::unexpected(chosen.error()));
    }
    return report_error(chosen.error());
  }
  argc = static_cast<int>(args.size());
  argv = args.data();
  CLI::App app;
  int exit_code = k_exit_error;
  define_cli(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    exit_code = app.exit(help);  // the help text, checked below as any output
  } catch (const CLI::CallForAllHelp& help) {
    exit_code = app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    exit_code = app.exit(version);  // version_text(), as `opsgate version` prints it
  } catch (const CLI::ParseError& error) {
    const std::optional<std::string> unknown = unknown_word(app, argc, argv);
    if (unknown)
      fmt::print(stderr, "{}\n", trf("opsgate: error: {}", escape_control(*unknown)));
    else if (language() == Lang::en)
      app.exit(error);  // prints CLI11's message and where help is
    else
      fmt::print(stderr, "{}\n{}\n", escape_control(parse_error_text(error)),
                 tr("Run with --help for more information."));
    // Exit 2 after reports were requested still writes them, with "outcome": "error".
    if (auto reports = requested_reports(argc, argv); !reports.empty()) {
      CheckOptions options;
      options.reports = std::move(reports);
      finish(options,
             std::unexpected(Error{ErrorKind::usage, unknown ? *unknown : parse_error_text(error),
                                   std::nullopt}));
    }
    return k_exit_error;
  } catch (const std::exception& error) {  // fmt::print on a full disk throws, for one
    fmt::print(stderr, "{}\n", trf("opsgate: error: {}", error.what()));
    return k_exit_error;
  }
  // Output that never reached its file (a full disk) is no answer a pipeline can read. (check
  // says so itself, with its reports and status, and exits 2.)
  if ((std::fflush(stdout) != 0 || std::ferror(stdout)) && exit_code != k_exit_error) {
    fmt::print(stderr, "{}\n", trf("opsgate: error: {}", tr("cannot write to standard output")));
    return k_exit_error;
  }
  return exit_code;
}

}  // namespace opsgate::cli
