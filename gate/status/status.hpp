#pragma once
// Commit statuses: the verdict posted to GitLab, GitHub, Gitea or Bitbucket Server/Data Center
// through libcurl. Settings resolution, request building, Retry-After and the retry loop are pure
// (tests drive them with a fake transport and clock); CurlTransport is the one network edge.
// Tokens never leave this file except in the request itself: every message, log line and error
// is scrubbed of them, and of the server's control characters and escape sequences.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"

namespace opsgate {

enum class Provider { gitlab, github, gitea, bitbucket };
std::string_view provider_name(Provider provider);   // "gitlab", as on the command line
std::string_view provider_title(Provider provider);  // "GitLab", for messages
std::optional<Provider> parse_provider(std::string_view name);

enum class StatusState { success, failed };

// What the command line asked for. Empty strings fall back to the environment.
struct StatusOptions {
  std::string provider;  // "" (do not post), "auto", "gitlab", "github", "gitea", "bitbucket"
  bool require = false;  // a failed post is exit 2
  std::string api_url;
  std::string project;
  std::string target_url;
  std::string sha;
  std::string ca_file;
  double timeout_seconds = 30;  // the whole post, retries included
};

// Reads one environment variable; unset and empty are both nullopt. Tests pass a map.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;
Environment process_environment();

// Everything one post needs, resolved from the flags and the environment.
struct StatusTarget {
  Provider provider = Provider::gitlab;
  std::string api_url;  // no trailing slash
  std::string project;  // GitLab id or path, GitHub/Gitea owner/repo; empty for Bitbucket
  std::string sha;
  std::string target_url;
  std::string token;
  std::string token_variable;  // named in messages instead of the token
};

// `auto`: GITEA_ACTIONS, then GITHUB_ACTIONS, then GITLAB_CI, then BITBUCKET_URL, then Jenkins'
// GIT_URL (the Git plugin's remote), whose host names the server.
Expected<Provider> detect_provider(const Environment& env);

// A git remote (https://host/group/repo.git, ssh://git@host:7999/p/r.git, git@host:o/r.git).
struct RemoteUrl {
  std::string host;
  std::string path;  // without the leading '/' and a trailing ".git"
};
std::optional<RemoteUrl> parse_remote_url(std::string_view url);
std::optional<Provider> provider_from_remote(const RemoteUrl& remote);

// `revision` is the evaluated commit ("" when the run failed before resolving one).
Expected<StatusTarget> resolve_status_target(const StatusOptions& options,
                                             const std::string& revision, const Environment& env);

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<HttpHeader> headers;
  std::string body;
};

// GitHub and Gitea keep 140 characters of a description, GitLab and Bitbucket 255.
std::size_t description_limit(Provider provider);
// At most `limit` code points, on one line; a cut text ends with an ellipsis.
std::string truncate_description(std::string_view text, std::size_t limit);

HttpRequest build_status_request(const StatusTarget& target, StatusState state,
                                 std::string_view description);

struct HttpResponse {
  long status = 0;          // 0: no HTTP answer (see transport_error)
  std::string retry_after;  // the Retry-After header, when present
  std::string body;         // the first KiB or so, for the server's message
  std::string transport_error;
  bool transient = false;  // no answer, and worth another try (connection, timeout)
  bool timed_out = false;
};

// One HTTP exchange. An interface so that tests can answer from memory.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Never takes longer than `timeout` (connection included).
  virtual HttpResponse send(const HttpRequest& request, std::chrono::milliseconds timeout) = 0;
};

using LogSink = std::function<void(std::string_view line)>;

// libcurl with TLS verification on, proxies from the usual variables (libcurl's defaults), no
// redirects, http and https only. With a log sink, CURLOPT_VERBOSE output goes through a
// redacting debug callback: request and status lines, headers with credentials masked, control
// characters escaped, never bodies.
class CurlTransport final : public HttpTransport {
 public:
  struct Settings {
    std::string ca_file;  // PEM bundle for CURLOPT_CAINFO; empty: libcurl's default
    std::chrono::milliseconds connect_timeout{5000};
    std::string secret;  // scrubbed from every log line as a last line of defence
    LogSink log;         // set: verbose
  };
  explicit CurlTransport(Settings settings);
  HttpResponse send(const HttpRequest& request, std::chrono::milliseconds timeout) override;

 private:
  Settings m_settings;
};

// Time for the retry loop; tests use a fake whose sleep only advances it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() = 0;
  virtual std::chrono::system_clock::time_point wall_now() = 0;  // for Retry-After dates
  virtual void sleep_for(std::chrono::milliseconds delay) = 0;
};
Clock& real_clock();

// Retry-After: delay-seconds or an HTTP date (read by curl_getdate); a past date is 0.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

struct RetryPolicy {
  std::chrono::milliseconds total{30000};  // the bound on the whole post
  std::chrono::milliseconds attempt_timeout{15000};
  std::chrono::milliseconds first_delay{1000};
  std::chrono::milliseconds max_delay{8000};
  int max_attempts = 8;
  std::function<double()> jitter;  // uniform in [0, 1); empty: a random generator
};

// Before retry `retry` (0 for the first): first_delay * 2^retry capped at max_delay, then moved
// into [delay/2, delay] by `jitter` in [0, 1) so that many jobs do not retry in step.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double jitter);

// Retried: no answer on a transient error, 408, 429 and 5xx but 501 and 505.
bool should_retry(const HttpResponse& response);

// Sends `request` until a 2xx, a final answer, or the policy's bounds. The error is one line
// naming the server, its answer and what to check. Neither it nor a log line contains the token
// or a control character: the server's message is masked whole, escaped (escape_control), cut,
// and any start of the token (4 characters or more) left at its end masked too.
Expected<void> send_with_retries(HttpTransport& transport, Clock& clock, const HttpRequest& request,
                                 const StatusTarget& target, const RetryPolicy& policy,
                                 const LogSink& log = {});

// Posts `state` with `description` for `options` (flags) and `env`: resolution, request, curl,
// retries. `log` set means --verbose.
Expected<void> post_commit_status(const StatusOptions& options, const std::string& revision,
                                  StatusState state, std::string_view description,
                                  const Environment& env, const LogSink& log = {});

// Credentials masked in a block of HTTP header lines (Authorization, Proxy-Authorization,
// PRIVATE-TOKEN, JOB-TOKEN, Cookie, …): "PRIVATE-TOKEN: ***".
std::string redact_headers(std::string_view headers);
// Every occurrence of `secret` (when not empty) replaced by "***".
std::string redact(std::string_view text, std::string_view secret);
// The URL without user:password@.
std::string display_url(std::string_view url);

}  // namespace opsgate
