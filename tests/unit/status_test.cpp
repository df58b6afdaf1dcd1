#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>

#include "status.hpp"

namespace status_test {

using namespace opsgate;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

Environment env_of(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto found = values.find(name);
    if (found == values.end() || found->second.empty()) return std::nullopt;
    return found->second;
  };
}

StatusOptions posting(std::string provider) {
  StatusOptions options;
  options.provider = std::move(provider);
  return options;
}

const std::string k_sha = "0123456789abcdef0123456789abcdef01234567";

StatusTarget resolved(const StatusOptions& options, std::map<std::string, std::string> env) {
  auto target = resolve_status_target(options, k_sha, env_of(std::move(env)));
  INFO((target ? std::string() : target.error().message));
  REQUIRE(target);
  return *target;
}

std::optional<std::string> header(const HttpRequest& request, const std::string& name) {
  for (const HttpHeader& h : request.headers)
    if (h.name == name) return h.value;
  return std::nullopt;
}

std::string error_of(const Expected<StatusTarget>& target) {
  REQUIRE_FALSE(target);
  return target.error().message;
}

// Answers from a script and advances the fake clock by each exchange's duration.
class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return m_now; }
  std::chrono::system_clock::time_point wall_now() override {
    return std::chrono::system_clock::time_point(seconds(1'800'000'000)) +
           (m_now - std::chrono::steady_clock::time_point());
  }
  void sleep_for(milliseconds delay) override {
    sleeps.push_back(delay);
    m_now += delay;
  }
  void advance(milliseconds delay) { m_now += delay; }
  std::vector<milliseconds> sleeps;

 private:
  std::chrono::steady_clock::time_point m_now;
};

class FakeTransport final : public HttpTransport {
 public:
  FakeTransport(FakeClock& clock, std::deque<HttpResponse> script)
      : m_clock(clock), m_script(std::move(script)) {}
  HttpResponse send(const HttpRequest& request, milliseconds timeout) override {
    requests.push_back(request);
    timeouts.push_back(timeout);
    HttpResponse response;
    if (m_script.empty()) {
      response.status = 201;
    } else {
      response = m_script.front();
      m_script.pop_front();
    }
    m_clock.advance(response.timed_out ? timeout : milliseconds(10));
    return response;
  }
  std::vector<HttpRequest> requests;
  std::vector<milliseconds> timeouts;

 private:
  FakeClock& m_clock;
  std::deque<HttpResponse> m_script;
};

HttpResponse answer(long status, std::string retry_after = {}, std::string body = {}) {
  HttpResponse response;
  response.status = status;
  response.retry_after = std::move(retry_after);
  response.body = std::move(body);
  return response;
}

HttpResponse refused() {
  HttpResponse response;
  response.transport_error = "Failed to connect to 127.0.0.1 port 9: Connection refused";
  response.transient = true;
  return response;
}

RetryPolicy fixed_jitter_policy(milliseconds total = seconds(30)) {
  RetryPolicy policy;
  policy.total = total;
  policy.jitter = [] { return 0.5; };
  return policy;
}

StatusTarget gitlab_target() {
  return resolved(posting("gitlab"), {{"CI_API_V4_URL", "https://gitlab.example.org/api/v4"},
                                      {"CI_PROJECT_ID", "42"},
                                      {"OPSGATE_GITLAB_TOKEN", "glpat-SECRET"}});
}

}  // namespace

TEST_CASE("status: GitLab request", "[status]") {
  StatusTarget target =
      resolved(posting("gitlab"), {{"CI_API_V4_URL", "https://gitlab.example.org/api/v4/"},
                                   {"CI_PROJECT_ID", "group/sub/app"},
                                   {"CI_JOB_URL", "https://gitlab.example.org/j/7"},
                                   {"OPSGATE_GITLAB_TOKEN", "glpat-SECRET"}});
  HttpRequest request =
      build_status_request(target, StatusState::failed, "opsgate: FAIL: 2 failed");
  CHECK(request.method == "POST");
  CHECK(request.url ==
        "https://gitlab.example.org/api/v4/projects/group%2Fsub%2Fapp/statuses/" + k_sha);
  CHECK(header(request, "PRIVATE-TOKEN") == "glpat-SECRET");
  CHECK_FALSE(header(request, "Authorization"));
  CHECK(header(request, "Content-Type") == "application/json");
  auto body = nlohmann::json::parse(request.body);
  CHECK(body == nlohmann::json{{"state", "failed"},
                               {"name", "opsgate"},
                               {"description", "opsgate: FAIL: 2 failed"},
                               {"target_url", "https://gitlab.example.org/j/7"}});
  CHECK(nlohmann::json::parse(build_status_request(target, StatusState::success, "x").body)
            .at("state") == "success");
}

TEST_CASE("status: GitHub and Gitea requests", "[status]") {
  std::map<std::string, std::string> actions = {{"GITHUB_API_URL", "https://api.github.com"},
                                                {"GITHUB_REPOSITORY", "acme/billing"},
                                                {"GITHUB_SERVER_URL", "https://github.com"},
                                                {"GITHUB_RUN_ID", "99"},
                                                {"GITHUB_TOKEN", "ghs_SECRET"}};
  StatusTarget github = resolved(posting("github"), actions);
  HttpRequest request = build_status_request(github, StatusState::failed, "bad");
  CHECK(request.url == "https://api.github.com/repos/acme/billing/statuses/" + k_sha);
  CHECK(header(request, "Authorization") == "Bearer ghs_SECRET");
  auto body = nlohmann::json::parse(request.body);
  CHECK(body == nlohmann::json{{"state", "failure"},
                               {"context", "opsgate"},
                               {"description", "bad"},
                               {"target_url", "https://github.com/acme/billing/actions/runs/99"}});

  SECTION("Gitea prefers GITEA_TOKEN, sent as 'token'") {
    actions["GITEA_TOKEN"] = "gitea-SECRET";
    StatusTarget gitea = resolved(posting("gitea"), actions);
    HttpRequest gitea_request = build_status_request(gitea, StatusState::success, "ok");
    CHECK(gitea_request.url == "https://api.github.com/repos/acme/billing/statuses/" + k_sha);
    CHECK(header(gitea_request, "Authorization") == "token gitea-SECRET");
    CHECK(nlohmann::json::parse(gitea_request.body).at("state") == "success");
  }
  SECTION("Gitea falls back to GITHUB_TOKEN") {
    StatusTarget gitea = resolved(posting("gitea"), actions);
    CHECK(gitea.token_variable == "GITHUB_TOKEN");
    CHECK(header(build_status_request(gitea, StatusState::success, "ok"), "Authorization") ==
          "token ghs_SECRET");
  }
}

TEST_CASE("status: Bitbucket request and its required url", "[status]") {
  std::map<std::string, std::string> env = {{"BITBUCKET_URL", "https://bitbucket.example.org"},
                                            {"BITBUCKET_TOKEN", "bb-SECRET"}};
  CHECK_THAT(error_of(resolve_status_target(posting("bitbucket"), k_sha, env_of(env))),
             Catch::Contains("--target-url"));
  env["BUILD_URL"] = "https://jenkins.example.org/job/app/12/";
  StatusTarget target = resolved(posting("bitbucket"), env);
  HttpRequest request = build_status_request(target, StatusState::success, "opsgate: PASS");
  CHECK(request.url == "https://bitbucket.example.org/rest/build-status/1.0/commits/" + k_sha);
  CHECK(header(request, "Authorization") == "Bearer bb-SECRET");
  CHECK(nlohmann::json::parse(request.body) ==
        nlohmann::json{{"state", "SUCCESSFUL"},
                       {"key", "opsgate"},
                       {"name", "opsgate"},
                       {"url", "https://jenkins.example.org/job/app/12/"},
                       {"description", "opsgate: PASS"}});
  CHECK(nlohmann::json::parse(build_status_request(target, StatusState::failed, "x").body)
            .at("state") == "FAILED");
}

TEST_CASE("status: flags override the environment", "[status]") {
  StatusOptions options = posting("gitlab");
  options.api_url = "http://127.0.0.1:8080/api/v4";
  options.project = "7";
  options.target_url = "https://ci.example.org/run/1";
  options.sha = "feedface";
  StatusTarget target = resolved(options, {{"CI_API_V4_URL", "https://ignored/api/v4"},
                                           {"CI_PROJECT_ID", "1"},
                                           {"CI_JOB_URL", "https://ignored/job"},
                                           {"OPSGATE_GITLAB_TOKEN", "t"}});
  CHECK(target.api_url == "http://127.0.0.1:8080/api/v4");
  CHECK(target.project == "7");
  CHECK(target.sha == "feedface");
  CHECK(target.target_url == "https://ci.example.org/run/1");
}

TEST_CASE("status: missing settings name the variable", "[status]") {
  CHECK_THAT(error_of(resolve_status_target(
                 posting("gitlab"), k_sha,
                 env_of({{"CI_PROJECT_ID", "1"}, {"OPSGATE_GITLAB_TOKEN", "t"}}))),
             Catch::Contains("CI_API_V4_URL") && Catch::Contains("--api-url"));
  CHECK_THAT(error_of(resolve_status_target(
                 posting("gitlab"), k_sha,
                 env_of({{"CI_API_V4_URL", "https://g/api/v4"}, {"OPSGATE_GITLAB_TOKEN", "t"}}))),
             Catch::Contains("CI_PROJECT_ID") && Catch::Contains("--project"));
  CHECK_THAT(error_of(resolve_status_target(
                 posting("gitlab"), k_sha,
                 env_of({{"CI_API_V4_URL", "https://g/api/v4"}, {"CI_PROJECT_ID", "1"}}))),
             Catch::Contains("OPSGATE_GITLAB_TOKEN is not set"));
  CHECK_THAT(error_of(resolve_status_target(posting("github"), k_sha,
                                            env_of({{"GITHUB_REPOSITORY", "a/b"}}))),
             Catch::Contains("GITHUB_TOKEN is not set"));
  CHECK_THAT(error_of(resolve_status_target(
                 posting("gitea"), k_sha,
                 env_of({{"GITHUB_API_URL", "https://g/api/v1"}, {"GITHUB_REPOSITORY", "a/b"}}))),
             Catch::Contains("GITEA_TOKEN (or GITHUB_TOKEN)"));
  CHECK_THAT(
      error_of(resolve_status_target(
          posting("github"), "", env_of({{"GITHUB_REPOSITORY", "a/b"}, {"GITHUB_TOKEN", "t"}}))),
      Catch::Contains("--status-sha"));
  CHECK_THAT(error_of(resolve_status_target(
                 posting("github"), k_sha,
                 env_of({{"GITHUB_REPOSITORY", "nobody"}, {"GITHUB_TOKEN", "t"}}))),
             Catch::Contains("owner/repo"));
}

TEST_CASE("status: the commit is the evaluated revision, else the CI's", "[status]") {
  std::map<std::string, std::string> env = {
      {"GITHUB_REPOSITORY", "a/b"}, {"GITHUB_TOKEN", "t"}, {"GITHUB_SHA", "cafe"}};
  CHECK(resolved(posting("github"), env).sha == k_sha);
  auto target = resolve_status_target(posting("github"), "", env_of(env));
  REQUIRE(target);
  CHECK(target->sha == "cafe");
  CHECK(target->api_url == "https://api.github.com");  // GitHub's public API by default
}

TEST_CASE("status: auto detection order", "[status]") {
  auto detect = [](std::map<std::string, std::string> env) {
    auto provider = detect_provider(env_of(std::move(env)));
    return provider ? std::string(provider_name(*provider)) : "error: " + provider.error().message;
  };
  CHECK(detect({{"GITEA_ACTIONS", "true"}, {"GITHUB_ACTIONS", "true"}}) == "gitea");
  CHECK(detect({{"GITHUB_ACTIONS", "true"}, {"GITLAB_CI", "true"}}) == "github");
  CHECK(detect({{"GITLAB_CI", "true"}, {"BITBUCKET_URL", "https://bb"}}) == "gitlab");
  CHECK(detect({{"BITBUCKET_URL", "https://bb"}, {"GIT_URL", "https://github.com/a/b"}}) ==
        "bitbucket");
  CHECK(detect({{"GITHUB_ACTIONS", "false"}, {"GITLAB_CI", "true"}}) == "gitlab");
  CHECK(detect({{"GIT_URL", "https://gitlab.example.org/group/app.git"}}) == "gitlab");
  CHECK(detect({{"GIT_URL", "git@github.com:acme/app.git"}}) == "github");
  CHECK(detect({{"GIT_URL", "ssh://git@code.example.org:7999/scm/ops/app.git"}}) == "bitbucket");
  CHECK(detect({{"GIT_URL", "https://gitea.example.org/ops/app.git"}}) == "gitea");
  CHECK_THAT(detect({{"GIT_URL", "https://git.example.org/ops/app.git"}}),
             Catch::StartsWith("error:") && Catch::Contains("--post-status=gitlab"));
  CHECK_THAT(detect({}), Catch::StartsWith("error:") && Catch::Contains("GITEA_ACTIONS"));
}

TEST_CASE("status: Jenkins with the Git plugin's variables", "[status]") {
  std::map<std::string, std::string> jenkins = {
      {"GIT_URL", "https://ci-bot:hunter2@gitlab.example.org/group/app.git"},
      {"GIT_COMMIT", "abc123"},
      {"BUILD_URL", "https://jenkins.example.org/job/app/5/"},
      {"OPSGATE_GITLAB_TOKEN", "t"}};
  // A self-hosted server: the API URL must be given.
  CHECK_THAT(error_of(resolve_status_target(posting("auto"), k_sha, env_of(jenkins))),
             Catch::Contains("--api-url"));
  StatusOptions options = posting("auto");
  options.api_url = "https://gitlab.example.org/api/v4";
  StatusTarget target = resolved(options, jenkins);
  CHECK(target.provider == Provider::gitlab);
  CHECK(target.project == "group/app");
  CHECK(target.target_url == "https://jenkins.example.org/job/app/5/");
  CHECK(target.sha == k_sha);

  // github.com needs nothing more.
  StatusTarget hub = resolved(posting("auto"),
                              {{"GIT_URL", "git@github.com:acme/app.git"}, {"GITHUB_TOKEN", "t"}});
  CHECK(hub.api_url == "https://api.github.com");
  CHECK(hub.project == "acme/app");
}

TEST_CASE("status: remote URLs", "[status]") {
  auto remote = parse_remote_url("https://user:pw@GitLab.Example.org:8443/a/b/c.git/");
  REQUIRE(remote);
  CHECK(remote->host == "gitlab.example.org");
  CHECK(remote->path == "a/b/c");
  remote = parse_remote_url("git@github.com:acme/app.git");
  REQUIRE(remote);
  CHECK(remote->host == "github.com");
  CHECK(remote->path == "acme/app");
  CHECK_FALSE(parse_remote_url("/srv/git/app.git"));
  CHECK_FALSE(parse_remote_url("./a:b"));
}

TEST_CASE("status: descriptions are cut to the platform's limit", "[status]") {
  CHECK(description_limit(Provider::github) == 140);
  CHECK(description_limit(Provider::gitea) == 140);
  CHECK(description_limit(Provider::gitlab) == 255);
  CHECK(truncate_description("short", 140) == "short");
  CHECK(truncate_description(std::string(140, 'a'), 140) == std::string(140, 'a'));
  CHECK(truncate_description(std::string(141, 'a'), 140) == std::string(139, 'a') + "\u2026");
  CHECK(truncate_description("two\nlines", 140) == "two lines");
  // Code points, not bytes: a cut never splits a character.
  std::string accents;
  for (int i = 0; i < 10; ++i) accents += "\u00e9";
  CHECK(truncate_description(accents, 10) == accents);
  CHECK(truncate_description(accents, 5) == "\u00e9\u00e9\u00e9\u00e9\u2026");

  std::string long_verdict(400, 'x');
  StatusTarget target = gitlab_target();
  auto body =
      nlohmann::json::parse(build_status_request(target, StatusState::failed, long_verdict).body);
  CHECK(body.at("description").get<std::string>() == std::string(254, 'x') + "\u2026");
  target.provider = Provider::github;
  target.project = "a/b";
  body =
      nlohmann::json::parse(build_status_request(target, StatusState::failed, long_verdict).body);
  CHECK(body.at("description").get<std::string>() == std::string(139, 'x') + "\u2026");
}

TEST_CASE("status: Retry-After", "[status]") {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(parse_retry_after("1", now) == milliseconds(1000));
  CHECK(parse_retry_after(" 120 ", now) == milliseconds(120000));
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now) == milliseconds(10000));
  CHECK(parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now) == milliseconds(60000));
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now) == milliseconds(0));  // past
  CHECK_FALSE(parse_retry_after("", now));
  CHECK_FALSE(parse_retry_after("soon", now));
  CHECK(parse_retry_after("99999999999999999999999", now) >= std::chrono::hours(24));
}

TEST_CASE("status: backoff doubles, is capped, and jitters within [d/2, d]", "[status]") {
  RetryPolicy policy;  // 1 s, doubling, capped at 8 s
  CHECK(backoff_delay(policy, 0, 0.0) == milliseconds(500));
  CHECK(backoff_delay(policy, 0, 0.999) == milliseconds(999));
  CHECK(backoff_delay(policy, 1, 0.0) == milliseconds(1000));
  CHECK(backoff_delay(policy, 2, 0.5) == milliseconds(3000));
  CHECK(backoff_delay(policy, 3, 0.0) == milliseconds(4000));
  CHECK(backoff_delay(policy, 10, 0.0) == milliseconds(4000));
  CHECK(backoff_delay(policy, 60, 0.999) <= milliseconds(8000));
}

TEST_CASE("status: which answers are retried", "[status]") {
  CHECK(should_retry(answer(429)));
  CHECK(should_retry(answer(500)));
  CHECK(should_retry(answer(503)));
  CHECK(should_retry(refused()));
  CHECK_FALSE(should_retry(answer(401)));
  CHECK_FALSE(should_retry(answer(404)));
  CHECK_FALSE(should_retry(answer(422)));
  CHECK_FALSE(should_retry(answer(501)));
  HttpResponse tls;
  tls.transport_error = "SSL certificate problem";
  CHECK_FALSE(should_retry(tls));
}

TEST_CASE("status: retries with a fake clock and transport", "[status]") {
  FakeClock clock;
  StatusTarget target = gitlab_target();
  HttpRequest request = build_status_request(target, StatusState::success, "ok");

  SECTION("201 at once: one request, no sleep") {
    FakeTransport transport(clock, {answer(201)});
    CHECK(send_with_retries(transport, clock, request, target, fixed_jitter_policy()));
    CHECK(transport.requests.size() == 1);
    CHECK(clock.sleeps.empty());
  }
  SECTION("429 honours Retry-After, in seconds and as a date") {
    FakeTransport transport(
        clock, {answer(429, "2"), answer(429, "Thu, 01 Jan 2099 00:00:00 GMT"), answer(201)});
    // The date is far away: past the bound, so the post gives up with a clear reason.
    auto posted = send_with_retries(transport, clock, request, target, fixed_jitter_policy());
    REQUIRE_FALSE(posted);
    CHECK(clock.sleeps == std::vector<milliseconds>{seconds(2)});
    CHECK_THAT(posted.error().message,
               Catch::Contains("429 Too Many Requests") && Catch::Contains("past the 30 s limit"));
  }
  SECTION("503 then 201: exponential backoff with jitter") {
    FakeTransport transport(clock, {answer(503), answer(502), refused(), answer(201)});
    CHECK(send_with_retries(transport, clock, request, target, fixed_jitter_policy()));
    CHECK(transport.requests.size() == 4);
    CHECK(clock.sleeps ==
          std::vector<milliseconds>{milliseconds(750), milliseconds(1500), milliseconds(3000)});
  }
  SECTION("401 is final: one request and a line naming the token variable") {
    FakeTransport transport(clock, {answer(401, "", R"({"message":"401 Unauthorized"})")});
    auto posted = send_with_retries(transport, clock, request, target, fixed_jitter_policy());
    REQUIRE_FALSE(posted);
    CHECK(transport.requests.size() == 1);
    CHECK_THAT(posted.error().message, Catch::StartsWith("GitLab answered 401 Unauthorized") &&
                                           Catch::EndsWith("check OPSGATE_GITLAB_TOKEN"));
  }
  SECTION("a server that keeps failing is bounded by the total time") {
    std::deque<HttpResponse> script(100, answer(503));
    FakeTransport transport(clock, script);
    auto posted =
        send_with_retries(transport, clock, request, target, fixed_jitter_policy(seconds(10)));
    REQUIRE_FALSE(posted);
    CHECK(clock.now() - std::chrono::steady_clock::time_point() <= seconds(10));
    CHECK(transport.requests.size() >= 3);
    CHECK(transport.requests.size() < 8);
    CHECK_THAT(posted.error().message,
               Catch::Contains("503 Service Unavailable") && Catch::Contains("attempts in"));
  }
  SECTION("a server that never answers: each try gets what is left") {
    HttpResponse silent;
    silent.transport_error = "Operation timed out";
    silent.transient = true;
    silent.timed_out = true;
    std::deque<HttpResponse> script(100, silent);
    FakeTransport transport(clock, script);
    RetryPolicy policy = fixed_jitter_policy(seconds(5));
    policy.attempt_timeout = seconds(3);
    auto posted = send_with_retries(transport, clock, request, target, policy);
    REQUIRE_FALSE(posted);
    CHECK(transport.timeouts.front() == seconds(3));
    CHECK(clock.now() - std::chrono::steady_clock::time_point() <= seconds(5));
    CHECK_THAT(posted.error().message,
               Catch::Contains("did not answer in time") && Catch::Contains("--status-timeout"));
  }
  SECTION("no message or log line carries the token") {
    std::vector<std::string> lines;
    LogSink log = [&](std::string_view line) { lines.emplace_back(line); };
    HttpResponse echo = answer(403, "", R"({"message":"token glpat-SECRET may not"})");
    FakeTransport transport(clock, {answer(503), echo});
    auto posted = send_with_retries(transport, clock, request, target, fixed_jitter_policy(), log);
    REQUIRE_FALSE(posted);
    CHECK_THAT(posted.error().message, !Catch::Contains("glpat-SECRET"));
    CHECK_THAT(posted.error().message, Catch::Contains("403 Forbidden"));
    REQUIRE_FALSE(lines.empty());
    for (const std::string& line : lines) CHECK_THAT(line, !Catch::Contains("glpat-SECRET"));
  }
}

// The longest start of `token` that `text` shows (a whole token counts in full).
std::size_t shown_prefix(std::string_view text, std::string_view token) {
  for (std::size_t length = token.size(); length > 0; --length)
    if (text.find(token.substr(0, length)) != std::string_view::npos) return length;
  return 0;
}

TEST_CASE("status: a server's message is masked before it is cut", "[status]") {
  FakeClock clock;
  StatusTarget target = gitlab_target();
  target.token = "glpat-0123456789abcdefghij";  // 26 characters, as GitLab's
  HttpRequest request = build_status_request(target, StatusState::success, "ok");
  // The message is cut at 160 code points: the token at every position around the cut, after
  // plain letters and after words (the cut drops a trailing space), once and twice, whole and
  // already cut by the server.
  for (const std::string filler : {"m", "a "}) {
    for (std::size_t at = 100; at <= 175; ++at) {
      std::string before;
      while (before.size() < at) before += filler;
      before.resize(at);
      // The server may have cut the token itself: a piece of it ends its message.
      const std::string piece = target.token.substr(0, 20);
      for (const std::string& message :
           {before + target.token + " is not valid", before + target.token,
            target.token + " " + before + target.token + target.token, before + piece,
            before + piece + "...", before + piece + "\u2026"}) {
        std::vector<std::string> lines;
        LogSink log = [&](std::string_view line) { lines.emplace_back(line); };
        nlohmann::json body = {{"message", message}};
        FakeTransport transport(clock, {answer(401, "", body.dump())});
        auto posted =
            send_with_retries(transport, clock, request, target, fixed_jitter_policy(), log);
        REQUIRE_FALSE(posted);
        INFO("token at " << at << ": " << posted.error().message);
        CHECK(shown_prefix(posted.error().message, target.token) < 4);
        for (const std::string& line : lines) CHECK(shown_prefix(line, target.token) < 4);
      }
    }
  }
  SECTION("an uncut message is shown whole, a word like the token's start included") {
    nlohmann::json body = {{"message", "glpat tokens expire"}};
    FakeTransport transport(clock, {answer(401, "", body.dump())});
    auto posted = send_with_retries(transport, clock, request, target, fixed_jitter_policy());
    REQUIRE_FALSE(posted);
    CHECK_THAT(posted.error().message, Catch::Contains("(\"glpat tokens expire\")"));
  }
  SECTION("a message that is not a string is masked too") {
    nlohmann::json body = {{"message", {{"token", std::string(140, 'x') + target.token}}}};
    FakeTransport transport(clock, {answer(401, "", body.dump())});
    auto posted = send_with_retries(transport, clock, request, target, fixed_jitter_policy());
    REQUIRE_FALSE(posted);
    CHECK(shown_prefix(posted.error().message, target.token) < 4);
  }
}

TEST_CASE("status: a server's control characters reach no terminal", "[status]") {
  FakeClock clock;
  StatusTarget target = gitlab_target();
  HttpRequest request = build_status_request(target, StatusState::success, "ok");
  std::vector<std::string> lines;
  LogSink log = [&](std::string_view line) { lines.emplace_back(line); };
  nlohmann::json body = {{"message",
                          "\x1b[2J\x1b]0;owned\x07"
                          "bad\rtoken\u009b"}};
  HttpResponse broken;
  broken.transport_error = "Recv failure: \x1b[31mreset\x1b[0m";
  broken.transient = true;
  FakeTransport transport(clock, {broken, answer(403, "", body.dump())});
  auto posted = send_with_retries(transport, clock, request, target, fixed_jitter_policy(), log);
  REQUIRE_FALSE(posted);
  const std::string& message = posted.error().message;
  CHECK_THAT(message, Catch::Contains(R"(("\x1b[2J\x1b]0;owned\x07bad token\u009b"))"));
  lines.push_back(message);
  bool retried = false;
  for (const std::string& line : lines) {
    INFO(line);
    CHECK(std::none_of(line.begin(), line.end(), [](char c) {
      auto byte = static_cast<unsigned char>(c);
      return byte < 0x20 || byte == 0x7f;
    }));
    CHECK_THAT(line, !Catch::Contains("\u009b"));
    if (line.find("Recv failure: \\x1b[31mreset\\x1b[0m") != std::string::npos) retried = true;
  }
  CHECK(retried);
}

TEST_CASE("status: redaction", "[status]") {
  std::string headers =
      "POST /api/v4/projects/1/statuses/abc HTTP/1.1\r\n"
      "Host: gitlab.example.org\r\n"
      "PRIVATE-TOKEN: glpat-SECRET\r\n"
      "authorization: Bearer ghs_SECRET\r\n"
      "Proxy-Authorization: Basic dXNlcjpwdw==\r\n"
      "Content-Type: application/json\r\n\r\n";
  std::string shown = redact_headers(headers);
  CHECK_THAT(shown, !Catch::Contains("SECRET") && !Catch::Contains("dXNlcjpwdw"));
  CHECK_THAT(shown, Catch::Contains("PRIVATE-TOKEN: ***\r\n") &&
                        Catch::Contains("authorization: ***\r\n") &&
                        Catch::Contains("POST /api/v4/projects/1/statuses/abc HTTP/1.1\r\n") &&
                        Catch::Contains("Content-Type: application/json\r\n"));
  CHECK(redact("a SECRET and SECRET", "SECRET") == "a *** and ***");
  CHECK(redact("nothing", "") == "nothing");
  CHECK(display_url("https://bot:pw@gitlab.example.org/api/v4") ==
        "https://gitlab.example.org/api/v4");
  CHECK(display_url("https://gitlab.example.org/a@b") == "https://gitlab.example.org/a@b");
}

TEST_CASE("status: bad options fail before any request", "[status]") {
  StatusOptions options = posting("gitlab");
  options.timeout_seconds = 0;
  auto posted = post_commit_status(options, k_sha, StatusState::success, "x", env_of({}));
  REQUIRE_FALSE(posted);
  CHECK_THAT(posted.error().message, Catch::Contains("--status-timeout"));
  options.timeout_seconds = 5;
  options.ca_file = "/nonexistent/ca.pem";
  posted = post_commit_status(options, k_sha, StatusState::success, "x",
                              env_of({{"CI_API_V4_URL", "http://127.0.0.1:9/api/v4"},
                                      {"CI_PROJECT_ID", "1"},
                                      {"OPSGATE_GITLAB_TOKEN", "t"}}));
  REQUIRE_FALSE(posted);
  CHECK_THAT(posted.error().message, Catch::Contains("--ca-file /nonexistent/ca.pem"));
}

}  // namespace status_test
