#include <optional>

#include "commands.hpp"
#include "executor.hpp"
#include "git_handles.hpp"
#include "timings.hpp"
#include "tls_deferral.hpp"

int main(int argc, char** argv) {
  opsgate::cli::Timings::process().start();
  std::optional<opsgate::GitLibrary> git;
  {
    opsgate::cli::CaBundleDeferral deferral;  // libgit2 never opens a remote here
    git.emplace();
  }
  opsgate::cli::Timings::process().mark("libgit2-init");
  const int code = opsgate::cli::run(argc, argv);
  opsgate::Executor::stop_shared();  // its threads end while libgit2 is still there
  return code;
}
