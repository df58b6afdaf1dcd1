#pragma once
// The fleet report's renderers (pure functions of a FleetReport: no I/O, no clock) and the
// JSON reader `fleet merge` needs. The JSON is documented in docs/fleet.md and
// docs/fleet.schema.json.

#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "fleet.hpp"

namespace opsgate {

// The formats a fleet report can be written in: text, json, html.
std::vector<std::string> fleet_formats();
// "--format xml: unknown format ..." as a usage error.
Expected<void> check_fleet_format(std::string_view format, std::string_view option);

std::string render_fleet_json(const FleetReport& report);
// A table per section, for a terminal or a CI log; `color` adds ANSI colours to outcomes.
std::string render_fleet_text(const FleetReport& report, bool color);
// One self-contained page: inline CSS and JavaScript, no external URL, tables usable without
// JavaScript (sorting is the script's only job), printable.
std::string render_fleet_html(const FleetReport& report);

std::string render_fleet(const FleetReport& report, std::string_view format, bool color);

// A pass rate as the renderers print it: "87.5%".
std::string percent(const FleetCounts& counts);

// A report render_fleet_json() wrote (a shard's), for `fleet merge`; `name` names the file in
// messages.
Expected<FleetReport> parse_fleet_json(std::string_view text, const std::string& name);

}  // namespace opsgate
