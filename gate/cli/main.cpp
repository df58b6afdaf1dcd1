#include "commands.hpp"
#include "git_handles.hpp"

int main(int argc, char** argv) {
  opsgate::GitLibrary git;
  return opsgate::cli::run(argc, argv);
}
