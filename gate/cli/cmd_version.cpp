#include <fmt/format.h>
#include <git2.h>

#include <toml++/toml.h>

#include "commands.hpp"
#include "curl_api.hpp"
#include "i18n.hpp"
#include "options.hpp"

namespace opsgate::cli {

std::string version_text() {
  int major = 0, minor = 0, rev = 0;
  git_libgit2_version(&major, &minor, &rev);
  // libcurl is only loaded here and for --post-status (gate/curl_api.hpp).
  std::string curl = trf("{} not loadable", curl_library_name());
  if (auto api = curl_api(); api && (*api)->version_info(CURLVERSION_NOW)->version)
    curl = fmt::format("libcurl {}", (*api)->version_info(CURLVERSION_NOW)->version);
  return fmt::format("opsgate {}\nlibgit2 {}.{}.{}, toml++ {}.{}.{}, {}", OPSGATE_VERSION, major,
                     minor, rev, TOML_LIB_MAJOR, TOML_LIB_MINOR, TOML_LIB_PATCH, curl);
}

void register_version(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("version", std::string(tr("Print the version")));
  command->callback([&exit_code] {
    fmt::print("{}\n", version_text());
    exit_code = k_exit_pass;
  });
}

}  // namespace opsgate::cli
