#include "status.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "curl_api.hpp"
#include "i18n.hpp"
#include "terminal_text.hpp"

namespace opsgate {

namespace {

using std::chrono::milliseconds;

// Handle owners for a loaded libcurl (curl_api() succeeded before any handle exists).
struct CurlEasyFree {
  const CurlApi* api;
  void operator()(CURL* handle) const { api->easy_cleanup(handle); }
};
struct CurlListFree {
  const CurlApi* api;
  void operator()(curl_slist* list) const { api->slist_free_all(list); }
};
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyFree>;
using CurlListPtr = std::unique_ptr<curl_slist, CurlListFree>;

struct ProviderInfo {
  Provider provider;
  std::string_view name;
  std::string_view title;
};

constexpr std::array k_providers = {
    ProviderInfo{Provider::gitlab, "gitlab", "GitLab"},
    ProviderInfo{Provider::github, "github", "GitHub"},
    ProviderInfo{Provider::gitea, "gitea", "Gitea"},
    ProviderInfo{Provider::bitbucket, "bitbucket", "Bitbucket"},
};

constexpr std::size_t k_max_body = 4096;
constexpr std::size_t k_server_message_limit = 160;  // code points of a server's message shown
// The shortest start of the token masked where a cut leaves it: fewer characters say too little
// to matter, and masking them would garble ordinary words at the end of a message.
constexpr std::size_t k_min_masked_prefix = 4;
constexpr std::string_view k_ellipsis = "\u2026";  // what truncate_description ends a cut with

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n'))
    text.remove_suffix(1);
  return text;
}

// A CI flag such as GITLAB_CI=true; "false" and "0" do not count.
bool flag_set(const Environment& env, const std::string& name) {
  auto value = env(name);
  return value && *value != "false" && *value != "0";
}

// RFC 3986 percent-encoding of everything but the unreserved characters (as curl_easy_escape).
std::string percent_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved)
      out += c;
    else
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  return out;
}

std::string_view reason_phrase(long status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

std::string answer_text(long status) {
  std::string_view reason = reason_phrase(status);
  return reason.empty() ? std::to_string(status) : fmt::format("{} {}", status, reason);
}

// A line for the log or an error message: the token masked, then control characters escaped
// (and the token masked again, should an escape have spelled it out).
std::string safe_line(std::string_view line, std::string_view secret) {
  return redact(escape_control(redact(line, secret)), secret);
}

// `text` with the start of `secret` that ends it (before trailing dots, spaces or an ellipsis)
// masked: a cut, ours or the server's own, leaves a piece of the token that masking the whole
// token cannot find.
std::string mask_split_token(std::string text, std::string_view secret) {
  std::string_view kept = text;
  for (;;) {
    if (kept.ends_with('.') || kept.ends_with(' '))
      kept.remove_suffix(1);
    else if (kept.ends_with(k_ellipsis))
      kept.remove_suffix(k_ellipsis.size());
    else
      break;
  }
  const std::string escaped = escape_control(secret);  // as it reads once escaped
  for (std::string_view spelling : {secret, std::string_view(escaped)}) {
    for (std::size_t length = spelling.size(); length-- > k_min_masked_prefix;) {
      if (kept.ends_with(spelling.substr(0, length)))
        return text.replace(kept.size() - length, length, "***");
    }
  }
  return text;
}

// `text` from a server, as one line of at most `limit` code points for a terminal: masked on the
// whole text, then escaped, then cut (so a cut never splits the token out of the masking), then
// any start of the token left at the end masked.
std::string server_text(std::string_view text, std::string_view secret, std::size_t limit) {
  std::string line(text);
  for (char& c : line)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return mask_split_token(truncate_description(safe_line(line, secret), limit), secret);
}

// The server's own explanation, when its JSON body has one (GitHub, GitLab and Gitea "message",
// Bitbucket "errors[0].message"), made safe by server_text.
std::string server_message(const std::string& body, std::string_view secret) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return {};
  const nlohmann::json* message = nullptr;
  if (json.contains("message"))
    message = &json["message"];
  else if (json.contains("errors") && json["errors"].is_array() && !json["errors"].empty() &&
           json["errors"][0].is_object() && json["errors"][0].contains("message"))
    message = &json["errors"][0]["message"];
  if (!message) return {};
  std::string text = message->is_string()
                         ? message->get<std::string>()
                         : message->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return server_text(text, secret, k_server_message_limit);
}

std::string seconds_text(milliseconds duration) {
  double seconds = static_cast<double>(duration.count()) / 1000.0;
  if (std::abs(seconds - std::round(seconds)) < 0.05) return fmt::format("{:.0f} s", seconds);
  return fmt::format("{:.1f} s", seconds);
}

// One request through libcurl's verbose output: request line and headers (credentials masked),
// the status line, connection notes; never bodies.
struct DebugContext {
  const LogSink* log;
  std::string_view secret;
};

void emit_lines(const DebugContext& context, std::string_view prefix, std::string_view block) {
  while (!block.empty()) {
    std::size_t end = block.find('\n');
    std::string_view line = trim(block.substr(0, end));
    block = end == std::string_view::npos ? std::string_view() : block.substr(end + 1);
    if (line.empty()) continue;
    (*context.log)(safe_line(fmt::format("opsgate: status: {}{}", prefix, line), context.secret));
  }
}

int debug_callback(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  const auto& context = *static_cast<const DebugContext*>(user);
  std::string_view text(data, size);
  switch (type) {
    case CURLINFO_TEXT:
      emit_lines(context, "* ", text);
      break;
    case CURLINFO_HEADER_OUT:
      emit_lines(context, "> ", redact_headers(text));
      break;
    case CURLINFO_HEADER_IN:
      if (text.starts_with("HTTP/")) emit_lines(context, "< ", text);
      break;
    default:
      break;  // bodies and TLS records are never shown
  }
  return 0;
}

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  std::size_t bytes = size * count;
  if (body->size() < k_max_body) body->append(data, std::min(bytes, k_max_body - body->size()));
  return bytes;
}

std::size_t read_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) response->retry_after.clear();  // a new response begins
  std::size_t colon = line.find(':');
  if (colon != std::string_view::npos && lower(trim(line.substr(0, colon))) == "retry-after")
    response->retry_after = std::string(trim(line.substr(colon + 1)));
  return size * count;
}

bool transient_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool tls_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
      return true;
    default:
      return false;
  }
}

class RealClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wall_now() override {
    return std::chrono::system_clock::now();
  }
  void sleep_for(milliseconds delay) override { std::this_thread::sleep_for(delay); }
};

std::string hint_for(long status, const StatusTarget& target) {
  switch (status) {
    case 401:
      return trf("check {}", target.token_variable);
    case 403:
      return target.project.empty()
                 ? trf("check that {} may set commit statuses", target.token_variable)
                 : trf("check that {} may set commit statuses on {}", target.token_variable,
                       target.project);
    case 404:
      if (target.provider == Provider::bitbucket)
        return trf("check the API URL {} (--api-url) and the commit {} (--status-sha)",
                   display_url(target.api_url), target.sha);
      return trf(
          "check the API URL {} (--api-url), the project {} (--project) and that {} can see it",
          display_url(target.api_url), target.project, target.token_variable);
    case 400:
    case 422:
      return trf("check the commit {} (--status-sha)", target.sha);
    default:
      if ((status >= 300 && status < 400) || status == 405 || status == 501)
        return trf("check the API URL {} (--api-url)", display_url(target.api_url));
      return {};
  }
}

}  // namespace

std::string_view provider_name(Provider provider) {
  for (const ProviderInfo& info : k_providers)
    if (info.provider == provider) return info.name;
  return "?";
}

std::string_view provider_title(Provider provider) {
  for (const ProviderInfo& info : k_providers)
    if (info.provider == provider) return info.title;
  return "?";
}

std::optional<Provider> parse_provider(std::string_view name) {
  for (const ProviderInfo& info : k_providers)
    if (info.name == name) return info.provider;
  return std::nullopt;
}

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

std::optional<RemoteUrl> parse_remote_url(std::string_view url) {
  std::string_view authority;
  std::string_view path;
  if (std::size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    std::string_view rest = url.substr(scheme + 3);
    std::size_t slash = rest.find('/');
    authority = rest.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (std::size_t at = authority.rfind('@'); at != std::string_view::npos)
      authority.remove_prefix(at + 1);
    if (authority.starts_with('[')) {
      authority = authority.substr(1, authority.find(']') - 1);
    } else {
      authority = authority.substr(0, authority.find(':'));
    }
  } else {  // scp-like: [user@]host:path
    std::size_t colon = url.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    authority = url.substr(0, colon);
    if (authority.find('/') != std::string_view::npos) return std::nullopt;  // a local path
    if (std::size_t at = authority.rfind('@'); at != std::string_view::npos)
      authority.remove_prefix(at + 1);
    path = url.substr(colon + 1);
  }
  while (path.starts_with('/')) path.remove_prefix(1);
  while (path.ends_with('/')) path.remove_suffix(1);
  if (path.ends_with(".git")) path.remove_suffix(4);
  if (authority.empty()) return std::nullopt;
  return RemoteUrl{lower(authority), std::string(path)};
}

std::optional<Provider> provider_from_remote(const RemoteUrl& remote) {
  const std::string& host = remote.host;
  auto has = [&](std::string_view word) { return host.find(word) != std::string::npos; };
  if (has("gitea") || has("forgejo") || has("codeberg")) return Provider::gitea;
  if (has("github")) return Provider::github;
  if (has("gitlab")) return Provider::gitlab;
  if (has("bitbucket") || remote.path.starts_with("scm/")) return Provider::bitbucket;
  return std::nullopt;
}

Expected<Provider> detect_provider(const Environment& env) {
  if (flag_set(env, "GITEA_ACTIONS")) return Provider::gitea;
  if (flag_set(env, "GITHUB_ACTIONS")) return Provider::github;
  if (flag_set(env, "GITLAB_CI")) return Provider::gitlab;
  if (env("BITBUCKET_URL")) return Provider::bitbucket;
  if (auto git_url = env("GIT_URL")) {
    if (auto remote = parse_remote_url(*git_url))
      if (auto provider = provider_from_remote(*remote)) return *provider;
    return fail(ErrorKind::usage,
                trf("--post-status: GIT_URL ({}) does not say which server hosts the "
                    "repository: name it, e.g. --post-status=gitlab",
                    display_url(*git_url)));
  }
  return fail(
      ErrorKind::usage,
      std::string(
          tr("--post-status: no CI detected (none of GITEA_ACTIONS, GITHUB_ACTIONS, GITLAB_CI, "
             "BITBUCKET_URL, GIT_URL is set): name the server, e.g. --post-status=gitlab")));
}

namespace {

// The API of a well-known public host, for Jenkins jobs building from it.
std::string api_of_public_host(const RemoteUrl& remote, Provider provider) {
  if (provider == Provider::github && remote.host == "github.com") return "https://api.github.com";
  if (provider == Provider::gitlab && remote.host == "gitlab.com")
    return "https://gitlab.com/api/v4";
  if (provider == Provider::gitea && remote.host == "codeberg.org")
    return "https://codeberg.org/api/v1";
  return {};
}

}  // namespace

Expected<StatusTarget> resolve_status_target(const StatusOptions& options,
                                             const std::string& revision, const Environment& env) {
  StatusTarget target;
  if (options.provider.empty() || options.provider == "auto") {
    auto detected = detect_provider(env);
    if (!detected) return std::unexpected(detected.error());
    target.provider = *detected;
  } else if (auto provider = parse_provider(options.provider)) {
    target.provider = *provider;
  } else {
    return fail(ErrorKind::usage,
                trf("--post-status={}: unknown server (auto, gitlab, github, gitea, "
                    "bitbucket)",
                    options.provider));
  }
  const Provider provider = target.provider;
  const std::string flag = fmt::format("--post-status={}", provider_name(provider));
  auto from_env = [&](const std::string& name) { return env(name).value_or(std::string()); };

  // Jenkins' Git plugin names the remote; it stands in for the variables Jenkins does not set.
  std::optional<RemoteUrl> remote;
  if (auto git_url = env("GIT_URL")) remote = parse_remote_url(*git_url);

  const std::string api_variable = provider == Provider::gitlab      ? "CI_API_V4_URL"
                                   : provider == Provider::bitbucket ? "BITBUCKET_URL"
                                                                     : "GITHUB_API_URL";
  target.api_url = options.api_url.empty() ? from_env(api_variable) : options.api_url;
  if (target.api_url.empty() && remote) target.api_url = api_of_public_host(*remote, provider);
  if (target.api_url.empty() && provider == Provider::github)
    target.api_url = "https://api.github.com";
  if (target.api_url.empty())
    return fail(ErrorKind::usage,
                trf("{}: no API URL: set {} or pass --api-url", flag, api_variable));
  while (target.api_url.ends_with('/')) target.api_url.pop_back();

  if (provider != Provider::bitbucket) {
    const std::string project_variable =
        provider == Provider::gitlab ? "CI_PROJECT_ID" : "GITHUB_REPOSITORY";
    target.project = options.project.empty() ? from_env(project_variable) : options.project;
    if (target.project.empty() && remote) target.project = remote->path;
    if (target.project.empty())
      return fail(ErrorKind::usage,
                  trf("{}: no project: set {} or pass --project", flag, project_variable));
    if (provider != Provider::gitlab && target.project.find('/') == std::string::npos)
      return fail(ErrorKind::usage,
                  trf("{}: project '{}' is not owner/repo", flag, target.project));
  }

  // The evaluated commit, else the CI's (a run that failed before resolving --rev).
  target.sha = options.sha.empty() ? revision : options.sha;
  for (const char* variable : {"CI_COMMIT_SHA", "GITHUB_SHA", "GIT_COMMIT"})
    if (target.sha.empty()) target.sha = from_env(variable);
  if (target.sha.empty())
    return fail(ErrorKind::usage,
                trf("{}: no commit to post the status on: pass --status-sha", flag));

  target.target_url = options.target_url;
  if (target.target_url.empty()) target.target_url = from_env("CI_JOB_URL");
  if (target.target_url.empty()) {
    auto server = env("GITHUB_SERVER_URL");
    auto repository = env("GITHUB_REPOSITORY");
    auto run = env("GITHUB_RUN_ID");
    if (server && repository && run)
      target.target_url = fmt::format("{}/{}/actions/runs/{}", *server, *repository, *run);
  }
  if (target.target_url.empty()) target.target_url = from_env("BUILD_URL");
  if (target.target_url.empty() && provider == Provider::bitbucket)
    return fail(ErrorKind::usage,
                trf("{}: Bitbucket requires a link for the status: pass --target-url "
                    "(or set BUILD_URL)",
                    flag));

  switch (provider) {
    case Provider::gitlab:
      target.token_variable = "OPSGATE_GITLAB_TOKEN";
      break;
    case Provider::github:
      target.token_variable = "GITHUB_TOKEN";
      break;
    case Provider::gitea:
      target.token_variable =
          env("GITEA_TOKEN") || !env("GITHUB_TOKEN") ? "GITEA_TOKEN" : "GITHUB_TOKEN";
      break;
    case Provider::bitbucket:
      target.token_variable = "BITBUCKET_TOKEN";
      break;
  }
  target.token = from_env(target.token_variable);
  if (target.token.empty())
    return fail(
        ErrorKind::usage,
        trf("{}: {} is not set (a token that may set commit statuses)", flag,
            provider == Provider::gitea ? "GITEA_TOKEN (or GITHUB_TOKEN)" : target.token_variable));
  return target;
}

std::size_t description_limit(Provider provider) {
  return provider == Provider::github || provider == Provider::gitea ? 140 : 255;
}

std::string truncate_description(std::string_view text, std::size_t limit) {
  std::string line;
  line.reserve(text.size());
  for (char c : text) line += c == '\n' || c == '\r' || c == '\t' ? ' ' : c;
  auto starts_code_point = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
  std::size_t points = std::count_if(line.begin(), line.end(), starts_code_point);
  if (points <= limit) return line;
  if (limit == 0) return {};
  std::size_t kept = 0;
  std::size_t cut = 0;
  for (; cut < line.size(); ++cut) {
    if (!starts_code_point(line[cut])) continue;
    if (kept == limit - 1) break;
    ++kept;
  }
  line.resize(cut);
  while (line.ends_with(' ')) line.pop_back();
  return line + "\u2026";
}

HttpRequest build_status_request(const StatusTarget& target, StatusState state,
                                 std::string_view description) {
  const bool success = state == StatusState::success;
  const std::string text = truncate_description(description, description_limit(target.provider));
  const std::string sha = percent_encode(target.sha);
  HttpRequest request;
  nlohmann::json body;
  switch (target.provider) {
    case Provider::gitlab:
      request.url = fmt::format("{}/projects/{}/statuses/{}", target.api_url,
                                percent_encode(target.project), sha);
      body = {
          {"state", success ? "success" : "failed"}, {"name", "opsgate"}, {"description", text}};
      if (!target.target_url.empty()) body["target_url"] = target.target_url;
      request.headers.push_back({"PRIVATE-TOKEN", target.token});
      break;
    case Provider::github:
    case Provider::gitea:
      request.url = fmt::format("{}/repos/{}/statuses/{}", target.api_url, target.project, sha);
      body = {{"state", success ? "success" : "failure"},
              {"context", "opsgate"},
              {"description", text}};
      if (!target.target_url.empty()) body["target_url"] = target.target_url;
      if (target.provider == Provider::github) {
        request.headers.push_back({"Authorization", "Bearer " + target.token});
        request.headers.push_back({"Accept", "application/vnd.github+json"});
        request.headers.push_back({"X-GitHub-Api-Version", "2022-11-28"});
      } else {
        request.headers.push_back({"Authorization", "token " + target.token});
        request.headers.push_back({"Accept", "application/json"});
      }
      break;
    case Provider::bitbucket:
      request.url = fmt::format("{}/rest/build-status/1.0/commits/{}", target.api_url, sha);
      body = {{"state", success ? "SUCCESSFUL" : "FAILED"},
              {"key", "opsgate"},
              {"name", "opsgate"},
              {"url", target.target_url},
              {"description", text}};
      request.headers.push_back({"Authorization", "Bearer " + target.token});
      request.headers.push_back({"Accept", "application/json"});
      break;
  }
  request.headers.push_back({"Content-Type", "application/json"});
  request.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return request;
}

CurlTransport::CurlTransport(Settings settings) : m_settings(std::move(settings)) {}

HttpResponse CurlTransport::send(const HttpRequest& request, milliseconds timeout) {
  HttpResponse response;
  auto loaded = curl_api();
  if (!loaded) {
    response.transport_error = loaded.error().message;
    return response;
  }
  const CurlApi& api = **loaded;
  CurlEasyPtr curl(api.easy_init(), CurlEasyFree{&api});
  if (!curl) {
    response.transport_error = tr("libcurl could not start");
    return response;
  }
  CurlListPtr headers(nullptr, CurlListFree{&api});
  auto add_header = [&](const std::string& line) {
    curl_slist* grown = api.slist_append(headers.get(), line.c_str());
    if (grown == nullptr) return false;
    (void)headers.release();  // `grown` now owns the old list
    headers.reset(grown);
    return true;
  };
  for (const HttpHeader& header : request.headers)
    if (!add_header(header.name + ": " + header.value)) {
      response.transport_error = tr("out of memory");
      return response;
    }
  add_header("Expect:");  // no 100-continue round trip
  add_header(fmt::format("User-Agent: opsgate/{}", OPSGATE_VERSION));

  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  DebugContext debug{&m_settings.log, m_settings.secret};
  CURL* handle = curl.get();
  long connect_ms = std::min(m_settings.connect_timeout, timeout).count();
  api.easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  api.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  api.easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);  // never carry a token elsewhere
  api.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  api.easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!m_settings.ca_file.empty())
    api.easy_setopt(handle, CURLOPT_CAINFO, m_settings.ca_file.c_str());
  api.easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, std::max(connect_ms, 1L));
  api.easy_setopt(handle, CURLOPT_TIMEOUT_MS, std::max<long>(timeout.count(), 1L));
  if (request.method != "POST")
    api.easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  api.easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.c_str());
  api.easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                  static_cast<curl_off_t>(request.body.size()));
  api.easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  api.easy_setopt(handle, CURLOPT_WRITEFUNCTION, write_body);
  api.easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
  api.easy_setopt(handle, CURLOPT_HEADERFUNCTION, read_header);
  api.easy_setopt(handle, CURLOPT_HEADERDATA, &response);
  api.easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer.data());
  if (m_settings.log) {
    api.easy_setopt(handle, CURLOPT_DEBUGFUNCTION, debug_callback);
    api.easy_setopt(handle, CURLOPT_DEBUGDATA, &debug);
    api.easy_setopt(handle, CURLOPT_VERBOSE, 1L);
  }

  CURLcode code = api.easy_perform(handle);
  if (code != CURLE_OK) {
    std::string detail = error_buffer[0] != '\0' ? std::string(error_buffer.data())
                                                 : std::string(api.easy_strerror(code));
    if (tls_curl_error(code))
      detail += tr(" (to trust your organisation's CA, pass --ca-file with its PEM bundle)");
    response.transport_error = redact(detail, m_settings.secret);
    response.transient = transient_curl_error(code);
    response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    return response;
  }
  api.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

Clock& real_clock() {
  static RealClock clock;
  return clock;
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    long long seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc::result_out_of_range) return std::chrono::hours(24 * 365);
    if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
    return std::chrono::duration_cast<milliseconds>(
        std::chrono::seconds(std::min(seconds, 365LL * 24 * 3600)));
  }
  auto curl = curl_api();  // curl_getdate reads every HTTP date form
  if (!curl) return std::nullopt;
  const std::string date(value);
  time_t at = (*curl)->getdate(date.c_str(), nullptr);
  if (at == -1) return std::nullopt;
  auto delay =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::from_time_t(at) - now);
  return std::max(delay, milliseconds(0));
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double jitter) {
  milliseconds delay = policy.first_delay;
  for (int i = 0; i < retry && delay < policy.max_delay; ++i) delay *= 2;
  delay = std::min(delay, policy.max_delay);
  jitter = std::clamp(jitter, 0.0, 1.0);
  return delay / 2 + milliseconds(static_cast<long long>(
                         std::floor(static_cast<double>((delay - delay / 2).count()) * jitter)));
}

bool should_retry(const HttpResponse& response) {
  if (response.status == 0) return response.transient;
  // 501 and 505 say the server will never take this request.
  return response.status == 408 || response.status == 429 ||
         (response.status >= 500 && response.status != 501 && response.status != 505);
}

Expected<void> send_with_retries(HttpTransport& transport, Clock& clock, const HttpRequest& request,
                                 const StatusTarget& target, const RetryPolicy& policy,
                                 const LogSink& log) {
  std::mt19937 generator{std::random_device{}()};
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  auto jitter = [&] { return policy.jitter ? policy.jitter() : uniform(generator); };
  auto say = [&](const std::string& line) {
    if (log) log(safe_line(line, target.token));
  };
  const std::string_view title = provider_title(target.provider);
  const auto start = clock.now();
  const auto deadline = start + policy.total;
  HttpResponse last;
  int attempts = 0;
  std::string stopped;  // why the retries ended early
  while (attempts < policy.max_attempts) {
    auto remaining = std::chrono::duration_cast<milliseconds>(deadline - clock.now());
    if (remaining <= milliseconds(0)) break;
    ++attempts;
    say(trf("opsgate: status: {} {} (attempt {})", request.method, display_url(request.url),
            attempts));
    last = transport.send(request, std::min(remaining, policy.attempt_timeout));
    if (last.status >= 200 && last.status < 300) {
      say(trf("opsgate: status: {} answered {}", title, answer_text(last.status)));
      return {};
    }
    if (!should_retry(last) || attempts >= policy.max_attempts) break;
    std::optional<milliseconds> asked;
    if (!last.retry_after.empty()) asked = parse_retry_after(last.retry_after, clock.wall_now());
    milliseconds delay = asked ? *asked : backoff_delay(policy, attempts - 1, jitter());
    if (clock.now() + delay >= deadline) {
      if (asked)
        stopped = trf("it asked to retry after {}, past the {} limit (--status-timeout)",
                      seconds_text(*asked), seconds_text(policy.total));
      break;
    }
    say(trf("opsgate: status: {}; retrying in {}",
            last.status ? answer_text(last.status) : last.transport_error, seconds_text(delay)));
    clock.sleep_for(delay);
  }

  auto elapsed = std::chrono::duration_cast<milliseconds>(clock.now() - start);
  std::string tries =
      attempts > 1 ? trf(" (after {} attempts in {})", attempts, seconds_text(elapsed)) : "";
  std::string message;
  if (attempts == 0) {
    message = trf("{} was not tried: the {} limit (--status-timeout) is spent", title,
                  seconds_text(policy.total));
  } else if (last.status != 0) {
    std::string said = server_message(last.body, target.token);
    std::string hint = hint_for(last.status, target);
    message = trf("{} answered {}{}{}{}{}", title, answer_text(last.status),
                  said.empty() ? "" : " (\"" + said + "\")", hint.empty() ? "" : ": ", hint, tries);
    if (!stopped.empty()) message += "; " + stopped;
  } else if (last.timed_out) {
    message = trf("{} at {} did not answer in time{}; the post is bounded by --status-timeout ({})",
                  title, display_url(target.api_url), tries, seconds_text(policy.total));
  } else {
    message = trf("could not reach {} at {}: {}{}", title, display_url(target.api_url),
                  last.transport_error, tries);
  }
  return fail(ErrorKind::network, safe_line(message, target.token));
}

Expected<void> post_commit_status(const StatusOptions& options, const std::string& revision,
                                  StatusState state, std::string_view description,
                                  const Environment& env, const LogSink& log) {
  if (!(options.timeout_seconds > 0) || options.timeout_seconds > 3600)
    return fail(ErrorKind::usage,
                std::string(tr("--status-timeout takes seconds, more than 0 and at most 3600")));
  auto target = resolve_status_target(options, revision, env);
  if (!target) return std::unexpected(target.error());
  if (!options.ca_file.empty() && !std::ifstream(options.ca_file))
    return fail(ErrorKind::usage, trf("--ca-file {}: cannot read it", options.ca_file));

  RetryPolicy policy;
  policy.total = milliseconds(std::llround(options.timeout_seconds * 1000));
  policy.attempt_timeout = std::min(policy.attempt_timeout, policy.total);
  CurlTransport transport({options.ca_file, milliseconds(5000), target->token, log});
  HttpRequest request = build_status_request(*target, state, description);
  if (log)
    log(safe_line(trf("opsgate: status: posting {} to {} for commit {} ({})",
                      state == StatusState::success ? "success" : "failed",
                      provider_title(target->provider), target->sha,
                      target->target_url.empty() ? std::string(tr("no link")) : target->target_url),
                  target->token));
  return send_with_retries(transport, real_clock(), request, *target, policy, log);
}

std::string redact_headers(std::string_view headers) {
  std::string out;
  out.reserve(headers.size());
  while (!headers.empty()) {
    std::size_t end = headers.find('\n');
    std::string_view line = end == std::string_view::npos ? headers : headers.substr(0, end + 1);
    headers.remove_prefix(line.size());
    std::size_t colon = line.find(':');
    std::string name =
        colon == std::string_view::npos ? std::string() : lower(line.substr(0, colon));
    bool secret =
        !name.empty() && name.find(' ') == std::string::npos &&
        (name.find("authorization") != std::string::npos ||
         name.find("token") != std::string::npos || name.find("cookie") != std::string::npos ||
         name.find("api-key") != std::string::npos || name.find("secret") != std::string::npos ||
         name.find("password") != std::string::npos);
    if (!secret) {
      out += line;
      continue;
    }
    out += line.substr(0, colon);
    out += ": ***";
    if (line.ends_with("\r\n"))
      out += "\r\n";
    else if (line.ends_with('\n'))
      out += '\n';
  }
  return out;
}

std::string redact(std::string_view text, std::string_view secret) {
  std::string out(text);
  if (secret.empty()) return out;
  for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3))
    out.replace(at, secret.size(), "***");
  return out;
}

std::string display_url(std::string_view url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  std::size_t host = scheme + 3;
  std::size_t end = url.find_first_of("/?#", host);
  std::string_view authority = url.substr(host, end == std::string_view::npos ? end : end - host);
  std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, host)) + std::string(url.substr(host + at + 1));
}

}  // namespace opsgate
