// opsgate rules list | rules packs | rules test DIR: the loaded rules, the installed packs, and
// a pack's own cases.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "commands.hpp"
#include "evaluate.hpp"
#include "i18n.hpp"
#include "manifest.hpp"
#include "options.hpp"
#include "rule_sources.hpp"
#include "terminal_text.hpp"
#include "toml_util.hpp"

namespace fs = std::filesystem;

namespace opsgate::cli {

namespace {

// Rule files are text from outside: every field they give is made inert (escape_control).
int list_rules(const CommonOptions& options) {
  auto repo = try_open(options.repo);
  auto rules = load_rule_set(options.rules, options.env, repo ? &*repo : nullptr);
  if (!rules) return report_error(rules.error());
  for (const Pack& pack : rules->packs) {
    fmt::print("# {}\n", trf("pack {} from {}",
                             escape_control(pack.name) +
                                 (pack.version.empty() ? "" : " " + escape_control(pack.version)),
                             escape_control(pack.source)));
    if (!pack.description.empty()) fmt::print("#   {}\n", escape_control(pack.description));
  }
  // Each column as wide as its heading in the current language ("NIVEAU" is wider than levels).
  const std::string_view id = tr("ID"), level = tr("LEVEL"), severity = tr("SEVERITY"),
                         area = tr("AREA");
  const auto width = [](std::string_view heading, std::size_t least) {
    // Code points, as {fmt} counts them when it pads ("GRAVITÉ" is 7).
    const auto columns = std::count_if(heading.begin(), heading.end(), [](char c) {
      return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    });
    return std::max(least, static_cast<std::size_t>(columns));
  };
  const std::size_t widths[] = {width(id, 16), width(level, 5), width(severity, 8),
                                width(area, 15)};
  const auto row = [&](std::string_view a, std::string_view b, std::string_view c,
                       std::string_view d, std::string_view title) {
    fmt::print("{:<{}} {:<{}} {:<{}} {:<{}} {}\n", a, widths[0], b, widths[1], c, widths[2], d,
               widths[3], title);
  };
  row(id, level, severity, area, tr("TITLE"));
  for (const Rule& rule : rules->rules)
    row(escape_control(rule.id), std::to_string(rule.level), severity_name(rule.severity),
        escape_control(rule.area), escape_control(rule.title));
  return k_exit_pass;
}

// The installed packs, the names --rules takes: each once, with the directory it is read from
// (the first of installed_pack_dirs() that has it), in search order.
int list_packs() {
  std::set<std::string> seen;
  for (const std::string& dir : installed_pack_dirs()) {
    std::error_code ec;
    std::vector<fs::path> packs;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_directory(ec) && classify_rule_source(name) == RuleSourceKind::installed)
        packs.push_back(entry.path());
    }
    std::sort(packs.begin(), packs.end());
    for (const fs::path& pack : packs)
      if (seen.insert(pack.filename().string()).second)
        fmt::print("{:<16} {}\n", pack.filename().string(), pack.string());
  }
  return k_exit_pass;
}

struct Expectation {
  std::optional<Instant> at;
  std::string env;
  Stage stage = Stage::merge;
  std::vector<std::pair<std::string, Status>> statuses;
  SourcePos where;
};

Expected<Expectation> read_expectation(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorKind::not_found, trf("cannot read {}", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  auto doc = parse_toml(text.str(), file.string());
  if (!doc) return std::unexpected(doc.error());
  Expectation expect;
  for (const auto& [key, value] : *doc) {
    SourcePos where = position_of(key, file.string());
    if (key.str() == "at") {
      const toml::date_time* stamp = value.is_date_time() ? &value.as_date_time()->get() : nullptr;
      if (!stamp || !stamp->offset)
        return fail(ErrorKind::invalid, std::string(tr("'at' must be a date-time with an offset")),
                    where);
      expect.at = Instant{to_instant(*stamp, std::chrono::minutes{0}),
                          std::chrono::minutes{stamp->offset->minutes}};
    } else if (key.str() == "env") {
      if (!value.is_string())
        return fail(ErrorKind::invalid, std::string(tr("'env' must be a string")), where);
      expect.env = value.as_string()->get();
    } else if (key.str() == "stage") {
      auto stage = parse_stage(value.value_or(std::string()));
      if (!stage)
        return fail(ErrorKind::invalid, trf("'stage' must be one of {}", k_stage_names), where);
      expect.stage = *stage;
    } else if (key.str() == "status") {
      if (!value.is_table())
        return fail(ErrorKind::invalid, std::string(tr("'status' must be a table")), where);
      for (const auto& [rule, status] : *value.as_table()) {
        std::string name = status.value_or(std::string());
        std::optional<Status> parsed;
        for (Status candidate : {Status::pass, Status::fail, Status::waived, Status::skipped})
          if (status_name(candidate) == name) parsed = candidate;
        if (!parsed)
          return fail(ErrorKind::invalid,
                      trf("status of {} must be pass, fail, waived or skipped", rule.str()),
                      position_of(status, file.string()));
        expect.statuses.emplace_back(std::string(rule.str()), *parsed);
      }
    } else {
      return fail(ErrorKind::invalid,
                  trf("unknown key '{}' in expect.toml (at, env, stage, status)", key.str()),
                  where);
    }
  }
  return expect;
}

int test_rules(const CommonOptions& options, const std::string& dir) {
  CommonOptions pack_options = options;
  pack_options.rules.insert(pack_options.rules.begin(), dir);
  auto rules = load_rules(pack_options.rules, nullptr);
  if (!rules) return report_error(rules.error());
  // Accepted by the schema check all the same, but only a declaration gives the key a type that
  // GATE-SCHEMA checks and a place in `opsgate init` and `opsgate schema`.
  for (const UndeclaredRead& read : rules->keys.read)
    fmt::print(stderr, "{}\n",
               trf("opsgate: warning: {}",
                   escape_control(
                       trf("{}: {} reads {}, which the pack does not declare; add [[key]] path = "
                           "\"{}\", type = \"...\", description = \"...\" so that GATE-SCHEMA "
                           "checks its type and `opsgate init` and `opsgate schema` show it",
                           read.where.to_string(), read.rule, read.path, read.path))));
  fs::path tests = fs::path(dir) / "tests";
  std::error_code ec;
  if (!fs::is_directory(tests, ec))
    return report_error(
        Error{ErrorKind::not_found, trf("{} has no tests/ directory of cases", dir), std::nullopt});
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(tests, ec))
    if (entry.is_directory()) cases.push_back(entry.path());
  std::sort(cases.begin(), cases.end());
  if (cases.empty())
    return report_error(
        Error{ErrorKind::not_found, trf("{} holds no case", tests.string()), std::nullopt});

  int mismatches = 0;
  for (const fs::path& path : cases) {
    std::string name = path.filename().string();
    auto expect = read_expectation(path / "expect.toml");
    if (!expect) return report_error(expect.error());
    DiskTree tree(path.string(), name);
    EvalContext context;
    context.environment = expect->env.empty() ? options.env : expect->env;
    if (auto ok = check_environment(*rules, context.environment); !ok)
      return report_error(ok.error());
    context.at = expect->at.value_or(now_utc());
    context.stage = expect->stage;
    context.tree = &tree;
    auto text = tree.read(k_manifest_file);
    if (!text) return report_error(text.error());
    ManifestResult result;
    if (!*text) {
      result = evaluate_missing_manifest(std::string(k_manifest_file), *rules, context);
    } else {
      auto manifest = parse_manifest(**text, (path / k_manifest_file).string(),
                                     tree.blob_id(k_manifest_file), &rules->keys);
      if (!manifest) return report_error(manifest.error());
      manifest->dir.clear();  // paths are relative to the case directory
      HeadingCache headings;
      result = evaluate_manifest(*manifest, *rules, context, headings);
    }
    std::vector<std::string> problems;
    for (const auto& [rule, status] : expect->statuses) {
      const Finding* found = nullptr;
      for (const Finding& finding : result.findings)
        if (finding.rule == rule) found = &finding;
      if (!found) {
        if (!rules->find(rule))
          return report_error(Error{ErrorKind::invalid,
                                    trf("case {}: no rule {} is loaded", name, rule),
                                    SourcePos{(path / "expect.toml").string()}});
        problems.push_back(trf("{}: expected {}, got no finding", rule, status_name(status)));
        continue;
      }
      if (found->status != status)
        problems.push_back(trf("{}: expected {}, got {}: {}", rule, status_name(status),
                               status_name(found->status), found->message));
    }
    if (problems.empty()) {
      if (!options.quiet)
        fmt::print("{}\n", trf("ok    {} ({} expectations)", escape_control(name),
                               expect->statuses.size()));
      continue;
    }
    ++mismatches;
    fmt::print("{}\n", trf("FAIL  {}", escape_control(name)));
    for (const std::string& problem : problems) fmt::print("        {}\n", escape_control(problem));
  }
  fmt::print("{}\n", trf("{} passed, {} failed", cases.size() - mismatches, mismatches));
  return mismatches ? k_exit_fail : k_exit_pass;
}

}  // namespace

void register_rules(CLI::App& app, int& exit_code) {
  CLI::App* rules =
      app.add_subcommand("rules", std::string(tr("List the loaded rules, or run a pack's cases")));
  rules->require_subcommand(1);

  auto list_options = std::make_shared<CommonOptions>();
  CLI::App* list = rules->add_subcommand("list", std::string(tr("List the loaded rules")));
  add_rules_options(*list, *list_options);
  list->callback([list_options, &exit_code] { exit_code = list_rules(*list_options); });

  CLI::App* packs = rules->add_subcommand(
      "packs",
      std::string(
          tr("List the installed rule packs (the names --rules takes) and their directories")));
  packs->callback([&exit_code] { exit_code = list_packs(); });

  auto test_options = std::make_shared<CommonOptions>();
  auto dir = std::make_shared<std::string>();
  CLI::App* test = rules->add_subcommand(
      "test",
      std::string(
          tr("Run the cases in DIR/tests/ against DIR's rules (exit 0 all match, 1 a mismatch)")));
  test->add_option("dir", *dir, std::string(tr("Rule pack directory")))->required();
  test->add_option("--env", test_options->env, std::string(tr("Default environment of the cases")))
      ->capture_default_str();
  test->add_flag("--quiet,-q", test_options->quiet,
                 std::string(tr("Only mismatches and the summary")));
  test->callback([test_options, dir, &exit_code] { exit_code = test_rules(*test_options, *dir); });
}

}  // namespace opsgate::cli
