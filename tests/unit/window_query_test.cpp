// The deploy question as a library call (gate/check/window_query.hpp), on real repositories.

#include <catch2/catch.hpp>

#include <fstream>

#include "test_repo.hpp"
#include "window_query.hpp"

namespace window_query_test {

using namespace opsgate;
using opsgate::test::TempDir;
using opsgate::test::TempRepo;

namespace {

constexpr const char* k_manifest = R"(schema = 1
[service]
name = "pay"
owner = "team"
tier = "low"
[release_window]
timezone = "Europe/Paris"
[[release_window.allow]]
days = ["mon", "tue", "wed", "thu"]
start = "20:00"
end = "23:00"
)";

constexpr const char* k_pack = R"([pack]
name = "window"
[[rule]]
id = "WIN-003"
area = "release_window"
title = "Deployments happen inside a window"
severity = "error"
level = 1
stages = ["deploy"]
help = "Wait."
check = [ { key = "release_window", window_open = true } ]
)";

Instant at(const char* text) {
  auto parsed = parse_rfc3339(text);
  REQUIRE(parsed);
  return *parsed;
}

WindowRequest request_for(const TempRepo& repo, const TempDir& rules) {
  WindowRequest request;
  request.repository = repo.path().string();
  request.rules = {rules.path().string()};
  return request;
}

}  // namespace

TEST_CASE("window query: read once, asked at any instant", "[check][window]") {
  TempDir rules;
  std::ofstream(rules.path() / "pack.toml") << k_pack;
  TempRepo repo;
  repo.write("operability.toml", k_manifest);
  const std::string commit = repo.commit("service", "2026-11-20T10:00:00+01:00");

  auto query = WindowQuery::open(request_for(repo, rules));
  REQUIRE(query);
  WindowAnswer saturday = query->at(at("2026-11-28T10:00:00+01:00"));
  CHECK_FALSE(saturday.state.open);
  CHECK(saturday.service == "pay");
  CHECK(saturday.revision == commit);
  CHECK(saturday.cause() != "no_manifest");
  REQUIRE(saturday.state.next_open);
  CHECK(format_utc(*saturday.state.next_open) == "2026-11-30T19:00:00Z");

  WindowAnswer monday = query->at(at("2026-11-30T21:00:00+01:00"));
  CHECK(monday.state.open);
  REQUIRE(monday.state.closes_at);
  CHECK(format_utc(*monday.state.closes_at) == "2026-11-30T22:00:00Z");
}

TEST_CASE("window query: what keeps it from answering", "[check][window]") {
  TempDir rules;
  std::ofstream(rules.path() / "pack.toml") << k_pack;
  TempRepo repo;
  repo.write("a/operability.toml", k_manifest);
  repo.write("b/operability.toml", k_manifest);
  repo.commit("two services", "2026-11-20T10:00:00+01:00");

  auto several = WindowQuery::open(request_for(repo, rules));
  REQUIRE_FALSE(several);
  CHECK(several.error().kind == ErrorKind::usage);
  CHECK_THAT(several.error().message, Catch::Contains("choose one with --manifest"));

  WindowRequest one = request_for(repo, rules);
  one.manifests = {"c/operability.toml"};
  auto missing = WindowQuery::open(one);
  REQUIRE(missing);
  WindowAnswer answer = missing->at(at("2026-11-30T21:00:00+01:00"));
  CHECK(answer.missing_manifest);
  CHECK_FALSE(answer.state.open);
  CHECK(answer.cause() == "no_manifest");

  repo.write("a/operability.toml", std::string(k_manifest) + "[[release_window.deny]]\nfrom = 3\n");
  repo.commit("bad deny", "2026-11-21T10:00:00+01:00");
  one.manifests = {"a/operability.toml"};
  auto invalid = WindowQuery::open(one);
  REQUIRE(invalid);
  answer = invalid->at(at("2026-11-30T21:00:00+01:00"));
  CHECK_FALSE(answer.state.open);
  CHECK(answer.cause() == "invalid");
  CHECK_THAT(answer.reason(), Catch::Contains("a/operability.toml:"));

  WindowRequest bad_env = request_for(repo, rules);
  bad_env.environment = "";
  bad_env.rev = "no-such-branch";
  CHECK_FALSE(WindowQuery::open(bad_env));
}

}  // namespace window_query_test
