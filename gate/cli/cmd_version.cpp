#include <curl/curl.h>
#include <fmt/format.h>
#include <git2.h>

#include <toml++/toml.h>

#include "commands.hpp"
#include "options.hpp"

namespace opsgate::cli {

void register_version(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("version", "Print the version");
  command->callback([&exit_code] {
    int major = 0, minor = 0, rev = 0;
    git_libgit2_version(&major, &minor, &rev);
    fmt::print("opsgate {}\n", OPSGATE_VERSION);
    fmt::print("libgit2 {}.{}.{}, toml++ {}.{}.{}, {}\n", major, minor, rev, TOML_LIB_MAJOR,
               TOML_LIB_MINOR, TOML_LIB_PATCH,
               curl_version_info(CURLVERSION_NOW)->version
                   ? std::string("libcurl ") + curl_version_info(CURLVERSION_NOW)->version
                   : std::string("libcurl"));
    exit_code = k_exit_pass;
  });
}

}  // namespace opsgate::cli
