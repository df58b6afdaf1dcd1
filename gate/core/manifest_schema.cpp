#include "manifest_schema.hpp"

#include <array>

namespace opsgate {

namespace {

using namespace std::string_view_literals;

constexpr std::array k_tiers = {"critical"sv, "high"sv, "medium"sv, "low"sv};
constexpr std::array k_schedules = {"hourly"sv, "daily"sv, "weekly"sv, "monthly"sv};
constexpr std::array k_strategies = {"revert"sv, "redeploy-previous"sv, "blue-green"sv, "canary"sv,
                                     "feature-flag"sv};
constexpr std::array k_database = {"none"sv, "backward-compatible"sv, "reversible"sv,
                                   "irreversible"sv};
constexpr std::array k_days = {"mon"sv, "tue"sv, "wed"sv, "thu"sv, "fri"sv, "sat"sv, "sun"sv};

constexpr std::array k_schema = {
    SchemaEntry{"service", ValueKind::section, {}, true, {}, "who runs this service"},
    SchemaEntry{
        "service.name", ValueKind::string, {}, true, R"("my-service")", "unique service name"},
    SchemaEntry{"service.owner", ValueKind::string, {}, true, R"("team-name")", "owning team"},
    SchemaEntry{"service.tier", ValueKind::string, k_tiers, false, R"("medium")",
                "critical | high | medium | low"},
    SchemaEntry{"service.stateful",
                ValueKind::boolean,
                {},
                false,
                "false",
                "does it keep data that must be backed up?"},
    SchemaEntry{"service.contact",
                ValueKind::string,
                {},
                false,
                R"("team@example.org")",
                "how to reach the team"},

    SchemaEntry{"backup", ValueKind::section, {}, false, {}, "sauvegarde"},
    SchemaEntry{"backup.enabled", ValueKind::boolean, {}, false, "true"},
    SchemaEntry{"backup.schedule", ValueKind::string, k_schedules, false, R"("daily")",
                "hourly | daily | weekly | monthly"},
    SchemaEntry{"backup.retention_days", ValueKind::integer, {}, false, "35", {}, 0},
    SchemaEntry{
        "backup.offsite", ValueKind::boolean, {}, false, "true", "a copy is kept in another site"},
    SchemaEntry{"backup.procedure",
                ValueKind::string,
                {},
                false,
                R"("docs/runbook.md#restore")",
                "repo path, optional #heading anchor"},
    SchemaEntry{"backup.last_restore_test",
                ValueKind::date,
                {},
                false,
                "2026-01-01",
                "date of the last successful restore test"},

    SchemaEntry{"monitoring", ValueKind::section, {}, false, {}, "supervision"},
    SchemaEntry{"monitoring.dashboard",
                ValueKind::string,
                {},
                false,
                R"("https://grafana.example.org/d/my-service")"},
    SchemaEntry{"monitoring.alert_rules",
                ValueKind::string_array,
                {},
                false,
                R"(["monitoring/alerts.yaml"])",
                "repo paths"},
    SchemaEntry{"monitoring.healthcheck", ValueKind::string, {}, false, R"("/healthz")"},
    SchemaEntry{"monitoring.oncall",
                ValueKind::string,
                {},
                false,
                R"("https://oncall.example.org/schedules/my-team")"},
    SchemaEntry{"monitoring.slo", ValueKind::table, {}, false, "{ availability = 99.9 }"},

    SchemaEntry{"runbook", ValueKind::section, {}, false, {}, "consignes d'exploitation"},
    SchemaEntry{"runbook.path", ValueKind::string, {}, false, R"("docs/runbook.md")"},
    SchemaEntry{"runbook.last_review", ValueKind::date, {}, false, "2026-01-01"},

    SchemaEntry{"rollback", ValueKind::section, {}, false},
    SchemaEntry{"rollback.strategy", ValueKind::string, k_strategies, false, R"("revert")",
                "revert | redeploy-previous | blue-green | canary | feature-flag"},
    SchemaEntry{"rollback.automated", ValueKind::boolean, {}, false, "false"},
    SchemaEntry{"rollback.max_duration_minutes", ValueKind::integer, {}, false, "30", {}, 0},
    SchemaEntry{
        "rollback.procedure", ValueKind::string, {}, false, R"("docs/runbook.md#rollback")"},
    SchemaEntry{"rollback.last_tested", ValueKind::date, {}, false, "2026-01-01"},
    SchemaEntry{"rollback.database", ValueKind::string, k_database, false, R"("none")",
                "none | backward-compatible | reversible | irreversible"},

    SchemaEntry{"release_window",
                ValueKind::section,
                {},
                false,
                {},
                "mises en production en heures non ouvrées"},
    SchemaEntry{"release_window.timezone",
                ValueKind::string,
                {},
                false,
                R"("Europe/Paris")",
                "IANA name, required when windows are declared"},
    SchemaEntry{"release_window.allow", ValueKind::table_array},
    SchemaEntry{"release_window.allow[].days", ValueKind::string_array, k_days, false,
                R"(["mon", "tue", "wed", "thu"])", "the days a window starts"},
    SchemaEntry{"release_window.allow[].start", ValueKind::clock, {}, false, R"("20:00")"},
    SchemaEntry{"release_window.allow[].end",
                ValueKind::clock,
                {},
                false,
                R"("23:30")",
                "end < start crosses midnight; end == start is 24 h"},
    SchemaEntry{"release_window.allow[].environments",
                ValueKind::string_array,
                {},
                false,
                R"(["production"])"},
    SchemaEntry{"release_window.allow[].cron",
                ValueKind::string,
                {},
                false,
                R"("0 20 * * 1-4")",
                "Argo CD style: local firing times, with duration instead of start/end"},
    SchemaEntry{"release_window.allow[].duration", ValueKind::string, {}, false, R"("3h30m")"},
    SchemaEntry{"release_window.deny", ValueKind::table_array},
    SchemaEntry{
        "release_window.deny[].from", ValueKind::datetime, {}, false, "2026-12-18T00:00:00"},
    SchemaEntry{"release_window.deny[].to", ValueKind::datetime, {}, false, "2027-01-04T08:00:00"},
    SchemaEntry{"release_window.deny[].cron", ValueKind::string, {}, false, R"("0 16 * * 5")"},
    SchemaEntry{"release_window.deny[].duration", ValueKind::string, {}, false, R"("64h")"},
    SchemaEntry{"release_window.deny[].freeze_start",
                ValueKind::string,
                {},
                false,
                R"("0 23 * * 5")",
                "GitLab deploy freeze style: a cron, with freeze_end"},
    SchemaEntry{"release_window.deny[].freeze_end", ValueKind::string, {}, false, R"("0 7 * * 1")"},
    SchemaEntry{
        "release_window.deny[].reason", ValueKind::string, {}, false, R"("year-end freeze")"},
    SchemaEntry{"release_window.deny[].environments", ValueKind::string_array},

    SchemaEntry{"waiver", ValueKind::table_array},
    SchemaEntry{"waiver[].rule", ValueKind::string, {}, true, R"("BKP-004")"},
    SchemaEntry{"waiver[].reason", ValueKind::string, {}, false, R"("why, and until when")"},
    SchemaEntry{"waiver[].expires", ValueKind::date, {}, false, "2026-12-15"},
    SchemaEntry{"waiver[].approved_by", ValueKind::string, {}, false, R"("ops-lead@example.org")"},
};

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
      return "a string";
    case ValueKind::integer:
      return "an integer";
    case ValueKind::number:
      return "a number";
    case ValueKind::boolean:
      return "a boolean";
    case ValueKind::date:
      return "a date (2026-11-26)";
    case ValueKind::datetime:
      return "a date-time (2026-11-26T20:00:00)";
    case ValueKind::clock:
      return "a time \"HH:MM\"";
    case ValueKind::string_array:
      return "an array of strings";
    case ValueKind::table:
    case ValueKind::section:
      return "a table";
    case ValueKind::table_array:
      return "an array of tables";
  }
  return "a value";
}

}  // namespace opsgate
