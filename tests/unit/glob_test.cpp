#include <catch2/catch.hpp>

#include "glob.hpp"

namespace glob_test {

using opsgate::glob_matches;

TEST_CASE("glob: '*' stays inside one path component", "[glob]") {
  CHECK(glob_matches("db/*.sql", "db/001.sql"));
  CHECK_FALSE(glob_matches("db/*.sql", "db/old/001.sql"));
}

TEST_CASE("glob: '**' spans any number of components", "[glob]") {
  CHECK(glob_matches("db/migrations/**", "db/migrations/2026/001.sql"));
  CHECK(glob_matches("db/**/*.sql", "db/001.sql"));
  CHECK(glob_matches("db/**/*.sql", "db/a/b/001.sql"));
  CHECK(glob_matches("**/*.sql", "schema.sql"));
  CHECK_FALSE(glob_matches("db/migrations/**", "db/seeds/001.sql"));
}

TEST_CASE("glob: a pattern without '/' matches at any depth", "[glob]") {
  CHECK(glob_matches("*.sql", "schema.sql"));
  CHECK(glob_matches("*.sql", "db/deep/schema.sql"));
  CHECK_FALSE(glob_matches("*.sql", "db/schema.sqlite"));
}

TEST_CASE("glob: a pattern with '/' is anchored at the manifest's directory", "[glob]") {
  CHECK(glob_matches("db/*.sql", "db/a.sql"));
  CHECK_FALSE(glob_matches("db/*.sql", "svc/db/a.sql"));
}

TEST_CASE("glob: a matched directory covers everything under it", "[glob]") {
  CHECK(glob_matches("docs", "docs/runbook.md"));
  CHECK(glob_matches("docs/", "docs/deep/runbook.md"));
  CHECK(glob_matches("migrations", "db/migrations/001.sql"));
  CHECK_FALSE(glob_matches("docs", "documentation/x.md"));
}

}  // namespace glob_test
