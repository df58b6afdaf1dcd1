// opsgate_docgen OUTDIR: the build's generator of opsgate's man pages and shell completions,
// from the same definitions as `opsgate --help` (define_cli). Writes
//   OUTDIR/man/man1/opsgate.1, opsgate-check.1, ... (one page per subcommand)
//   OUTDIR/man/fr/man1/opsgate.1, ... (the same pages in French, as `--lang fr --help` says it)
//   OUTDIR/bash-completion/completions/opsgate
//   OUTDIR/zsh/_opsgate
//   OUTDIR/fish/vendor_completions.d/opsgate.fish

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "commands.hpp"
#include "completion.hpp"
#include "i18n.hpp"
#include "manpage.hpp"

namespace fs = std::filesystem;

namespace {

bool write_file(const fs::path& file, const std::string& text) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    fmt::print(stderr, "opsgate_docgen: cannot write {}\n", file.string());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: opsgate_docgen OUTDIR\n");
    return 2;
  }
  const fs::path out = argv[1];
  // The command line as each language describes it (descriptions go through the catalog when
  // define_cli runs); the completions are written from the English one.
  const auto described = [](opsgate::Lang lang) {
    opsgate::set_language(lang);
    CLI::App app;
    int exit_code = 0;
    opsgate::cli::define_cli(app, exit_code);
    return opsgate::cli::describe_cli(app);
  };
  const opsgate::cli::CommandSpec french = described(opsgate::Lang::fr);
  const opsgate::cli::CommandSpec cli = described(opsgate::Lang::en);

  // A page of a subcommand that no longer exists must not be installed.
  std::error_code ec;
  fs::remove_all(out / "man", ec);
  bool ok = true;
  for (const opsgate::cli::ManPage& page : opsgate::cli::man_pages(cli, OPSGATE_VERSION))
    ok = write_file(out / "man" / "man1" / (page.name + ".1"), page.roff) && ok;
  {
    opsgate::LanguageScope in_french(opsgate::Lang::fr);
    for (const opsgate::cli::ManPage& page : opsgate::cli::man_pages(french, OPSGATE_VERSION))
      ok = write_file(out / "man" / "fr" / "man1" / (page.name + ".1"), page.roff) && ok;
  }
  ok = write_file(out / "bash-completion" / "completions" / "opsgate",
                  opsgate::cli::bash_completion(cli)) &&
       ok;
  ok = write_file(out / "zsh" / "_opsgate", opsgate::cli::zsh_completion(cli)) && ok;
  ok = write_file(out / "fish" / "vendor_completions.d" / "opsgate.fish",
                  opsgate::cli::fish_completion(cli)) &&
       ok;
  return ok ? 0 : 1;
}
