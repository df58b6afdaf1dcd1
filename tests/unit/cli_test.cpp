#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"

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
