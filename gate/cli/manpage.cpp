#include "manpage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "i18n.hpp"

namespace opsgate::cli {

namespace {

// A character beyond ASCII (UTF-8 from `text[i]`) as a groff glyph, `\[u00E9]`: read the same
// whatever encoding man assumes for the page. Advances `i` past it.
std::string roff_glyph(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  const unsigned char lead = byte(i);
  const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  char32_t code = length == 4 ? lead & 0x07 : length == 3 ? lead & 0x0F : lead & 0x1F;
  for (std::size_t k = 1; k < length && i + k < text.size(); ++k)
    code = (code << 6) | (byte(i + k) & 0x3F);
  i += length - 1;
  return fmt::format("\\[u{:04X}]", static_cast<std::uint32_t>(code));
}

// Roff as it is, letters beyond ASCII made glyphs: a translated text that keeps its escapes.
std::string roff_glyphs(std::string_view roff) {
  std::string out;
  for (std::size_t i = 0; i < roff.size(); ++i)
    if (static_cast<unsigned char>(roff[i]) >= 0x80)
      out += roff_glyph(roff, i);
    else
      out += roff[i];
  return out;
}

// Text for roff: backslashes and hyphens escaped (`\-` stays a hyphen-minus a reader can paste
// into a shell), `code` in bold, letters beyond ASCII as glyphs, and no line that starts like a
// request.
std::string roff_text(std::string_view text) {
  std::string out;
  bool in_code = false;
  bool line_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (static_cast<unsigned char>(c) >= 0x80) {
      out += roff_glyph(text, i);
      continue;
    }
    switch (c) {
      case '\\':
        out += "\\e";
        break;
      case '-':
        out += "\\-";
        break;
      case '`':
        out += in_code ? "\\fR" : "\\fB";
        in_code = !in_code;
        break;
      default:
        out += c;
    }
  }
  if (in_code) out += "\\fR";
  return out;
}

std::string upper(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

std::string page_name(const CommandSpec& command) {
  return command.path.empty() ? command.name : "opsgate-" + command.path.front();
}

std::string sentence(std::string text) {
  if (!text.empty() && !text.ends_with('.')) text += '.';
  return text;
}

// "\fB\-q\fR, \fB\-\-quiet\fR", "\fB\-\-rev\fR \fITEXT\fR", "\fB\-\-format\fR \fItext\fR|..."
std::string option_heading(const OptionSpec& option) {
  std::vector<std::string> names;
  for (const std::string& name : option.short_names)
    names.push_back("\\fB\\-" + roff_text(name) + "\\fR");
  for (const std::string& name : option.long_names)
    names.push_back("\\fB\\-\\-" + roff_text(name) + "\\fR");
  std::string value;
  if (!option.choices.empty()) {
    std::vector<std::string> choices;
    for (const std::string& choice : option.choices)
      choices.push_back("\\fI" + roff_text(choice) + "\\fR");
    value = fmt::format("{}", fmt::join(choices, "|"));
  } else if (!option.value_name.empty()) {
    value = "\\fI" + roff_text(option.value_name) + "\\fR";
  }
  std::string heading = fmt::format("{}", fmt::join(names, ", "));
  if (option.value_optional)
    heading += "[=" + value + "]";
  else if (!value.empty())
    heading += " " + value;
  if (option.repeatable) heading += " ...";
  return heading;
}

std::string positional_name(const PositionalSpec& positional) {
  return "\\fI" + roff_text(upper(positional.name)) + "\\fR" +
         (positional.repeatable ? " ..." : "");
}

// "[\fIOPTIONS\fR] [\fIREPO\fR]" after the command's name.
std::string synopsis_arguments(const CommandSpec& command) {
  const std::string options = "\\fI" + roff_text(tr("OPTIONS")) + "\\fR";
  const std::string subcommand = "\\fI" + roff_text(tr("COMMAND")) + "\\fR";
  std::string arguments;
  if (!command.options.empty()) arguments += " [" + options + "]";
  if (!command.subcommands.empty())
    arguments += command.subcommand_required ? " " + subcommand : " [" + subcommand + "]";
  for (const PositionalSpec& positional : command.positionals)
    arguments += positional.required ? " " + positional_name(positional)
                                     : " [" + positional_name(positional) + "]";
  return arguments.empty() ? arguments : arguments.substr(1);
}

void write_options(std::string& out, const CommandSpec& command) {
  for (const PositionalSpec& positional : command.positionals) {
    out += ".TP\n" + positional_name(positional) + "\n";
    out += roff_text(sentence(positional.description)) + "\n";
  }
  for (const OptionSpec& option : command.options) {
    out += ".TP\n" + option_heading(option) + "\n";
    std::string text = sentence(option.description);
    if (!option.default_value.empty() && option.choices.size() != 1)
      text += trf(" Default: `{}`.", option.default_value);
    out += roff_text(text) + "\n";
  }
}

// The commands under `command`, each with its synopsis, description and options.
void write_subcommands(std::string& out, const CommandSpec& command) {
  for (const CommandSpec& sub : command.subcommands) {
    out += fmt::format(".SS \"{}\"\n", roff_text(sub.full_name()));
    out += fmt::format(".B {}\n{}\n.PP\n", roff_text(sub.full_name()), synopsis_arguments(sub));
    out += roff_text(sentence(sub.description)) + "\n";
    write_options(out, sub);
    write_subcommands(out, sub);
  }
}

void write_synopsis(std::string& out, const CommandSpec& command) {
  if (command.subcommands.empty() || command.path.empty()) {
    out += fmt::format(".B {}\n{}\n", roff_text(command.full_name()), synopsis_arguments(command));
    return;
  }
  bool first = true;
  for (const CommandSpec& sub : command.subcommands) {
    if (!first) out += ".br\n";
    first = false;
    out += fmt::format(".B {}\n{}\n", roff_text(sub.full_name()), synopsis_arguments(sub));
  }
}

// The EXIT STATUS section, in roff (the texts keep their font escapes in every language).
std::string exit_status() {
  return fmt::format(
      ".TP\n.B 0\n{}\n.TP\n.B 1\n{}\n.TP\n.B 2\n{}\n",
      roff_glyphs(
          tr("Evaluated and passed (\\fBcheck\\fR, hooks); the release window is open "
             "(\\fBwindow\\fR); every case matches (\\fBrules test\\fR); done (the others).")),
      roff_glyphs(tr("Evaluated and failed; the window is closed; a case does not match.")),
      roff_glyphs(tr(
          "Could not evaluate: bad usage, an unknown revision, a malformed manifest or rule file, "
          "an unknown \\fB\\-\\-env\\fR, a report that cannot be written. Never a pass: requested "
          "reports are still written, with the outcome \\fBerror\\fR, and the message names the "
          "file and \\fIline\\fR:\\fIcolumn\\fR where one exists.")));
}

// A section heading: the English names in every language man knows them by ("NAME", ...),
// translated for a French page.
std::string section(std::string_view name) {
  return ".SH " + roff_text(tr(name)) + "\n";
}

std::string header(const CommandSpec& command, const std::string& version,
                   const std::string& summary) {
  const std::string name = page_name(command);
  return fmt::format(
      ".\\\" Written by opsgate's build from its command line definitions "
      "(gate/cli/manpage.cpp): do not edit.\n"
      ".TH \"{}\" \"1\" \"\" \"opsgate {}\" \"{}\"\n"
      "{}{} \\- {}\n",
      roff_text(upper(name)), roff_text(version), roff_text(tr("opsgate manual")),
      section(tr_noop("NAME")), roff_text(name), roff_text(summary));
}

std::string see_also(const CommandSpec& cli, const std::string& self) {
  std::vector<std::string> pages;
  if (self != "opsgate") pages.push_back("\\fBopsgate\\fR(1)");
  for (const CommandSpec& sub : cli.subcommands)
    if (page_name(sub) != self)
      pages.push_back(fmt::format("\\fB{}\\fR(1)", roff_text(page_name(sub))));
  return fmt::format("{}{}\n.PP\n{}\n", section(tr_noop("SEE ALSO")), fmt::join(pages, ",\n"),
                     roff_glyphs(tr("The reference of every command, option, manifest key and "
                                    "rule operator: \\fIdocs/\\fR in opsgate's source "
                                    "repository.")));
}

ManPage main_page(const CommandSpec& cli, const std::string& version) {
  std::string summary = cli.description;
  if (summary.starts_with(cli.name + ": ")) summary.erase(0, cli.name.size() + 2);
  std::string out = header(cli, version, summary);
  out += section(tr_noop("SYNOPSIS"));
  write_synopsis(out, cli);
  out += section(tr_noop("DESCRIPTION"));
  out += roff_text(tr("opsgate reads a service's `operability.toml` from git at the revision being "
                      "merged or pushed, checks it against the ops team's rule packs (backups, "
                      "monitoring, runbooks, rollback, release windows) and answers with an exit "
                      "code, a readable report and machine-readable reports.")) +
         "\n";
  out += section(tr_noop("COMMANDS"));
  for (const CommandSpec& sub : cli.subcommands)
    out += fmt::format(".TP\n\\fB{}\\fR(1)\n{}\n", roff_text(page_name(sub)),
                       roff_text(sentence(sub.description)));
  out += section(tr_noop("OPTIONS"));
  write_options(out, cli);
  out += section(tr_noop("EXIT STATUS"));
  out += exit_status();
  out += section(tr_noop("ENVIRONMENT"));
  out += ".TP\n.B OPSGATE_RULES_PATH\n" +
         roff_text(tr("Directories (`:`-separated) searched first for installed rule packs, the "
                      "names `--rules` takes; then `share/opsgate/rules` next to the binary.")) +
         "\n";
  out += ".TP\n.B NO_COLOR\n" + roff_text(tr("When set and not empty, no colour in the output.")) +
         "\n";
  out += see_also(cli, cli.name);
  return {cli.name, std::move(out)};
}

ManPage command_page(const CommandSpec& cli, const CommandSpec& command,
                     const std::string& version) {
  const std::string name = page_name(command);
  std::string out = header(command, version, command.description);
  out += section(tr_noop("SYNOPSIS"));
  write_synopsis(out, command);
  out += section(tr_noop("DESCRIPTION")) + roff_text(sentence(command.description)) + "\n";
  if (!command.options.empty() || !command.positionals.empty()) {
    out += section(tr_noop("OPTIONS"));
    write_options(out, command);
  }
  if (!command.subcommands.empty()) {
    out += section(tr_noop("COMMANDS"));
    write_subcommands(out, command);
  }
  out += section(tr_noop("EXIT STATUS"));
  out += exit_status();
  out += see_also(cli, name);
  return {name, std::move(out)};
}

}  // namespace

std::vector<ManPage> man_pages(const CommandSpec& cli, const std::string& version) {
  std::vector<ManPage> pages{main_page(cli, version)};
  for (const CommandSpec& command : cli.subcommands)
    pages.push_back(command_page(cli, command, version));
  return pages;
}

}  // namespace opsgate::cli
