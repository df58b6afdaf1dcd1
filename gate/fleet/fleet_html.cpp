// The fleet report as one self-contained HTML page: inline CSS and JavaScript, no external URL
// (a Content-Security-Policy forbids any), tables in the HTML itself so that they read without
// JavaScript (the script only sorts the service table and opens the drill-downs for printing),
// an inline SVG trend chart, and a palette readable with the common colour-vision deficiencies
// (Okabe-Ito for outcomes, ColorBrewer PuOr for the heat map), never colour alone: every cell
// also says its figure.

#include <fmt/format.h>

#include <cmath>

#include "fleet_render.hpp"
#include "i18n.hpp"
#include "terminal_text.hpp"

namespace opsgate {

namespace {

// Text from manifests and rule files: control and bidirectional characters made visible, then
// HTML-escaped.
std::string h(std::string_view text) {
  const std::string visible = escape_control(text);
  std::string out;
  out.reserve(visible.size());
  for (char c : visible) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Heat map buckets, PuOr (orange for low, purple for high), with a text colour that keeps
// the contrast.
std::pair<const char*, const char*> heat_colour(double share) {
  if (share < 0.2) return {"#b35806", "#fff"};
  if (share < 0.4) return {"#f1a340", "#000"};
  if (share < 0.6) return {"#fee0b6", "#000"};
  if (share < 0.8) return {"#998ec3", "#000"};
  return {"#542788", "#fff"};
}

std::string outcome_badge(const std::string& outcome) {
  const char* mark = outcome == "pass" ? "\u2713" : outcome == "fail" ? "\u2717" : "!";
  return fmt::format(R"(<span class="badge {}">{} {}</span>)", h(outcome), mark, h(tr(outcome)));
}

constexpr std::string_view k_style = R"css(
:root{--pass:#0072B2;--fail:#D55E00;--error:#CC79A7;--ink:#1b1b1b;--muted:#555;--line:#d0d0d0}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0 auto;padding:1rem 1.5rem;max-width:1400px}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:1px solid var(--line)}
.meta{color:var(--muted);margin:0 0 1rem}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:0;padding:0}
.cards div{border:1px solid var(--line);border-radius:6px;padding:.5rem .9rem;min-width:8.5rem}
.cards dt{color:var(--muted);font-size:.85rem}.cards dd{margin:0;font-size:1.5rem;font-weight:600}
.grid{display:grid;grid-template-columns:minmax(280px,1fr) minmax(320px,2fr);gap:1.5rem}
table{border-collapse:collapse;width:100%;margin:.3rem 0}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f3f3f3}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;height:.8rem;background:var(--pass);vertical-align:middle;margin-right:.4rem}
.badge{display:inline-block;padding:0 .45rem;border-radius:4px;color:#fff;font-weight:600;font-size:.85rem;white-space:nowrap}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}.badge.error{background:var(--error);color:#000}
.heat td{text-align:center;font-variant-numeric:tabular-nums}
.heat td.none{color:var(--muted)}
.legend span{display:inline-block;padding:0 .5rem;margin-right:.2rem;font-size:.85rem}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit}
th button::after{content:" \2195";color:var(--muted)}
th[aria-sort=ascending] button::after{content:" \2191"}th[aria-sort=descending] button::after{content:" \2193"}
details summary{cursor:pointer}
details ul{margin:.3rem 0 .3rem 1rem;padding:0}
details li{margin:.25rem 0}
.fix{color:var(--muted)}
code{font-size:.9em}
svg text{font-size:11px;fill:var(--ink)}
.errors li{color:#7a2e00}
@media (max-width:900px){.grid{grid-template-columns:1fr}}
@media print{body{max-width:none;font-size:11px;padding:0}th button::after{content:""}
 .cards div{border-color:#999}thead{display:table-header-group}tr{break-inside:avoid}
 h2{break-after:avoid}.badge{border:1px solid #000}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
)css";

// Sorting (numbers by their data-sort value, text otherwise) on the headers' buttons, added by
// the script so that the page without it has plain headers; drill-downs opened for printing.
constexpr std::string_view k_script = R"js(
(function(){
  document.querySelectorAll('table.sortable').forEach(function(table){
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function(th, index){
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = th.textContent;
      th.textContent = '';
      th.appendChild(button);
      button.addEventListener('click', function(){
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(heads, function(other){ other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var numeric = th.classList.contains('num');
        var rows = Array.prototype.slice.call(table.tBodies[0].rows);
        rows.sort(function(a, b){
          var x = a.cells[index], y = b.cells[index];
          var p = x.hasAttribute('data-sort') ? x.getAttribute('data-sort') : x.textContent.trim();
          var q = y.hasAttribute('data-sort') ? y.getAttribute('data-sort') : y.textContent.trim();
          var order = numeric ? (parseFloat(p) - parseFloat(q)) : p.localeCompare(q);
          return ascending ? order : -order;
        });
        rows.forEach(function(row){ table.tBodies[0].appendChild(row); });
      });
    });
  });
  window.addEventListener('beforeprint', function(){
    document.querySelectorAll('details').forEach(function(d){ d.setAttribute('data-was-open', d.open); d.open = true; });
  });
  window.addEventListener('afterprint', function(){
    document.querySelectorAll('details').forEach(function(d){ d.open = d.getAttribute('data-was-open') === 'true'; });
  });
})();
)js";

// The pass rate over the trend points as a line with a marked point each (the figure of each
// is in its <title> and in the table beside the chart).
std::string trend_svg(const FleetReport& report) {
  const std::vector<TrendPoint>& points = report.trend_points;
  constexpr int width = 640, height = 220, left = 44, right = 16, top = 14, bottom = 42;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  const auto x_of = [&](std::size_t i) {
    return left + (points.size() < 2 ? plot_w / 2 : plot_w * i / (points.size() - 1));
  };
  const auto y_of = [&](double rate) { return top + plot_h * (1.0 - rate); };
  std::string svg = fmt::format(
      R"(<svg role="img" aria-labelledby="trend-title" viewBox="0 0 {} {}" width="100%" style="max-width:{}px">)"
      R"(<title id="trend-title">{}</title>)",
      width, height, width,
      h(trf("Pass rate at each trend point, {} to {}",
            points.empty() ? "" : format_local(points.front().date),
            points.empty() ? "" : format_local(points.back().date))));
  for (int tick = 0; tick <= 4; ++tick) {
    const double rate = tick / 4.0;
    svg += fmt::format(
        R"(<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="#d0d0d0"/><text x="{}" y="{:.1f}" text-anchor="end">{}%</text>)",
        left, width - right, y_of(rate), y_of(rate), left - 6, y_of(rate) + 4, tick * 25);
  }
  std::string line;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (points[i].overall.services > 0)
      line += fmt::format("{}{:.1f},{:.1f}", line.empty() ? "" : " ", x_of(i),
                          y_of(points[i].overall.pass_rate()));
  if (!line.empty())
    svg += fmt::format(R"(<polyline fill="none" stroke="#0072B2" stroke-width="2" points="{}"/>)",
                       line);
  const std::size_t label_every = points.size() > 8 ? (points.size() + 7) / 8 : 1;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const TrendPoint& point = points[i];
    const std::string day = format_local(point.date).substr(0, 10);
    if (point.overall.services > 0)
      svg += fmt::format(
          R"(<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="#0072B2"><title>{}</title></circle>)",
          x_of(i), y_of(point.overall.pass_rate()),
          h(trnf("{}: {} of {} service passes ({})", "{}: {} of {} services pass ({})",
                 point.overall.services, day, point.overall.passed, point.overall.services,
                 percent(point.overall))));
    if (i % label_every == 0 || i + 1 == points.size())
      svg += fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle">{}</text>)", x_of(i),
                         height - bottom + 16, point.current ? h(tr("now")) : h(day.substr(5)));
  }
  svg += "</svg>";
  return svg;
}

}  // namespace

std::string render_fleet_html(const FleetReport& report) {
  const FleetSummary summary = summarize(report);
  const FleetCounts& counts = summary.counts;
  std::string out;
  out += fmt::format("<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n",
                     lang_name(language()));
  // Nothing may be fetched: the page is one file, opened from disk or an artifact store.
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format(
      "<title>{}</title>\n",
      h(trnf("opsgate fleet: {} service, {} pass ({})", "opsgate fleet: {} services, {} pass ({})",
             counts.services, counts.services, percent(counts), report.environment)));
  out += fmt::format("<style>{}</style>\n</head>\n<body>\n", k_style);
  out += fmt::format("<header>\n<h1>{}</h1>\n", h(tr("Operability of the fleet")));
  // The translated sentence is escaped first, its values (escaped too) put in after.
  out += fmt::format(
      "<p class=\"meta\">{}</p>\n</header>\n<main>\n",
      fmt::format(
          fmt::runtime(h(tr("Environment {}, stage {}, evaluated at {} on {} of each repository, "
                            "fail on {}{}. Rules: {}."))),
          fmt::format("<strong>{}</strong>", h(report.environment)), stage_name(report.stage),
          fmt::format("<time>{}</time>", h(format_local(report.at))), h(report.rev),
          severity_name(report.fail_on),
          report.shard ? h(trf(", shard {}/{}", report.shard->index, report.shard->total)) : "",
          [&] {
            std::string packs;
            for (const PackInfo& pack : report.packs)
              packs +=
                  fmt::format("{}{} {}", packs.empty() ? "" : ", ", h(pack.name), h(pack.version));
            return packs.empty() ? h(tr("none")) : packs;
          }()));

  // Summary.
  out += fmt::format(
      "<section aria-labelledby=\"summary\">\n<h2 id=\"summary\">{}</h2>\n<dl "
      "class=\"cards\">\n",
      h(tr("Summary")));
  const auto card = [&](std::string_view label, const char* metric, const std::string& value) {
    out += fmt::format("<div><dt>{}</dt><dd data-metric=\"{}\">{}</dd></div>\n", h(tr(label)),
                       metric, value);
  };
  card(tr_noop("Repositories"), "repositories", std::to_string(report.repositories.size()));
  card(tr_noop("Services"), "services", std::to_string(counts.services));
  card(tr_noop("Pass"), "passed", std::to_string(counts.passed));
  card(tr_noop("Fail"), "failed", std::to_string(counts.failed));
  card(tr_noop("Not evaluated"), "errors", std::to_string(counts.errors));
  card(tr_noop("Pass rate"), "pass-rate", percent(counts));
  out += "</dl>\n";

  out += fmt::format(
      "<div class=\"grid\">\n<div>\n<table id=\"levels\">\n<caption>{}</caption>\n<thead><tr><th "
      "scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>\n",
      h(tr("Services by maturity level")), h(tr("Level")), h(tr("Services")));
  int widest = 1;
  for (int value : counts.levels) widest = std::max(widest, value);
  for (std::size_t level = 0; level < counts.levels.size(); ++level)
    out += fmt::format(
        "<tr><th scope=\"row\">{}</th><td class=\"num\"><span class=\"bar\" "
        "style=\"width:{}px\" aria-hidden=\"true\"></span><span data-metric=\"level-{}\">{}"
        "</span></td></tr>\n",
        h(trf("Level {}", level)), counts.levels[level] * 120 / widest, level,
        counts.levels[level]);
  out += "</tbody>\n</table>\n</div>\n<div>\n";
  if (report.trend) {
    out += fmt::format(
        "<figure id=\"trend-chart\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
        trend_svg(report),
        h(trf("Pass rate, {} (every point a real evaluation of the commit of that date)",
              report.trend->text())));
  } else {
    out += fmt::format(
        "<p class=\"meta\">{}</p>\n",
        fmt::format(fmt::runtime(h(tr("No trend: run with {} or {} for the pass rate over time."))),
                    "<code>--trend 12w</code>", "<code>--trend 6m</code>"));
  }
  out += "</div>\n</div>\n";
  if (report.trend) {
    out += fmt::format(
        "<details>\n<summary>{}</summary>\n<table id=\"trend\">\n<caption>{}</caption>\n"
        "<thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th "
        "scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th><th "
        "scope=\"col\" class=\"num\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        h(tr("Trend figures")), h(tr("Trend points")), h(tr("Date")), h(tr("Repositories")),
        h(tr("Services")), h(tr("Pass")), h(tr("Pass rate")), h(tr("Levels 0-5")));
    for (const TrendPoint& point : report.trend_points) {
      std::string levels;
      for (std::size_t i = 0; i < point.overall.levels.size(); ++i)
        levels += fmt::format("{}{}", i ? " / " : "", point.overall.levels[i]);
      out += fmt::format(
          "<tr><th scope=\"row\">{}{}</th><td class=\"num\">{}</td><td "
          "class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>"
          "</tr>\n",
          h(format_local(point.date)), point.current ? " " + h(tr("(now)")) : "",
          point.repositories, point.overall.services, point.overall.passed, percent(point.overall),
          levels);
    }
    out += "</tbody>\n</table>\n</details>\n";
  }
  out += "</section>\n";

  // Team x area heat map.
  out += fmt::format("<section aria-labelledby=\"teams-title\">\n<h2 id=\"teams-title\">{}</h2>\n",
                     h(tr("Teams and areas")));
  out += fmt::format("<p class=\"legend\" aria-hidden=\"true\">{} ",
                     h(tr("Share of services passing the area:")));
  for (const auto& [label, share] : std::vector<std::pair<const char*, double>>{
           {"&lt;20%", 0.1}, {"20-40%", 0.3}, {"40-60%", 0.5}, {"60-80%", 0.7}, {"&ge;80%", 0.9}}) {
    auto [background, ink] = heat_colour(share);
    out += fmt::format("<span style=\"background:{};color:{}\">{}</span>", background, ink, label);
  }
  out += fmt::format(
      "</p>\n<table id=\"heatmap\" class=\"heat\">\n<caption>{}</caption>\n<thead><tr><th "
      "scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" "
      "class=\"num\">{}</th>",
      h(tr("Services passing each area, by team (passing / assessed)")), h(tr("Team")),
      h(tr("Services")), h(tr("Pass rate")));
  for (const std::string& area : summary.areas)
    out += fmt::format("<th scope=\"col\">{}</th>", h(area));
  out += "</tr></thead>\n<tbody>\n";
  for (const TeamSummary& team : summary.teams) {
    out += fmt::format(
        "<tr data-team=\"{0}\"><th scope=\"row\">{0}</th><td class=\"num\" "
        "data-metric=\"services\">{1}</td><td class=\"num\" data-metric=\"pass-rate\">{2}</td>",
        h(team.team), team.counts.services, percent(team.counts));
    for (const std::string& area : summary.areas) {
      auto cell = team.areas.find(area);
      if (cell == team.areas.end() || cell->second.second == 0) {
        out += "<td class=\"none\">&ndash;</td>";
        continue;
      }
      const auto [passed, assessed] = cell->second;
      auto [background, ink] = heat_colour(static_cast<double>(passed) / assessed);
      out += fmt::format("<td style=\"background:{};color:{}\" title=\"{}\">{}/{}</td>", background,
                         ink,
                         h(trnf("{}: {} of {} service passes {}", "{}: {} of {} services pass {}",
                                assessed, team.team, passed, assessed, area)),
                         passed, assessed);
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n</section>\n";

  // Rules failing most.
  out += fmt::format("<section aria-labelledby=\"rules-title\">\n<h2 id=\"rules-title\">{}</h2>\n",
                     h(tr("Rules failing most")));
  if (summary.rules.empty()) {
    out += fmt::format("<p>{}</p>\n", h(tr("No rule fails.")));
  } else {
    out += fmt::format(
        "<table id=\"rules\">\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th "
        "scope=\"col\" class=\"num\">{}</th><th scope=\"col\">{}</th><th "
        "scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        h(tr("Failed rules, by number of services failing them")), h(tr("Rule")), h(tr("Services")),
        h(tr("Severity")), h(tr("Area")), h(tr("Title")));
    for (std::size_t i = 0; i < summary.rules.size() && i < 20; ++i) {
      const RuleSummary& rule = summary.rules[i];
      out += fmt::format(
          "<tr data-rule=\"{0}\"><th scope=\"row\"><code>{0}</code></th><td class=\"num\" "
          "data-metric=\"services\">{1}</td><td>{2}</td><td>{3}</td><td>{4}</td></tr>\n",
          h(rule.rule), rule.services, h(tr(rule.severity)), h(rule.area), h(rule.title));
    }
    out += "</tbody>\n</table>\n";
  }
  out += "</section>\n";

  // Services.
  out += fmt::format(
      "<section aria-labelledby=\"services-title\">\n<h2 id=\"services-title\">{}</h2>\n"
      "<table id=\"services\" class=\"sortable\">\n<caption>{}</caption>\n"
      "<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th "
      "scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\" "
      "class=\"num\">{}</th><th scope=\"col\">{}</th><th scope=\"col\" "
      "class=\"num\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
      h(tr("Services")),
      h(tr("Every service; the column headers sort the table, each row opens to its failed rules "
           "and their fixes")),
      h(tr("Repository")), h(tr("Service")), h(tr("Owner")), h(tr("Tier")), h(tr("Level")),
      h(tr("Outcome")), h(tr("Failed rules")), h(tr("Findings")));
  for (const FleetService& service : report.services) {
    const std::string label = service.name.empty() ? service.manifest : service.name;
    out += fmt::format(
        "<tr data-repository=\"{}\" data-manifest=\"{}\"><td>{}</td><th scope=\"row\">{}<br><small>"
        "<code>{}</code></small></th><td>{}</td><td>{}</td><td class=\"num\" data-sort=\"{}\">{}"
        "</td><td data-sort=\"{}\">{}</td><td class=\"num\">{}</td><td>",
        h(service.repository), h(service.manifest), h(service.repository), h(label),
        h(service.manifest), h(service.owner), h(service.tier),
        service.outcome == "error" ? -1 : service.level,
        service.outcome == "error" ? "&ndash;" : std::to_string(service.level), h(service.outcome),
        outcome_badge(service.outcome), service.failing.size());
    if (service.outcome == "error") {
      out += fmt::format("<details><summary>{}</summary><p>{}</p></details>",
                         h(tr("Not evaluated")), h(service.error));
    } else if (service.failing.empty()) {
      out += h(service.waived ? trf("all pass ({} waived)", service.waived)
                              : std::string(tr("all pass")));
    } else {
      out += fmt::format("<details><summary>{}</summary><ul>",
                         h(trnf("{} failed rule", "{} failed rules", service.failing.size(),
                                service.failing.size())));
      for (const FleetFinding& finding : service.failing) {
        out += fmt::format(
            "<li data-rule=\"{0}\"><code>{0}</code> ({1}, {2}): {3}<br><span class=\"fix\">{4} "
            "{5}</span>{6}</li>",
            h(finding.rule), h(tr(finding.severity)), h(finding.area), h(finding.message),
            h(tr("Fix:")), h(finding.help.empty() ? finding.title : finding.help),
            finding.where.line ? fmt::format(" <small>{}</small>",
                                             fmt::format(fmt::runtime(h(tr("at {}"))),
                                                         fmt::format("<code>{}</code>",
                                                                     h(finding.where.to_string()))))
                               : std::string());
      }
      out += "</ul></details>";
    }
    out += "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n</section>\n";

  if (!report.errors.empty()) {
    out += fmt::format(
        "<section aria-labelledby=\"errors-title\">\n<h2 id=\"errors-title\">{}</h2>\n<ul "
        "class=\"errors\" id=\"errors\">\n",
        h(tr("Not evaluated")));
    for (const FleetError& error : report.errors)
      out += fmt::format("<li><strong>{}</strong>{}: {}</li>\n",
                         h(error.source.empty() ? "opsgate" : error.source),
                         error.point ? h(trf(" at {}", *error.point)) : "", h(error.message));
    out += "</ul>\n</section>\n";
  }
  out += fmt::format(
      "</main>\n<footer class=\"meta\"><p>opsgate {}</p></footer>\n<script>{}"
      "</script>\n</body>\n</html>\n",
      OPSGATE_VERSION, k_script);
  return out;
}

}  // namespace opsgate
