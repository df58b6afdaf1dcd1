#include <catch2/catch.hpp>

#include "scope.hpp"

using namespace opsgate;

namespace {

const std::vector<std::string> k_manifests = {
    "services/orders/operability.toml",
    "services/orders/worker/operability.toml",
    "services/search/operability.toml",
};

}  // namespace

TEST_CASE("scope: the deepest manifest directory owns a path", "[scope]") {
  CHECK(owning_manifest(k_manifests, "services/orders/src/main.go") ==
        "services/orders/operability.toml");
  CHECK(owning_manifest(k_manifests, "services/orders/worker/job.go") ==
        "services/orders/worker/operability.toml");
  CHECK(owning_manifest(k_manifests, "libs/shared.go").empty());
}

TEST_CASE("scope: paths match by whole components", "[scope]") {
  CHECK(owning_manifest(k_manifests, "services/orders-v2/main.go").empty());
  CHECK(owning_manifest(k_manifests, "services/searchlight/x").empty());
}

TEST_CASE("scope: a root manifest owns what no deeper manifest owns", "[scope]") {
  std::vector<std::string> manifests = {"operability.toml", "tools/cli/operability.toml"};
  CHECK(owning_manifest(manifests, "README.md") == "operability.toml");
  CHECK(owning_manifest(manifests, "tools/cli/main.c") == "tools/cli/operability.toml");
  CHECK(owning_manifest(manifests, "tools/other.c") == "operability.toml");
}

TEST_CASE("scope: a change selects the services it touches and changed manifests", "[scope]") {
  CHECK(select_manifests(k_manifests, {"services/orders/worker/job.go"}) ==
        std::vector<std::string>{"services/orders/worker/operability.toml"});
  CHECK(select_manifests(k_manifests, {"services/search/operability.toml", "libs/x.go"}) ==
        std::vector<std::string>{"services/search/operability.toml"});
  CHECK(select_manifests(k_manifests, {"libs/x.go", "README.md"}).empty());
  CHECK(select_manifests(k_manifests, {"services/orders/a", "services/search/b"}) ==
        std::vector<std::string>{"services/orders/operability.toml",
                                 "services/search/operability.toml"});
}

TEST_CASE("scope: a deleted manifest is not selected, its files fall to the parent", "[scope]") {
  // The worker's manifest was deleted: it is not in the list of manifests at the revision.
  std::vector<std::string> manifests = {"services/orders/operability.toml"};
  CHECK(select_manifests(manifests, {"services/orders/worker/operability.toml"}) ==
        std::vector<std::string>{"services/orders/operability.toml"});
}
