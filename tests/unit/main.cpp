#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "git_handles.hpp"

int main(int argc, char** argv) {
  opsgate::GitLibrary git;
  return Catch::Session().run(argc, argv);
}
