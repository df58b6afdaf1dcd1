// opsgate init [REPO]: a commented starter operability.toml written from the schema table and
// the loaded rules, never over an existing file.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "commands.hpp"
#include "i18n.hpp"
#include "manifest.hpp"
#include "manifest_schema.hpp"
#include "options.hpp"
#include "terminal_text.hpp"

namespace fs = std::filesystem;

namespace opsgate::cli {

namespace {

struct InitOptions : CommonOptions {
  std::string output;  // a file, or "-" for stdout; default: operability.toml in REPO
  std::string name;
};

// Which rules read each manifest key, so the starter says why a key matters.
std::map<std::string, std::vector<const Rule*>> rules_by_key(const RuleSet& rules) {
  std::map<std::string, std::vector<const Rule*>> out;
  for (const Rule& rule : rules.rules) {
    std::set<std::string> keys;
    for (const Condition& condition : rule.check) keys.insert(condition.key);
    for (const std::string& key : keys) out[key].push_back(&rule);
  }
  return out;
}

// `text` as a TOML basic string, made inert first (escape_control): a directory named with an
// escape sequence or a quote neither reaches a terminal (--output -) nor breaks the starter.
std::string toml_string(std::string_view text) {
  std::ostringstream out;
  out << toml::toml_formatter{toml::value<std::string>(escape_control(text)),
                              toml::format_flags::none};
  return out.str();
}

// A value of the declared type for the commented line of a pack's key.
std::string_view placeholder(std::string_view type) {
  if (type == "string") return R"("")";
  if (type == "float") return "0.0";
  if (type == "boolean") return "false";
  if (type == "date") return "2026-01-01";
  if (type == "datetime") return "2026-01-01T00:00:00";
  if (type == "array") return "[]";
  if (type == "table") return "{}";
  return "0";  // integer, number
}

// A key a pack declares, commented out: the team fills in what applies to it.
std::string declared_line(const DeclaredKey& key, std::string_view written,
                          const std::map<std::string, std::vector<const Rule*>>& checked) {
  std::string note =
      fmt::format("{}{}{}; declared by pack {}", key.type, key.description.empty() ? "" : ": ",
                  escape_control(key.description), escape_control(key.pack));
  if (auto it = checked.find(key.path); it != checked.end()) {
    std::vector<std::string> ids;
    for (const Rule* rule : it->second)
      ids.push_back(fmt::format("{} (level {})", escape_control(rule->id), rule->level));
    note += fmt::format("; checked by {}", fmt::join(ids, ", "));
  }
  return fmt::format("# {} = {}  # {}\n", written, placeholder(key.type), note);
}

std::string starter(const RuleSet& rules, const std::string& name) {
  auto checked = rules_by_key(rules);
  // The packs' keys by where they are written: a schema 1 table, the top level, or a table of
  // the packs' own. A declared table whose keys are declared too is written through them.
  std::map<std::string, std::string> in_section;  // schema table -> its commented lines
  std::string top_level;
  std::map<std::string, std::string> own_tables;  // table -> its commented lines
  for (const DeclaredKey& key : rules.keys.declared) {
    const std::string prefix = key.path + ".";
    if (std::ranges::any_of(rules.keys.declared, [&](const DeclaredKey& other) {
          return other.path.starts_with(prefix);
        }))
      continue;
    std::size_t dot = key.path.find('.');
    if (dot == std::string::npos) {
      top_level += declared_line(key, key.path, checked);
      continue;
    }
    std::string table = key.path.substr(0, dot);
    std::string rest = key.path.substr(dot + 1);
    const SchemaEntry* entry = find_schema_entry(table);
    if (!entry) {
      own_tables[table] += declared_line(key, rest, checked);
      continue;
    }
    // Inside a free-form table the starter writes inline (monitoring.slo): shown by its example
    // already, or else as a note, since a dotted key cannot extend an inline table.
    std::string_view free_form;
    for (std::size_t at = key.path.find('.', dot + 1); at != std::string::npos;
         at = key.path.find('.', at + 1))
      if (const SchemaEntry* parent = find_schema_entry(std::string_view(key.path).substr(0, at));
          parent && parent->kind == ValueKind::table && !parent->example.empty())
        free_form = parent->key;
    if (!free_form.empty()) {
      const std::string inner = key.path.substr(free_form.size() + 1);
      if (find_schema_entry(free_form)->example.find(inner) != std::string_view::npos) continue;
      in_section[table] += "# (inside " + std::string(free_form.substr(dot + 1)) + " = { ... }) " +
                           declared_line(key, inner, checked).substr(2);
      continue;
    }
    in_section[table] += declared_line(key, rest, checked);
  }

  std::string out = fmt::format(
      "# operability.toml: what ops needs to run this service (schema {}).\n"
      "# opsgate reads it from git at the revision being merged; see `opsgate explain RULE`.\n"
      "schema = {}\n",
      k_manifest_schema_version, k_manifest_schema_version);
  if (!top_level.empty()) out += "# Keys the loaded rule packs declare:\n" + top_level;
  std::string section;  // the schema table being written
  auto end_section = [&] {
    if (auto it = in_section.find(section); it != in_section.end()) out += it->second;
  };
  for (const SchemaEntry& entry : manifest_schema()) {
    std::string key(entry.key);
    if (key.find("[]") != std::string::npos) continue;
    if (entry.kind == ValueKind::section) {
      end_section();
      section = key;
      out += fmt::format("\n[{}]{}\n", key,
                         entry.comment.empty() ? "" : "  # " + std::string(entry.comment));
      continue;
    }
    if (entry.kind == ValueKind::table_array) continue;
    std::string leaf = key.substr(key.rfind('.') + 1);
    std::string value(entry.example);
    if (key == "service.name" && !name.empty()) value = toml_string(name);
    std::string note(entry.comment);
    if (auto it = checked.find(key); it != checked.end()) {
      std::vector<std::string> ids;
      for (const Rule* rule : it->second)
        ids.push_back(fmt::format("{} (level {})", escape_control(rule->id), rule->level));
      note += fmt::format("{}checked by {}", note.empty() ? "" : "; ", fmt::join(ids, ", "));
    }
    out += fmt::format("{} = {}{}\n", leaf, value, note.empty() ? "" : "  # " + note);
  }
  end_section();
  out +=
      "\n# Release windows: when production releases may go out (local times in `timezone`).\n"
      "[[release_window.allow]]\n"
      "days = [\"mon\", \"tue\", \"wed\", \"thu\"]  # the days a window starts\n"
      "start = \"20:00\"\n"
      "end = \"23:30\"  # end < start crosses midnight\n"
      "environments = [\"production\"]\n"
      "\n# [[release_window.deny]]\n"
      "# from = 2026-12-18T00:00:00\n"
      "# to = 2027-01-04T08:00:00\n"
      "# reason = \"year-end freeze\"\n"
      "\n# A waiver accepts a failing rule for a while (at most the pack's max_waiver_days).\n"
      "# [[waiver]]\n"
      "# rule = \"BKP-004\"\n"
      "# reason = \"restore test booked for next week\"\n"
      "# expires = 2026-12-15\n"
      "# approved_by = \"ops-lead@example.org\"\n";
  for (const auto& [table, lines] : own_tables)
    out += fmt::format("\n# A table the loaded rule packs read.\n# [{}]\n{}", table, lines);
  return out;
}

int init(const InitOptions& options) {
  auto repo = try_open(options.repo);
  auto rules = load_rule_set(options.rules, options.env, repo ? &*repo : nullptr);
  if (!rules) return report_error(rules.error());

  std::string target = options.output;
  if (target.empty()) {
    if (repo && !repo->workdir())
      return report_error(
          Error{ErrorKind::usage,
                std::string(tr("a bare repository has no work tree to write into; use --output")),
                std::nullopt});
    fs::path dir = repo ? fs::path(*repo->workdir()) : fs::path(options.repo);
    target = (dir / k_manifest_file).lexically_normal().string();
  }
  std::string name = options.name;
  if (name.empty()) {
    fs::path dir =
        repo && repo->workdir() ? fs::path(*repo->workdir()) : fs::absolute(options.repo);
    name = dir.lexically_normal().parent_path().filename().string();
    if (name.empty()) name = dir.filename().string();
  }
  std::string text = starter(*rules, name);
  if (target == "-") {
    fmt::print("{}", text);
    return k_exit_pass;
  }
  std::error_code ec;
  if (fs::exists(target, ec))
    return report_error(Error{ErrorKind::usage,
                              trf("{} already exists; opsgate init never overwrites it "
                                  "(use --output - to print a starter)",
                                  target),
                              std::nullopt});
  std::ofstream out(target, std::ios::binary);
  out << text;
  out.close();
  if (!out) return report_error(Error{ErrorKind::io, trf("cannot write {}", target), std::nullopt});
  fmt::print("{}\n", trf("wrote {}: fill it in, then run `opsgate check --worktree`",
                         escape_control(target)));
  return k_exit_pass;
}

}  // namespace

void register_init(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<InitOptions>();
  CLI::App* command = app.add_subcommand(
      "init", std::string(tr("Write a commented starter operability.toml (never overwrites)")));
  command->add_option("repo", options->repo,
                      std::string(tr("Repository or directory (default: current)")));
  command->add_option("--output,-o", options->output,
                      std::string(tr("Write here instead ('-' for stdout)")));
  command->add_option("--name", options->name,
                      std::string(tr("Service name (default: the directory's name)")));
  add_rules_options(*command, *options);
  command->callback([options, &exit_code] { exit_code = init(*options); });
}

}  // namespace opsgate::cli
