#!/usr/bin/env bash
# End-to-end: --post-status against a real HTTP server on 127.0.0.1 (python3's http.server) that
# records every request and answers from a script chosen by the first path segment of --api-url:
#   /ok/…            201
#   /unauthorized/…  401
#   /ratelimit/…     429 with Retry-After: 1, then 201
#   /ratelimit2/…    429 with Retry-After: 2, then 201
#   /unavailable/…   503, then 201
#   /hang/…          accepts, reads the request and never answers
#   /leaky/…         401 whose reason phrase and message carry escape sequences and a bell, the
#                    message quoting the token it was sent at character 134 (cut at 160), then
#                    a piece of it
# The second segment names the test, so each test's requests are counted and read apart; the
# server also notes which report files of that test existed when each request arrived.
# Checked: paths, methods, headers, bodies, retries, exit codes with and without
# --require-status, reports written before the post, and the token absent from everything
# printed or written, --verbose included. Traffic only to 127.0.0.1; the server stops by itself.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT="2026-11-26T10:00:00+01:00"
D1="2026-10-01T12:00:00+02:00"
TOKEN="tok-e2e-7f3a9c51d2"

# No CI of the machine running the suite, no proxy between opsgate and 127.0.0.1.
unset GITLAB_CI GITHUB_ACTIONS GITEA_ACTIONS BITBUCKET_URL GIT_URL GIT_COMMIT BUILD_URL \
  CI_API_V4_URL CI_PROJECT_ID CI_JOB_URL CI_COMMIT_SHA GITHUB_API_URL GITHUB_REPOSITORY \
  GITHUB_SERVER_URL GITHUB_RUN_ID GITHUB_SHA OPSGATE_GITLAB_TOKEN GITHUB_TOKEN GITEA_TOKEN \
  BITBUCKET_TOKEN http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy="127.0.0.1,localhost" NO_PROXY="127.0.0.1,localhost"

# --- the server -----------------------------------------------------------------------------

# server_py: writes the server to $E2E_TMP/server.py.
server_py() {
write_file "${E2E_TMP}/server.py" <<'PY'
import json, os, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log_path, ports_path, probes, lifetime = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
lock = threading.Lock()
counts = {}

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
        parts = self.path.split("/")
        scenario, test = (parts[1], parts[2]) if len(parts) > 2 else ("", "")
        probe = os.path.join(probes, test)
        reports = sorted(name for name in os.listdir(probe)
                         if os.path.getsize(os.path.join(probe, name)) > 0) if os.path.isdir(probe) else []
        with lock:
            n = counts.get((scenario, test), 0)
            counts[(scenario, test)] = n + 1
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps({"test": test, "scenario": scenario, "n": n,
                                      "method": self.command, "path": self.path,
                                      "headers": dict(self.headers.items()), "body": body,
                                      "time": time.monotonic(), "reports": reports}) + "\n")
        if scenario == "hang":
            time.sleep(min(60.0, lifetime))
            self.close_connection = True
            return
        status, headers = 201, {}
        if scenario == "unauthorized":
            status = 401
        elif scenario == "ratelimit" and n == 0:
            status, headers = 429, {"Retry-After": "1"}
        elif scenario == "ratelimit2" and n == 0:
            status, headers = 429, {"Retry-After": "2"}
        elif scenario == "unavailable" and n == 0:
            status = 503
        payload = json.dumps({"message": "401 Unauthorized"} if status == 401 else {"id": n}).encode()
        reason = None
        if scenario == "leaky":
            token = self.headers.get("PRIVATE-TOKEN") or self.headers.get("Authorization", "").split(" ")[-1]
            head = "\x1b[31m\x07token "
            # Once the whole token is masked, the piece (as if the server had cut it) is astride
            # opsgate's cut.
            message = (head + "." * (134 - len(head)) + token + "; token " + token[:20]
                       + "... is not valid\x1b[0m")
            status, reason = 401, "Unauthorized \x1b[2J\x1b]0;pwned\x07"
            payload = json.dumps({"message": message}).encode()
        self.send_response(status, reason)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
# A port nobody listens on, for the "closed port" case.
spare = socket.socket()
spare.bind(("127.0.0.1", 0))
closed_port = spare.getsockname()[1]
spare.close()
threading.Timer(lifetime, lambda: os._exit(0)).start()  # stops by itself
with open(ports_path + ".tmp", "w") as out:
    out.write(f"{server.server_address[1]} {closed_port}\n")
os.rename(ports_path + ".tmp", ports_path)
server.serve_forever()
PY
}

# setup: the server (stopped when the scenario ends), PACK, PASS_REPO and FAIL_REPO.
setup() {
SERVER_LOG="${E2E_TMP}/requests.jsonl"
SERVER_PORTS="${E2E_TMP}/ports"
PROBES="${E2E_TMP}/probes"
mkdir -p "${PROBES}"
: >"${SERVER_LOG}"
server_py

"${PYTHON}" -I -S "${E2E_TMP}/server.py" "${SERVER_LOG}" "${SERVER_PORTS}" "${PROBES}" 240 &
SERVER_PID=$!
on_exit 'kill "${SERVER_PID}" 2>/dev/null'

for _ in $(seq 1 100); do
  [[ -s "${SERVER_PORTS}" ]] && break
  sleep 0.1
done
if [[ ! -s "${SERVER_PORTS}" ]]; then
  echo "the test HTTP server did not start" >&2
  exit 1
fi
read -r PORT CLOSED_PORT <"${SERVER_PORTS}"
BASE="http://127.0.0.1:${PORT}"

# --- fixtures -------------------------------------------------------------------------------

PACK="${E2E_TMP}/pack"
write_file "${PACK}/rules.toml" <<'EOF'
[[rule]]
id = "E2E-001"
area = "service"
title = "The service has an owner"
severity = "error"
level = 1
help = "Set service.owner."
check = [ { key = "service.owner", present = true } ]
EOF

PASS_REPO="$(new_repo pass)"
printf 'schema = 1\n[service]\nname = "pay"\nowner = "team-pay"\n' |
  write_file "${PASS_REPO}/operability.toml"
commit_all "${PASS_REPO}" "${D1}" "service"
PASS_SHA="$(git -C "${PASS_REPO}" rev-parse HEAD)"

FAIL_REPO="$(new_repo fail)"
printf 'schema = 1\n[service]\nname = "pay"\n' | write_file "${FAIL_REPO}/operability.toml"
commit_all "${FAIL_REPO}" "${D1}" "service"
FAIL_SHA="$(git -C "${FAIL_REPO}" rev-parse HEAD)"
}

# teardown: whatever a scenario ran, the token is in none of its output and none of its reports
# (the last scenario asserts it; this only records a failure when the token leaked).
teardown() {
  if [[ "${ALL_OUTPUT}" == *"${TOKEN}"* ]]; then
    fail_ "the token is in no stdout or stderr of the scenario" "found in the output of its runs"
  fi
  if grep -rqF -- "${TOKEN}" "${PROBES}"; then
    fail_ "the token is in no report file of the scenario" "$(grep -rlF -- "${TOKEN}" "${PROBES}")"
  fi
}

# run_env VAR=VALUE... -- DIR ARGS...: like run_in, with extra environment variables.
run_env() {
  local -a vars=()
  while [[ "$1" != "--" ]]; do
    vars+=("$1")
    shift
  done
  shift
  local dir="$1"
  shift
  local out_file="${E2E_TMP}/.stdout" err_file="${E2E_TMP}/.stderr"
  (cd "${dir}" && env "${vars[@]}" "${OPSGATE}" "$@" </dev/null >"${out_file}" 2>"${err_file}")
  # shellcheck disable=SC2034  # read by lib.sh's assertions
  RC=$?
  OUT="$(cat "${out_file}")"
  ERR="$(cat "${err_file}")"
  ALL_OUTPUT+="${OUT}${ERR}"
}
ALL_OUTPUT=""

# gate TEST REPO VAR=VALUE... -- ARGS...: `opsgate check` of REPO with the pack, a JSON report in
# $PROBES/TEST/report.json, and the extra environment.
gate() {
  local test="$1" repo="$2"
  shift 2
  local -a vars=()
  while [[ "$1" != "--" ]]; do
    vars+=("$1")
    shift
  done
  shift
  mkdir -p "${PROBES}/${test}"
  run_env "${vars[@]}" -- "${repo}" check --rules "${PACK}" --at "${AT}" \
    --report "json=${PROBES}/${test}/report.json" "$@"
}

# requests TEST: the recorded requests of TEST as a JSON array in $E2E_TMP/req.json.
requests() {
  "${PYTHON}" -I -S - "${SERVER_LOG}" "$1" >"${E2E_TMP}/req.json" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
print(json.dumps([row for row in rows if row["test"] == sys.argv[2]]))
PY
}

# body(i) in assert_json expressions: the i-th request's JSON body.
assert_req() {
  assert_json "$1" "(lambda body, hdr: $2)(lambda i=0: __import__('json').loads(d[i]['body']), lambda name, i=0: {k.lower(): v for k, v in d[i]['headers'].items()}.get(name.lower()))" "${E2E_TMP}/req.json"
}

GITLAB_ENV=("OPSGATE_GITLAB_TOKEN=${TOKEN}")

# --- GitLab: path, method, headers, body; reports before the post -----------------------------

scenario "gitlab: a passing gate posts success" scenario_gitlab_a_passing_gate_posts_success
scenario_gitlab_a_passing_gate_posts_success() {
gate gl-pass "${PASS_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "${BASE}/ok/gl-pass/api/v4" --project group/app \
  --target-url "https://ci.example.org/jobs/1"
assert_exit "gitlab: passing gate posts and exits 0" 0
requests gl-pass
assert_req "gitlab: one request" "len(d) == 1"
assert_req "gitlab: POST to /projects/:id/statuses/:sha" \
  "d[0]['method'] == 'POST' and d[0]['path'] == '/ok/gl-pass/api/v4/projects/group%2Fapp/statuses/${PASS_SHA}'"
assert_req "gitlab: token in PRIVATE-TOKEN" "hdr('PRIVATE-TOKEN') == '${TOKEN}' and hdr('Authorization') is None"
assert_req "gitlab: JSON content type" "hdr('Content-Type') == 'application/json'"
assert_req "gitlab: body state/name/target_url" \
  "body()['state'] == 'success' and body()['name'] == 'opsgate' and body()['target_url'] == 'https://ci.example.org/jobs/1'"
assert_req "gitlab: description is the verdict line" \
  "body()['description'].startswith('opsgate: PASS: 0 failed') and len(body()['description']) <= 255"
assert_req "gitlab: the report was written before the post" "d[0]['reports'] == ['report.json']"
}

scenario "gitlab: a failing gate posts failed and still exits 1" scenario_gitlab_a_failing_gate_posts_failed
scenario_gitlab_a_failing_gate_posts_failed() {
gate gl-fail "${FAIL_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "${BASE}/ok/gl-fail/api/v4" --project 42
assert_exit "gitlab: failing gate still exits 1 after a post" 1
requests gl-fail
assert_req "gitlab: failing gate posts 'failed' on its revision" \
  "body()['state'] == 'failed' and d[0]['path'].endswith('/projects/42/statuses/${FAIL_SHA}') and body()['description'].startswith('opsgate: FAIL')"
}

# auto: GitLab CI's variables; the link defaults to CI_JOB_URL.
scenario "gitlab: found from GitLab CI's variables" scenario_gitlab_found_from_gitlab_ci_s
scenario_gitlab_found_from_gitlab_ci_s() {
gate gl-auto "${PASS_REPO}" "${GITLAB_ENV[@]}" GITLAB_CI=true \
  "CI_API_V4_URL=${BASE}/ok/gl-auto/api/v4" CI_PROJECT_ID=7 CI_JOB_URL=https://gl.example.org/j/9 \
  -- --post-status
assert_exit "auto (GitLab CI): exit 0" 0
requests gl-auto
assert_req "auto (GitLab CI): project, sha and CI_JOB_URL from the environment" \
  "d[0]['path'] == '/ok/gl-auto/api/v4/projects/7/statuses/${PASS_SHA}' and body()['target_url'] == 'https://gl.example.org/j/9'"
}

# --status-sha (merged-results pipelines) overrides the evaluated revision.
scenario "gitlab: --status-sha names the commit" scenario_gitlab_status_sha_names_the_commit
scenario_gitlab_status_sha_names_the_commit() {
gate gl-sha "${PASS_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "${BASE}/ok/gl-sha/api/v4" --project 7 --status-sha 1234567890abcdef1234567890abcdef12345678
requests gl-sha
assert_req "--status-sha: the status goes to that commit" \
  "d[0]['path'].endswith('/statuses/1234567890abcdef1234567890abcdef12345678')"
}

# --emergency: the reason is in the description.
scenario "gitlab: the --emergency reason is in the status" scenario_gitlab_the_emergency_reason_is_in
scenario_gitlab_the_emergency_reason_is_in() {
gate gl-emergency "${PASS_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "${BASE}/ok/gl-emergency/api/v4" --project 7 --emergency "INC-42 hotfix"
requests gl-emergency
assert_req "--emergency: the reason is in the status" "'emergency: INC-42 hotfix' in body()['description']"
}

# --- the CLI forms of --post-status ---------------------------------------------------------

# Bare --post-status before the positional must not take REPO as its provider.
scenario "a bare --post-status before REPO leaves REPO the positional" scenario_a_bare_post_status_before_repo
scenario_a_bare_post_status_before_repo() {
gate gl-positional "${E2E_TMP}" "${GITLAB_ENV[@]}" GITLAB_CI=true \
  "CI_API_V4_URL=${BASE}/ok/gl-positional/api/v4" CI_PROJECT_ID=7 -- --post-status "${PASS_REPO}"
assert_exit "--post-status REPO: REPO stays the positional" 0
requests gl-positional
assert_req "--post-status REPO: posted for REPO's revision" \
  "len(d) == 1 and d[0]['path'].endswith('/statuses/${PASS_SHA}')"
}

scenario "usage errors of --post-status, --status-timeout and --ca-file" scenario_usage_errors_of_post_status_status
scenario_usage_errors_of_post_status_status() {
run_env -- "${PASS_REPO}" check --rules "${PACK}" --at "${AT}" --post-status=jenkins
assert_exit "--post-status=unknown is a usage error" 2
assert_contains "--post-status=unknown: the message names the choices" "${ERR}" "gitlab"

run_env -- "${PASS_REPO}" check --rules "${PACK}" --at "${AT}" --post-status=gitlab --status-timeout 0
assert_exit "--status-timeout 0 is a usage error" 2
run_env -- "${PASS_REPO}" check --rules "${PACK}" --at "${AT}" --post-status=gitlab \
  --ca-file "${E2E_TMP}/no-such-ca.pem"
assert_exit "--ca-file that does not exist is a usage error" 2
}

# --- GitHub, Gitea, Bitbucket ---------------------------------------------------------------

scenario "github: found from GitHub Actions" scenario_github_found_from_github_actions
scenario_github_found_from_github_actions() {
gate gh "${FAIL_REPO}" GITHUB_ACTIONS=true "GITHUB_API_URL=${BASE}/ok/gh" GITHUB_REPOSITORY=acme/pay \
  GITHUB_SERVER_URL=https://github.example.org GITHUB_RUN_ID=77 "GITHUB_TOKEN=${TOKEN}" \
  -- --post-status
assert_exit "auto (GitHub Actions): failing gate exits 1" 1
requests gh
assert_req "github: POST /repos/:owner/:repo/statuses/:sha" \
  "d[0]['method'] == 'POST' and d[0]['path'] == '/ok/gh/repos/acme/pay/statuses/${FAIL_SHA}'"
assert_req "github: Bearer token" "hdr('Authorization') == 'Bearer ${TOKEN}'"
assert_req "github: body state/context/target_url" \
  "body()['state'] == 'failure' and body()['context'] == 'opsgate' and body()['target_url'] == 'https://github.example.org/acme/pay/actions/runs/77'"
assert_req "github: description at most 140 characters" "0 < len(body()['description']) <= 140"
}

scenario "gitea: found before GitHub, with GITEA_TOKEN" scenario_gitea_found_before_github_with_gitea
scenario_gitea_found_before_github_with_gitea() {
gate gitea "${PASS_REPO}" GITEA_ACTIONS=true GITHUB_ACTIONS=true "GITHUB_API_URL=${BASE}/ok/gitea/api/v1" \
  GITHUB_REPOSITORY=ops/pay "GITEA_TOKEN=${TOKEN}" GITHUB_TOKEN=other-token -- --post-status
assert_exit "auto (Gitea Actions before GitHub): exit 0" 0
requests gitea
assert_req "gitea: GitHub's endpoint, 'token' authorization with GITEA_TOKEN" \
  "d[0]['path'] == '/ok/gitea/api/v1/repos/ops/pay/statuses/${PASS_SHA}' and hdr('Authorization') == 'token ${TOKEN}' and body()['state'] == 'success'"
}

scenario "bitbucket: the build-status endpoint" scenario_bitbucket_the_build_status_endpoint
scenario_bitbucket_the_build_status_endpoint() {
gate bb "${PASS_REPO}" "BITBUCKET_URL=${BASE}/ok/bb" "BITBUCKET_TOKEN=${TOKEN}" \
  BUILD_URL=https://jenkins.example.org/job/pay/3/ -- --post-status
assert_exit "auto (Bitbucket): exit 0" 0
requests bb
assert_req "bitbucket: build-status endpoint, Bearer token" \
  "d[0]['path'] == '/ok/bb/rest/build-status/1.0/commits/${PASS_SHA}' and hdr('Authorization') == 'Bearer ${TOKEN}'"
assert_req "bitbucket: state/key/url" \
  "body()['state'] == 'SUCCESSFUL' and body()['key'] == 'opsgate' and body()['url'] == 'https://jenkins.example.org/job/pay/3/'"
}

scenario "bitbucket: without a link it asks for --target-url" scenario_bitbucket_without_a_link_it_asks
scenario_bitbucket_without_a_link_it_asks() {
gate bb-nourl "${PASS_REPO}" "BITBUCKET_URL=${BASE}/ok/bb-nourl" "BITBUCKET_TOKEN=${TOKEN}" -- \
  --post-status=bitbucket
assert_exit "bitbucket without a link: the gate's exit code stays" 0
assert_contains "bitbucket without a link: says --target-url" "${ERR}" "--target-url"
}

# Jenkins: the Git plugin's GIT_URL names the server; --api-url says where its API is.
scenario "jenkins: the project from GIT_URL, the link from BUILD_URL" scenario_jenkins_the_project_from_git_url
scenario_jenkins_the_project_from_git_url() {
gate jenkins "${PASS_REPO}" "${GITLAB_ENV[@]}" GIT_URL=https://gitlab.example.org/group/pay.git \
  "GIT_COMMIT=${PASS_SHA}" BUILD_URL=https://jenkins.example.org/job/pay/4/ -- \
  --post-status --api-url "${BASE}/ok/jenkins/api/v4"
assert_exit "auto (Jenkins, GitLab remote): exit 0" 0
requests jenkins
assert_req "jenkins: project from GIT_URL, link from BUILD_URL" \
  "d[0]['path'] == '/ok/jenkins/api/v4/projects/group%2Fpay/statuses/${PASS_SHA}' and body()['target_url'] == 'https://jenkins.example.org/job/pay/4/'"
}

# --- failures: 401, missing token, retries, timeouts, closed port ---------------------------

scenario "401: one clear line, not retried" scenario_401_one_clear_line_not_retried
scenario_401_one_clear_line_not_retried() {
gate unauth "${PASS_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "${BASE}/unauthorized/unauth/api/v4" --project 7
assert_exit "401: the gate's exit code is unchanged" 0
assert_contains "401: one clear line naming the token variable" "${ERR}" \
  "GitLab answered 401 Unauthorized"
assert_contains "401: says which variable to check" "${ERR}" "check OPSGATE_GITLAB_TOKEN"
requests unauth
assert_req "401: not retried" "len(d) == 1"

gate unauth-req "${FAIL_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "${BASE}/unauthorized/unauth-req/api/v4" --project 7 --require-status
assert_exit "401 with --require-status: exit 2" 2
assert_json "401 with --require-status: the report is still written" "d['outcome'] == 'fail'" \
  "${PROBES}/unauth-req/report.json"
}

scenario "no token: nothing is sent" scenario_no_token_nothing_is_sent
scenario_no_token_nothing_is_sent() {
gate notoken "${PASS_REPO}" -- --post-status=gitlab --api-url "${BASE}/ok/notoken/api/v4" --project 7
assert_exit "no token: exit code unchanged" 0
assert_contains "no token: the message names the variable" "${ERR}" "OPSGATE_GITLAB_TOKEN is not set"
gate notoken "${PASS_REPO}" -- --post-status=gitlab --api-url "${BASE}/ok/notoken/api/v4" \
  --project 7 --require-status
assert_exit "no token with --require-status: exit 2" 2
requests notoken
assert_req "no token: nothing was sent" "len(d) == 0"
}

scenario "429: retried after Retry-After" scenario_429_retried_after_retry_after
scenario_429_retried_after_retry_after() {
gate retry429 "${PASS_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "${BASE}/ratelimit/retry429/api/v4" --project 7 --require-status
assert_exit "429 with Retry-After: 1, then 201: exit 0" 0
requests retry429
assert_req "429: retried once, after about a second" \
  "len(d) == 2 and d[1]['time'] - d[0]['time'] >= 0.95"
assert_req "429: the same request again" "d[0]['body'] == d[1]['body'] and d[0]['path'] == d[1]['path']"

gate retry429b "${PASS_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "${BASE}/ratelimit2/retry429b/api/v4" --project 7
requests retry429b
assert_req "429 with Retry-After: 2: waits the 2 s the server asked (backoff alone is under 1 s)" \
  "len(d) == 2 and d[1]['time'] - d[0]['time'] >= 1.9"
}

scenario "503: retried once" scenario_503_retried_once
scenario_503_retried_once() {
gate retry503 "${PASS_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "${BASE}/unavailable/retry503/api/v4" --project 7 --require-status
assert_exit "503 then 201: exit 0" 0
requests retry503
assert_req "503: retried once" "len(d) == 2 and d[1]['n'] == 1"
}

scenario "a server that never answers: bounded by --status-timeout" scenario_a_server_that_never_answers_bounded
scenario_a_server_that_never_answers_bounded() {
start=${SECONDS}
gate hang "${PASS_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "${BASE}/hang/hang/api/v4" --project 7 --status-timeout 3
elapsed=$((SECONDS - start))
assert_exit "a server that never answers: exit code unchanged" 0
assert_contains "a server that never answers: says so" "${ERR}" "did not answer in time"
# A hang guard, not a timing: unbounded, the post would wait for ever (30 s leaves a loaded
# 2-core machine room).
if ((elapsed <= 30)); then pass_ "a server that never answers: bounded by --status-timeout 3 (${elapsed} s)"; else fail_ "hang bounded" "took ${elapsed} s"; fi
gate hang-req "${FAIL_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "${BASE}/hang/hang-req/api/v4" --project 7 --status-timeout 2 --require-status
assert_exit "a server that never answers, --require-status: exit 2" 2
assert_json "a server that never answers: the report is written" "d['outcome'] == 'fail'" \
  "${PROBES}/hang-req/report.json"
}

scenario "a closed port: retried, bounded" scenario_a_closed_port_retried_bounded
scenario_a_closed_port_retried_bounded() {
start=${SECONDS}
gate closed "${PASS_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "http://127.0.0.1:${CLOSED_PORT}/api/v4" --project 7 --status-timeout 3
elapsed=$((SECONDS - start))
assert_exit "closed port: exit code unchanged" 0
assert_contains "closed port: could not reach" "${ERR}" "could not reach GitLab at http://127.0.0.1:${CLOSED_PORT}/api/v4"
assert_contains "closed port: retried" "${ERR}" "attempts in"
if ((elapsed <= 30)); then pass_ "closed port: bounded (${elapsed} s)"; else fail_ "closed port bounded" "took ${elapsed} s"; fi
gate closed-req "${PASS_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "http://127.0.0.1:${CLOSED_PORT}/api/v4" --project 7 --status-timeout 1 --require-status
assert_exit "closed port, --require-status: exit 2" 2
}

# Exit 2 (a revision that does not exist) still posts, as failed, on the CI's commit.
scenario "exit 2 still posts failed, with the error" scenario_exit_2_still_posts_failed_with
scenario_exit_2_still_posts_failed_with() {
gate error "${PASS_REPO}" "${GITLAB_ENV[@]}" "CI_COMMIT_SHA=${PASS_SHA}" -- --post-status=gitlab \
  --api-url "${BASE}/ok/error/api/v4" --project 7 --rev no-such-branch
assert_exit "exit 2: stays 2" 2
requests error
assert_req "exit 2: the status is posted as failed, with the error" \
  "len(d) == 1 and body()['state'] == 'failed' and body()['description'].startswith('opsgate: ERROR') and d[0]['path'].endswith('${PASS_SHA}')"
assert_req "exit 2: the error report came first" "d[0]['reports'] == ['report.json']"
}

# --- a server's message: masked before it is cut, escape sequences made visible --------------

# 26 characters, as a GitLab token; the server quotes it at character 134 of a message cut at 160.
LEAK_TOKEN="glpat-e2eLeak4Fz9Qx7Wm2Kp1"

# assert_no_leak NAME TEXT: TEXT holds no start of LEAK_TOKEN of 4 characters or more, no ESC
# and no bell.
assert_no_leak() {
  local name="$1" text="$2" length shown=0
  for ((length = ${#LEAK_TOKEN}; length >= 4; length--)); do
    if [[ "${text}" == *"${LEAK_TOKEN:0:length}"* ]]; then
      shown="${length}"
      break
    fi
  done
  if [[ "${shown}" == 0 ]]; then
    pass_ "${name}: no start of the token"
  else
    fail_ "${name}: no start of the token" "shows ${shown} of its ${#LEAK_TOKEN} characters"
  fi
  assert_not_contains "${name}: no raw ESC" "${text}" $'\x1b'
  assert_not_contains "${name}: no raw bell" "${text}" $'\a'
}

scenario "a server's message: the token masked before the cut, escapes shown" scenario_a_server_s_message_masked_before_cut
scenario_a_server_s_message_masked_before_cut() {
gate leaky "${PASS_REPO}" "OPSGATE_GITLAB_TOKEN=${LEAK_TOKEN}" -- --post-status=gitlab \
  --api-url "${BASE}/leaky/leaky/api/v4" --project 7
assert_exit "leaky 401: the gate's exit code is unchanged" 0
assert_contains "leaky 401: one line naming the token variable" "${ERR}" \
  "GitLab answered 401 Unauthorized"
assert_contains "leaky 401: the server's message is shown, its escapes visible" "${ERR}" \
  '("\x1b[31m\x07token ....'
assert_no_leak "leaky 401 stderr" "${ERR}"
assert_no_leak "leaky 401 stdout" "${OUT}"

gate leaky-verbose "${PASS_REPO}" "OPSGATE_GITLAB_TOKEN=${LEAK_TOKEN}" -- --post-status=gitlab \
  --api-url "${BASE}/leaky/leaky-verbose/api/v4" --project 7 --verbose
assert_exit "leaky 401 --verbose: exit 0" 0
assert_contains "leaky 401 --verbose: the status line's escapes visible" "${ERR}" \
  '401 Unauthorized \x1b[2J\x1b]0;pwned\x07'
assert_no_leak "leaky 401 --verbose stderr" "${ERR}"
assert_no_leak "leaky 401 --verbose stdout" "${OUT}"
if grep -rqF -- "${LEAK_TOKEN:0:4}" "${PROBES}"; then
  fail_ "leaky 401: the token is in no report file" "$(grep -rlF -- "${LEAK_TOKEN:0:4}" "${PROBES}")"
else
  pass_ "leaky 401: the token is in no report file"
fi
requests leaky
assert_req "leaky 401: the server did receive the token (the checks are meaningful)" \
  "len(d) == 1 and hdr('PRIVATE-TOKEN') == '${LEAK_TOKEN}'"
}

# --- the token is never printed or written, --verbose included --------------------------------

scenario "the token: masked by --verbose, written nowhere" scenario_the_token_masked_by_verbose_written
scenario_the_token_masked_by_verbose_written() {
gate verbose "${PASS_REPO}" "${GITLAB_ENV[@]}" -- --post-status=gitlab \
  --api-url "${BASE}/unavailable/verbose/api/v4" --project 7 --verbose --format json
assert_exit "--verbose: exit 0" 0
assert_contains "--verbose: shows the request line" "${ERR}" "POST /unavailable/verbose/api/v4/projects/7/statuses/${PASS_SHA}"
assert_contains "--verbose: shows the answer" "${ERR}" "503"
assert_contains "--verbose: masks the token header" "${ERR}" "PRIVATE-TOKEN: ***"
assert_json "--verbose --format json: stdout is still the JSON report" "d['outcome'] == 'pass'"

gate verbose-gh "${PASS_REPO}" GITHUB_ACTIONS=true "GITHUB_API_URL=${BASE}/unauthorized/verbose-gh" \
  GITHUB_REPOSITORY=acme/pay "GITHUB_TOKEN=${TOKEN}" -- --post-status --verbose --require-status
assert_exit "--verbose, 401 with --require-status: exit 2" 2
assert_contains "--verbose: masks Authorization" "${ERR}" "Authorization: ***"
assert_contains "github 401: names GITHUB_TOKEN" "${ERR}" "GitHub answered 401 Unauthorized"

assert_not_contains "the token is in no stdout or stderr of the suite" "${ALL_OUTPUT}" "${TOKEN}"
if grep -rqF -- "${TOKEN}" "${PROBES}"; then
  fail_ "the token is in no report file" "$(grep -rlF -- "${TOKEN}" "${PROBES}")"
else
  pass_ "the token is in no report file"
fi
requests verbose
assert_req "the server did receive the token (the grep is meaningful)" "hdr('PRIVATE-TOKEN') == '${TOKEN}'"
}

run_scenarios "$@"
