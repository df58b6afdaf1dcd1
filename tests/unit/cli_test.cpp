#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "i18n.hpp"

namespace cli_test {

namespace {

// What `opsgate ARGS...` is told about an unknown word, over the whole command line.
std::optional<std::string> unknown(std::vector<const char*> args) {
  CLI::App app;
  int exit_code = 0;
  opsgate::cli::define_cli(app, exit_code);
  args.insert(args.begin(), "opsgate");
  return opsgate::cli::unknown_word(app, static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_CASE("cli: a misspelt command gets the nearest one and the list", "[cli]") {
  CHECK(unknown({"chek"}) ==
        "opsgate has no command 'chek'; did you mean check? (commands: check, window, explain, "
        "rules, init, schema, hook, fleet, version)");
  CHECK(unknown({"rules", "tset", "dir"}) ==
        "opsgate rules has no command 'tset'; did you mean test? (commands: list, packs, test)");
  CHECK(unknown({"hook", "pre-recieve"}) ==
        "opsgate hook has no command 'pre-recieve'; did you mean pre-receive? (commands: "
        "pre-push, pre-receive, install)");
  CHECK(unknown({"expl"}) ==  // an abbreviation
        "opsgate has no command 'expl'; did you mean explain? (commands: check, window, explain, "
        "rules, init, schema, hook, fleet, version)");
  CHECK(unknown({"deploy"}) ==
        "opsgate has no command 'deploy' (commands: check, window, explain, rules, init, schema, "
        "hook, fleet, version)");
}

TEST_CASE("cli: a misspelt long option gets the nearest one of its command", "[cli]") {
  CHECK(unknown({"check", "--bsae", "main"}) ==
        "opsgate check has no option '--bsae'; did you mean --base? (`opsgate check --help` "
        "lists them)");
  CHECK(unknown({"check", "--rev", "HEAD", "--fromat=json"}) ==
        "opsgate check has no option '--fromat'; did you mean --format? (`opsgate check --help` "
        "lists them)");
  CHECK(unknown({"rules", "list", "--rulez", "x"}) ==
        "opsgate rules list has no option '--rulez'; did you mean --rules? (`opsgate rules list "
        "--help` lists them)");
  CHECK(unknown({"--versoin"}) ==
        "opsgate has no option '--versoin'; did you mean --version? (`opsgate --help` lists "
        "them)");
  CHECK(unknown({"--rev", "HEAD", "check"}) ==  // a command's option before the command
        "opsgate has no option '--rev': it is an option of check, window, fleet, written after "
        "the command (opsgate check --rev ...)");
  CHECK(unknown({"check", "--nothing-like-it"}) ==
        "opsgate check has no option '--nothing-like-it' (`opsgate check --help` lists them)");
}

TEST_CASE("cli: known words and positional arguments are no unknown word", "[cli]") {
  // A value that looks like a command or an option is the option's value.
  CHECK_FALSE(unknown({"check", "--rev", "chek", "--emergency", "--bsae", "repo"}));
  CHECK_FALSE(unknown({"check", "chek"}));  // check's REPO
  CHECK_FALSE(unknown({"explain", "BKP-02"}));
  CHECK_FALSE(unknown({"check", "--post-status", "repo"}));  // an optional value: not taken
  CHECK_FALSE(unknown({"check", "-q", "--", "--bsae"}));     // after --, nothing is an option
  CHECK_FALSE(unknown({}));                                  // no command at all: CLI11 says so
}

TEST_CASE("cli: unknown words in French, names and values as typed", "[cli][i18n]") {
  opsgate::set_language(opsgate::Lang::fr);
  CHECK(unknown({"chek"}) ==
        "opsgate n'a pas de commande « chek » ; vouliez-vous dire check ? (commandes : check, "
        "window, explain, rules, init, schema, hook, fleet, version)");
  CHECK(unknown({"deploy"}) ==
        "opsgate n'a pas de commande « deploy » (commandes : check, window, explain, rules, init, "
        "schema, hook, fleet, version)");
  CHECK(unknown({"check", "--bsae", "main"}) ==
        "opsgate check n'a pas d'option « --bsae » ; vouliez-vous dire --base ? (`opsgate check "
        "--help` les liste)");
  CHECK(unknown({"check", "--nothing-like-it"}) ==
        "opsgate check n'a pas d'option « --nothing-like-it » (`opsgate check --help` les liste)");
  CHECK(unknown({"--rev", "HEAD", "check"}) ==
        "opsgate n'a pas d'option « --rev » : c'est une option de check, window, fleet, qui "
        "s'écrit après la commande (opsgate check --rev ...)");
  opsgate::set_language(opsgate::Lang::en);
}

TEST_CASE("cli: --help in French, from the same definitions", "[cli][i18n]") {
  const auto check_help = [](opsgate::Lang lang) {
    opsgate::set_language(lang);
    CLI::App app;
    int exit_code = 0;
    opsgate::cli::define_cli(app, exit_code);
    std::string help = app.get_subcommand("check")->help();
    opsgate::set_language(opsgate::Lang::en);
    return help;
  };
  const std::string english = check_help(opsgate::Lang::en);
  const std::string french = check_help(opsgate::Lang::fr);
  CHECK(english.find("Usage: ") != std::string::npos);
  CHECK(english.find("Revision to evaluate") != std::string::npos);
  CHECK(english.find("Options:\n") != std::string::npos);  // CLI11's own headings in English
  CHECK(french.find("Utilisation : ") != std::string::npos);
  CHECK(french.find("Utilisation: ") == std::string::npos);
  CHECK(french.find("\nOptions :\n") != std::string::npos);  // a space before French colons
  CHECK(french.find("Options:") == std::string::npos);
  CHECK(french.find("Usage: ") == std::string::npos);
  CHECK(french.find("Révision à évaluer") != std::string::npos);
  CHECK(french.find("Affiche cette aide et quitte") != std::string::npos);
  CHECK(french.find("Arguments :") != std::string::npos);      // CLI11's "Positionals"
  CHECK(french.find("--rev TEXT=HEAD") != std::string::npos);  // names and defaults stay
  CHECK(french.find("--fail-on TEXT:{error,warning}=error") != std::string::npos);
}

TEST_CASE("cli: CLI11's messages reworded in French, plural counts and ranges included",
          "[cli][i18n]") {
  const auto said = [](const std::string& what) {
    return opsgate::cli::parse_error_text(CLI::ParseError(what, CLI::ExitCodes::ArgumentMismatch));
  };
  CHECK(said("--jobs: Value 0 not in range 1 to 64") == "--jobs: Value 0 not in range 1 to 64");
  opsgate::set_language(opsgate::Lang::fr);
  const std::string one = said("--rev: 1 required TEXT missing");
  const std::string two = said("--pair: 2 required TEXT missing");
  const std::string range = said("--jobs: Value 0 not in range 1 to 64");
  opsgate::set_language(opsgate::Lang::en);
  CHECK(one == "--rev : 1 valeur de type TEXT manquante");
  CHECK(two == "--pair : 2 valeurs de type TEXT manquantes");
  CHECK(range == "--jobs : la valeur 0 n'est pas comprise entre 1 et 64");
}

}  // namespace cli_test
