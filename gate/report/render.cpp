#include "render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "i18n.hpp"

namespace opsgate {

namespace {

constexpr std::array<std::string_view, 6> k_formats = {"text",  "json",        "junit",
                                                       "sarif", "codequality", "markdown"};

}  // namespace

std::string describe_provenance(const Provenance& provenance, const Instant& at) {
  if (provenance.commit.empty()) return trf("provenance unknown: {}", provenance.unknown);
  return trf("last changed by {} in {} on {}", provenance.author, provenance.commit.substr(0, 12),
             format_day(std::chrono::floor<std::chrono::days>(provenance.when + at.offset)));
}

std::string_view severity_label(Severity severity) {
  switch (severity) {
    case Severity::info:
      return tr("info");
    case Severity::warning:
      return tr("warning");
    case Severity::error:
      return tr("error");
  }
  return tr("error");
}

std::vector<std::string> report_formats() {
  return {k_formats.begin(), k_formats.end()};
}

bool is_report_format(std::string_view format) {
  return std::find(k_formats.begin(), k_formats.end(), format) != k_formats.end();
}

Expected<void> check_format(std::string_view format, std::string_view option) {
  if (is_report_format(format)) return {};
  return fail(ErrorKind::usage,
              trf("{}: unknown format '{}' ({})", option, format, fmt::join(k_formats, ", ")));
}

std::string render(const Report& report, std::string_view format, const TextStyle& style) {
  if (format == "json") return render_json(report);
  if (format == "junit") return render_junit(report);
  if (format == "sarif") return render_sarif(report);
  if (format == "codequality") return render_codequality(report);
  if (format == "markdown") return render_markdown(report);
  return render_text(report, style);
}

void write_report(const Report& report, std::string_view format, const TextStyle& style,
                  const ReportWriter& write) {
  if (format == "json") return write_json(report, write);
  if (format == "junit") return write_junit(report, write);
  write(render(report, format, style));
}

}  // namespace opsgate
