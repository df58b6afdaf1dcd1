#include "window_query.hpp"

#include <fmt/format.h>

#include "check.hpp"
#include "i18n.hpp"
#include "manifest.hpp"

namespace opsgate {

std::string WindowAnswer::cause() const {
  if (missing_manifest) return "no_manifest";
  if (!problems.empty()) return "invalid";
  return std::string(cause_name(state.cause));
}

std::string WindowAnswer::reason() const {
  if (missing_manifest && uncommitted) return uncommitted_message(manifest);
  if (missing_manifest) return trf("{} does not exist at the revision", manifest);
  if (!problems.empty())
    return trf("the release window is invalid: {}: {}", problems.front().where.to_string(),
               problems.front().message);
  return state.reason;
}

Expected<WindowQuery> WindowQuery::open(const WindowRequest& request) {
  auto repo = Repository::discover(request.repository);
  if (!repo) return std::unexpected(repo.error());
  auto rules = load_rule_set(request.rules, request.environment, &*repo);
  if (!rules) return std::unexpected(rules.error());
  WindowQuery query;
  query.m_environment = request.environment;
  query.m_rules = std::move(*rules);
  WindowAnswer& answer = query.m_answer;
  auto tree = open_tree(*repo, request.rev, request.worktree, answer.revision);
  if (!tree) return std::unexpected(tree.error());
  auto paths = find_manifest_paths(request.manifests, **tree);
  if (!paths) return std::unexpected(paths.error());
  if (paths->size() != 1)
    return fail(ErrorKind::usage,
                trf("{} manifests found ({}); each service has its own release window, so choose "
                    "one with --manifest",
                    paths->size(), fmt::join(*paths, ", ")));
  answer.manifest = paths->front();
  auto text = (*tree)->read(answer.manifest);
  if (!text) return std::unexpected(text.error());
  if (auto damage = (*tree)->damage()) return std::unexpected(*damage);
  if (!*text) {
    answer.missing_manifest = true;
    answer.uncommitted = !request.worktree && uncommitted_in_work_tree(*repo, answer.manifest);
    return query;
  }
  auto manifest = parse_manifest(**text, answer.manifest, (*tree)->blob_id(answer.manifest));
  if (!manifest) return std::unexpected(manifest.error());
  answer.service = manifest->service_name();
  if (const toml::table* table = manifest->doc["release_window"].as_table())
    answer.schedule = parse_schedule(*table, "release_window", manifest->path, answer.problems);
  else
    answer.schedule.key = "release_window";
  return query;
}

WindowAnswer WindowQuery::at(const Instant& at) const {
  WindowAnswer answer = m_answer;
  answer.at = at;
  if (!answer.missing_manifest && answer.problems.empty())
    answer.state = window_state(answer.schedule, m_rules.calendars, m_environment, at.utc);
  return answer;
}

}  // namespace opsgate
