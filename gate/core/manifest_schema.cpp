#include "manifest_schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "i18n.hpp"
#include "toml_util.hpp"

namespace opsgate {

namespace {

using namespace std::string_view_literals;

constexpr std::array k_schedules = {"hourly"sv, "daily"sv, "weekly"sv, "monthly"sv};
constexpr std::array k_strategies = {"revert"sv, "redeploy-previous"sv, "blue-green"sv, "canary"sv,
                                     "feature-flag"sv};
constexpr std::array k_database = {"none"sv, "backward-compatible"sv, "reversible"sv,
                                   "irreversible"sv};

// In the order `opsgate init` writes them; descriptions as docs/manifest.md words them.
constexpr std::array k_schema = {
    SchemaEntry{.key = "service",
                .kind = ValueKind::section,
                .required = true,
                .comment = "who runs this service",
                .description = "Who runs the service. The table is required."},
    SchemaEntry{.key = "service.name",
                .kind = ValueKind::string,
                .required = true,
                .example = R"("my-service")",
                .comment = "unique service name",
                .description = "unique service name, shown in every report"},
    SchemaEntry{.key = "service.owner",
                .kind = ValueKind::string,
                .required = true,
                .example = R"("team-name")",
                .comment = "owning team",
                .description = "the owning team"},
    SchemaEntry{.key = "service.tier",
                .kind = ValueKind::string,
                .allowed = k_schema_tiers,
                .example = R"("medium")",
                .comment = "critical | high | medium | low",
                .description = "how critical the service is; rules filter on it with `tiers`"},
    SchemaEntry{.key = "service.stateful",
                .kind = ValueKind::boolean,
                .example = "false",
                .comment = "does it keep data that must be backed up?",
                .description = "does it keep data that must be backed up?"},
    SchemaEntry{.key = "service.contact",
                .kind = ValueKind::string,
                .example = R"("team@example.org")",
                .comment = "how to reach the team",
                .description = "how to reach the team"},

    SchemaEntry{.key = "backup",
                .kind = ValueKind::section,
                .comment = "sauvegarde",
                .description = "Backups (*sauvegarde*)."},
    SchemaEntry{.key = "backup.enabled",
                .kind = ValueKind::boolean,
                .example = "true",
                .description = "backups are taken"},
    SchemaEntry{.key = "backup.schedule",
                .kind = ValueKind::string,
                .allowed = k_schedules,
                .example = R"("daily")",
                .comment = "hourly | daily | weekly | monthly",
                .description = "how often"},
    SchemaEntry{.key = "backup.retention_days",
                .kind = ValueKind::integer,
                .example = "35",
                .min = 0,
                .description = "how long backups are kept"},
    SchemaEntry{.key = "backup.offsite",
                .kind = ValueKind::boolean,
                .example = "true",
                .comment = "a copy is kept in another site",
                .description = "a copy is kept in another site"},
    SchemaEntry{.key = "backup.procedure",
                .kind = ValueKind::string,
                .example = R"("docs/runbook.md#restore")",
                .comment = "repo path, optional #heading anchor",
                .description = "the restore procedure"},
    SchemaEntry{.key = "backup.last_restore_test",
                .kind = ValueKind::date,
                .example = "2026-01-01",
                .comment = "date of the last successful restore test",
                .description = "the last successful restore test"},

    SchemaEntry{.key = "monitoring",
                .kind = ValueKind::section,
                .comment = "supervision",
                .description = "Monitoring (*supervision*)."},
    SchemaEntry{.key = "monitoring.dashboard",
                .kind = ValueKind::string,
                .example = R"("https://grafana.example.org/d/my-service")",
                .description = "the service's dashboard URL"},
    SchemaEntry{.key = "monitoring.alert_rules",
                .kind = ValueKind::string_array,
                .example = R"(["monitoring/alerts.yaml"])",
                .comment = "repo paths",
                .description = "repository paths of the alert rule files"},
    SchemaEntry{.key = "monitoring.healthcheck",
                .kind = ValueKind::string,
                .example = R"("/healthz")",
                .description = "the healthcheck endpoint (a path or a URL)"},
    SchemaEntry{.key = "monitoring.oncall",
                .kind = ValueKind::string,
                .example = R"("https://oncall.example.org/schedules/my-team")",
                .description = "the on-call rotation that answers the alerts"},
    SchemaEntry{.key = "monitoring.slo",
                .kind = ValueKind::table,
                .example = "{ availability = 99.9 }",
                .description = "service level objectives; a free-form table: rules read its keys "
                               "(`monitoring.slo.availability`) and packs may declare them"},

    SchemaEntry{.key = "runbook",
                .kind = ValueKind::section,
                .comment = "consignes d'exploitation",
                .description = "The operations runbook (*consignes d'exploitation*)."},
    SchemaEntry{.key = "runbook.path",
                .kind = ValueKind::string,
                .example = R"("docs/runbook.md")",
                .description = "repository path of the runbook (markdown)"},
    SchemaEntry{.key = "runbook.last_review",
                .kind = ValueKind::date,
                .example = "2026-01-01",
                .description = "when the runbook was last reviewed"},

    SchemaEntry{
        .key = "rollback", .kind = ValueKind::section, .description = "How a release is undone."},
    SchemaEntry{.key = "rollback.strategy",
                .kind = ValueKind::string,
                .allowed = k_strategies,
                .example = R"("revert")",
                .comment = "revert | redeploy-previous | blue-green | canary | feature-flag",
                .description = "how a release is rolled back"},
    SchemaEntry{.key = "rollback.automated",
                .kind = ValueKind::boolean,
                .example = "false",
                .description = "rollback happens without a human"},
    SchemaEntry{.key = "rollback.max_duration_minutes",
                .kind = ValueKind::integer,
                .example = "30",
                .min = 0,
                .description = "how long a rollback takes at most"},
    SchemaEntry{.key = "rollback.procedure",
                .kind = ValueKind::string,
                .example = R"("docs/runbook.md#rollback")",
                .description = "the rollback procedure"},
    SchemaEntry{.key = "rollback.last_tested",
                .kind = ValueKind::date,
                .example = "2026-01-01",
                .description = "when a rollback was last rehearsed"},
    SchemaEntry{.key = "rollback.database",
                .kind = ValueKind::string,
                .allowed = k_database,
                .example = R"("none")",
                .comment = "none | backward-compatible | reversible | irreversible",
                .description = "what database changes do to a rollback"},

    SchemaEntry{.key = "release_window",
                .kind = ValueKind::section,
                .comment = "mises en production en heures non ouvrées",
                .description = "When releases may go out (*mises en production en heures non "
                               "ouvrées*)."},
    SchemaEntry{.key = "release_window.timezone",
                .kind = ValueKind::string,
                .example = R"("Europe/Paris")",
                .comment = "IANA name, required when windows are declared",
                .description = "the zone every local time of the table is in; required when "
                               "`allow` or `deny` is present"},
    SchemaEntry{.key = "release_window.allow",
                .kind = ValueKind::table_array,
                .description = "the windows in which releases may go out",
                .needs = "timezone"},
    SchemaEntry{.key = "release_window.allow[].days",
                .kind = ValueKind::string_array,
                .allowed = k_schema_days,
                .example = R"(["mon", "tue", "wed", "thu"])",
                .comment = "the days a window starts",
                .description = "the days a window starts on; leave it out for every day (an "
                               "empty array is a problem)"},
    SchemaEntry{.key = "release_window.allow[].start",
                .kind = ValueKind::clock,
                .example = R"("20:00")",
                .description = "local start time; required in this form",
                .needs = "end"},
    SchemaEntry{.key = "release_window.allow[].end",
                .kind = ValueKind::clock,
                .example = R"("23:30")",
                .comment = "end < start crosses midnight; end == start is 24 h",
                .description = "local end time; required in this form. `end` before `start` "
                               "crosses midnight, `end` equal to `start` is a 24-hour window",
                .needs = "start"},
    SchemaEntry{.key = "release_window.allow[].environments",
                .kind = ValueKind::string_array,
                .example = R"(["production"])",
                .description = "the window counts only for these `--env` values; leave it out "
                               "for every environment"},
    SchemaEntry{.key = "release_window.allow[].cron",
                .kind = ValueKind::string,
                .example = R"("0 20 * * 1-4")",
                .comment = "Argo CD style: local firing times, with duration instead of start/end",
                .description = "local firing times of the window (Argo CD style)",
                .needs = "duration"},
    SchemaEntry{.key = "release_window.allow[].duration",
                .kind = ValueKind::string,
                .example = R"("3h30m")",
                .description = "the window's length after each firing, in wall-clock time; "
                               "required with `cron`",
                .needs = "cron"},
    SchemaEntry{.key = "release_window.deny",
                .kind = ValueKind::table_array,
                .description = "periods in which releases may not go out, even inside an allow "
                               "window",
                .needs = "timezone"},
    SchemaEntry{.key = "release_window.deny[].from",
                .kind = ValueKind::datetime,
                .example = "2026-12-18T00:00:00",
                .description = "start of the period; a local date-time is in `timezone`, one with "
                               "an offset is that instant",
                .needs = "to"},
    SchemaEntry{.key = "release_window.deny[].to",
                .kind = ValueKind::datetime,
                .example = "2027-01-04T08:00:00",
                .description = "end of the period (excluded); must be after `from`",
                .needs = "from"},
    SchemaEntry{.key = "release_window.deny[].cron",
                .kind = ValueKind::string,
                .example = R"("0 16 * * 5")",
                .description = "local start times of a recurring deny window",
                .needs = "duration"},
    SchemaEntry{.key = "release_window.deny[].duration",
                .kind = ValueKind::string,
                .example = R"("64h")",
                .description = "its length after each firing; required with `cron`",
                .needs = "cron"},
    SchemaEntry{.key = "release_window.deny[].freeze_start",
                .kind = ValueKind::string,
                .example = R"("0 23 * * 5")",
                .comment = "GitLab deploy freeze style: a cron, with freeze_end",
                .description = "a firing starts a freeze (GitLab deploy freeze style)",
                .needs = "freeze_end"},
    SchemaEntry{.key = "release_window.deny[].freeze_end",
                .kind = ValueKind::string,
                .example = R"("0 7 * * 1")",
                .description = "a freeze ends at the first firing of `freeze_end` after its start",
                .needs = "freeze_start"},
    SchemaEntry{.key = "release_window.deny[].reason",
                .kind = ValueKind::string,
                .example = R"("year-end freeze")",
                .description = "shown when the window is closed by this entry"},
    SchemaEntry{.key = "release_window.deny[].environments",
                .kind = ValueKind::string_array,
                .description = "the deny window counts only for these `--env` values"},

    SchemaEntry{.key = "waiver",
                .kind = ValueKind::table_array,
                .description = "A waiver turns a failing rule into `waived` for a limited time."},
    SchemaEntry{.key = "waiver[].rule",
                .kind = ValueKind::string,
                .required = true,
                .example = R"("BKP-004")",
                .description = "the id of the rule waived"},
    SchemaEntry{.key = "waiver[].reason",
                .kind = ValueKind::string,
                .example = R"("why, and until when")",
                .description = "why, and until when"},
    SchemaEntry{.key = "waiver[].expires",
                .kind = ValueKind::date,
                .example = "2026-12-15",
                .description = "the last day the waiver holds"},
    SchemaEntry{.key = "waiver[].approved_by",
                .kind = ValueKind::string,
                .example = R"("ops-lead@example.org")",
                .description = "who approved it"},
};

// Whether `key` is `path` or lies under it.
bool at_or_under(std::string_view key, std::string_view path) {
  return key == path ||
         (key.size() > path.size() && key.starts_with(path) && key[path.size()] == '.');
}

}  // namespace

std::span<const SchemaEntry> manifest_schema() {
  return k_schema;
}

const SchemaEntry* find_schema_entry(std::string_view key) {
  for (const SchemaEntry& entry : k_schema)
    if (entry.key == key) return &entry;
  return nullptr;
}

std::string_view value_kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::string:
      return tr("a string");
    case ValueKind::integer:
      return tr("an integer");
    case ValueKind::number:
      return tr("a number");
    case ValueKind::boolean:
      return tr("a boolean");
    case ValueKind::date:
      return tr("a date (2026-11-26)");
    case ValueKind::datetime:
      return tr("a date-time (2026-11-26T20:00:00)");
    case ValueKind::clock:
      return tr("a time \"HH:MM\"");
    case ValueKind::string_array:
      return tr("an array of strings");
    case ValueKind::table:
    case ValueKind::section:
      return tr("a table");
    case ValueKind::table_array:
      return tr("an array of tables");
  }
  return tr("a value");
}

bool is_declared_type(std::string_view type) {
  return std::ranges::find(k_declared_types, type) != std::end(k_declared_types);
}

bool has_declared_type(const toml::node& node, std::string_view type) {
  if (type == "number") return node.is_number();
  return type_name(node) == type;
}

const DeclaredKey* PackKeys::find(std::string_view path) const {
  auto it = std::ranges::lower_bound(declared, path, {}, &DeclaredKey::path);
  return it != declared.end() && it->path == path ? &*it : nullptr;
}

bool PackKeys::reads(std::string_view path) const {
  auto it = std::ranges::lower_bound(read, path, {}, &UndeclaredRead::path);
  return it != read.end() && it->path == path;
}

bool PackKeys::holds_keys_under(std::string_view path) const {
  auto under = [&](const std::string& key) { return key != path && at_or_under(key, path); };
  return std::ranges::any_of(declared, under, &DeclaredKey::path) ||
         std::ranges::any_of(read, under, &UndeclaredRead::path);
}

std::vector<std::string> PackKeys::names_under(std::string_view path) const {
  std::vector<std::string> names;
  auto add = [&](std::string_view key) {
    if (!path.empty()) {
      if (key == path || !at_or_under(key, path)) return;
      key.remove_prefix(path.size() + 1);
    }
    std::string name(key.substr(0, key.find('.')));
    if (std::ranges::find(names, name) == names.end()) names.push_back(std::move(name));
  };
  for (const DeclaredKey& key : declared) add(key.path);
  for (const UndeclaredRead& key : read) add(key.path);
  return names;
}

std::optional<std::string> declaration_problem(std::string_view path) {
  if (const SchemaEntry* entry = find_schema_entry(path))
    return trf("{} is a key of schema 1 ({}); a pack declares only keys schema 1 lacks", path,
               value_kind_name(entry->kind));
  for (std::size_t dot = path.find('.'); dot != std::string_view::npos;
       dot = path.find('.', dot + 1)) {
    std::string_view prefix = path.substr(0, dot);
    if (prefix == "schema") return trf("{} would be inside schema, the version number", path);
    const SchemaEntry* entry = find_schema_entry(prefix);
    if (!entry || entry->kind == ValueKind::section) continue;
    if (entry->kind == ValueKind::table) return std::nullopt;  // free-form: anything inside
    if (entry->kind == ValueKind::table_array)
      return trf("{} would be inside the [[{}]] entries, whose keys packs cannot declare", path,
                 prefix);
    return trf("{} would be inside {}, which schema 1 makes {}", path, prefix,
               value_kind_name(entry->kind));
  }
  if (path == "schema") return std::string(tr("schema is the manifest's version number"));
  return std::nullopt;
}

}  // namespace opsgate
