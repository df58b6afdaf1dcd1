#include "toml_util.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "i18n.hpp"

namespace opsgate {

const toml::node* lookup(const toml::table& root, std::string_view key) {
  const toml::table* table = &root;
  while (true) {
    std::size_t dot = key.find('.');
    std::string_view part = key.substr(0, dot);
    const toml::node* node = table->get(part);
    if (!node || dot == std::string_view::npos) return node;
    table = node->as_table();
    if (!table) return nullptr;
    key.remove_prefix(dot + 1);
  }
}

const toml::node* nearest_parent(const toml::table& root, std::string_view key) {
  const toml::node* best = nullptr;
  std::size_t dot = key.rfind('.');
  while (dot != std::string_view::npos) {
    key = key.substr(0, dot);
    if (const toml::node* node = lookup(root, key); node && node->is_table()) {
      best = node;
      break;
    }
    dot = key.rfind('.');
  }
  return best;
}

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "datetime";
    case toml::node_type::array:
      return "array";
    case toml::node_type::table:
      return "table";
    default:
      return "nothing";
  }
}

namespace {

std::string two(int value) {
  return fmt::format("{:02}", value);
}

std::string describe_date(const toml::date& d) {
  return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

std::string describe_time(const toml::time& t) {
  return fmt::format("{:02}:{:02}:{:02}", t.hour, t.minute, t.second);
}

}  // namespace

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        else
          out += c;
    }
  }
  out += '"';
  return out;
}

std::string describe_value(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return json_quote(*node.value<std::string_view>());
    case toml::node_type::integer:
      return std::to_string(node.value_or<std::int64_t>(0));
    case toml::node_type::floating_point: {
      double value = node.value_or(0.0);
      // TOML's spellings: inf, -inf, nan.
      if (std::isnan(value)) return "nan";
      if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
      return fmt::format("{}", value);
    }
    case toml::node_type::boolean:
      return node.value_or(false) ? "true" : "false";
    case toml::node_type::date:
      return describe_date(node.as_date()->get());
    case toml::node_type::time:
      return describe_time(node.as_time()->get());
    case toml::node_type::date_time: {
      const toml::date_time& dt = node.as_date_time()->get();
      std::string out = describe_date(dt.date) + "T" + describe_time(dt.time);
      if (dt.offset) {
        int minutes = dt.offset->minutes;
        if (minutes == 0) return out + "Z";
        out += minutes < 0 ? '-' : '+';
        minutes = std::abs(minutes);
        out += two(minutes / 60) + ":" + two(minutes % 60);
      }
      return out;
    }
    case toml::node_type::array: {
      std::string out = "[";
      for (const toml::node& item : *node.as_array()) {
        if (out.size() > 1) out += ", ";
        out += describe_value(item);
      }
      return out + "]";
    }
    case toml::node_type::table:
      return "a table";
    default:
      return "nothing";
  }
}

std::optional<double> as_number(const toml::node& node) {
  if (auto i = node.as_integer()) return static_cast<double>(i->get());
  if (auto f = node.as_floating_point()) return f->get();
  return std::nullopt;
}

bool values_equal(const toml::node& a, const toml::node& b) {
  if (auto x = as_number(a)) {
    auto y = as_number(b);
    return y && *x == *y;
  }
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case toml::node_type::string:
      return a.as_string()->get() == b.as_string()->get();
    case toml::node_type::boolean:
      return a.as_boolean()->get() == b.as_boolean()->get();
    case toml::node_type::date:
      return a.as_date()->get() == b.as_date()->get();
    case toml::node_type::time:
      return a.as_time()->get() == b.as_time()->get();
    case toml::node_type::date_time:
      return a.as_date_time()->get() == b.as_date_time()->get();
    case toml::node_type::array: {
      const toml::array& x = *a.as_array();
      const toml::array& y = *b.as_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!values_equal(*x.get(i), *y.get(i))) return false;
      return true;
    }
    case toml::node_type::table:
      return *a.as_table() == *b.as_table();
    default:
      return false;
  }
}

SourcePos position_of(const toml::node& node, const std::string& path) {
  const toml::source_region& region = node.source();
  return SourcePos{path, region.begin.line, region.begin.column};
}

SourcePos position_of(const toml::key& key, const std::string& path) {
  const toml::source_region& region = key.source();
  return SourcePos{path, region.begin.line, region.begin.column};
}

Expected<void> check_toml_nesting(std::string_view text, const std::string& path,
                                  std::size_t limit) {
  // Not a TOML parser: a bound on how deep toml++ will recurse, measured on the text. Strings
  // and comments are skipped; in a key (a line's key, a [header], an inline table's key) each
  // dotted part is one level, and each open '[' or '{' of a value one more.
  std::uint32_t line = 1, column = 0;
  std::size_t header_parts = 0;  // of the current [table]: its keys' levels start below it
  std::size_t key_parts = 0;     // of the key being read
  std::size_t open = 0;          // brackets and braces open in the value being read
  std::vector<std::size_t> value_key_parts;  // per open bracket: the key parts before it
  std::string brackets;                      // the open '[' and '{' of the value, in order
  bool in_key = true, in_header = false;
  const auto too_deep = [&](std::size_t depth) -> Expected<void> {
    return fail(ErrorKind::invalid,
                trf("the document nests {} levels deep here; opsgate reads TOML of at most {} "
                    "levels (tables, dotted keys, arrays and inline tables)",
                    depth, limit),
                SourcePos{path, line, column});
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
      if (open == 0) {
        in_key = true;
        key_parts = 0;
      }
      continue;
    }
    if (c == '#') {  // a comment, to the end of the line
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    if (c == '"' || c == '\'') {  // a string: skipped whole, multi-line and escapes included
      const bool multi = text.substr(i, 3) == std::string_view(c == '"' ? "\"\"\"" : "'''");
      const std::size_t start = i;
      i += multi ? 3 : 1;
      for (; i < text.size(); ++i) {
        if (text[i] == '\n') {
          if (!multi) break;  // toml++ says what is wrong with it
          ++line;
          column = 0;
        }
        if (c == '"' && text[i] == '\\') {
          ++i;
          continue;
        }
        if (text[i] == c && (!multi || text.substr(i, 3) == text.substr(start, 3))) {
          if (multi) i += 2;
          break;
        }
      }
      column += 1;
      continue;
    }
    if (in_key && open == 0 && !in_header && (c == '[') && key_parts == 0) {
      in_header = true;
      header_parts = 1;
      while (i + 1 < text.size() && text[i + 1] == '[') ++i;  // [[array of tables]]
      continue;
    }
    if (in_header) {
      if (c == '.') {
        if (++header_parts > limit) return too_deep(header_parts);
      } else if (c == ']') {
        in_header = false;
        while (i + 1 < text.size() && text[i + 1] == ']') ++i;
      }
      continue;
    }
    if (in_key && open > 0 && c == '}') {  // an empty inline table, or a trailing comma
      --open;
      key_parts = value_key_parts.back();
      value_key_parts.pop_back();
      brackets.pop_back();
      in_key = false;
      continue;
    }
    if (in_key) {
      if (c == '.') {
        if (header_parts + ++key_parts + 1 > limit) return too_deep(header_parts + key_parts + 1);
      } else if (c == '=') {
        in_key = false;
        ++key_parts;
      }
      continue;
    }
    // A value.
    if (c == '[' || c == '{') {
      value_key_parts.push_back(key_parts);
      brackets.push_back(c);
      ++open;
      if (header_parts + key_parts + open > limit) return too_deep(header_parts + key_parts + open);
      in_key = c == '{';  // an inline table's keys follow
    } else if ((c == ']' || c == '}') && open > 0) {
      --open;
      key_parts = value_key_parts.back();
      value_key_parts.pop_back();
      brackets.pop_back();
    } else if (c == ',' && open > 0 && brackets.back() == '{') {
      in_key = true;  // the next entry of an inline table starts with its key
      key_parts = value_key_parts.back();
    }
  }
  return {};
}

namespace {

// Byte offset of a toml++ position (lines from 1, columns in code points from 1); text.size()
// past the end.
std::size_t offset_of(std::string_view text, std::uint32_t line, std::uint32_t column) {
  std::size_t i = 0;
  for (std::uint32_t at = 1; at < line && i < text.size(); ++i)
    if (text[i] == '\n') ++at;
  for (std::uint32_t at = 1; i < text.size() && text[i] != '\n'; ++i) {
    const bool continuation = (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
    if (!continuation && at++ == column) return i;
  }
  return i;
}

// "line:column" of a byte offset, columns in code points as toml++ counts them.
std::string position_text(std::string_view text, std::size_t offset) {
  std::uint32_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return fmt::format("{}:{}", line, column);
}

// What is open at a byte offset, read from the start of the document as TOML reads it: the
// string it lies in (or that runs to the end of its line or of the file before it), and the
// arrays and inline tables around it. Not a parser: where toml++ stopped, it finds where the
// thing toml++ complains about began.
struct OpenAt {
  std::optional<std::size_t> string;  // where the string starts, its quote(s)
  bool multi_line = false;
  std::vector<std::pair<char, std::size_t>> brackets;  // '[' or '{' and where, innermost last
};

OpenAt open_at(std::string_view text, std::size_t offset) {
  OpenAt open;
  bool line_start = true;  // only whitespace so far on this line
  for (std::size_t i = 0; i < offset && i < text.size();) {
    const char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '\n') {
      line_start = true;
      ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      const std::string_view triple = c == '"' ? "\"\"\"" : "'''";
      const bool multi = text.substr(i, 3) == triple;
      std::size_t j = i + (multi ? 3 : 1);
      std::optional<std::size_t> end;
      while (j < text.size()) {
        if (!multi && (text[j] == '\n' || text[j] == '\r')) break;  // unterminated
        if (c == '"' && text[j] == '\\') {
          j += 2;
          continue;
        }
        if (multi ? text.substr(j, 3) == triple : text[j] == c) {
          end = j + (multi ? 3 : 1);
          while (multi && *end < text.size() && *end < j + 5 && text[*end] == c) ++*end;
          break;
        }
        ++j;
      }
      if (!end || *end > offset) {
        open.string = i;
        open.multi_line = multi;
        return open;
      }
      i = *end;
      line_start = false;
      continue;
    }
    if (c == '[' && open.brackets.empty() && line_start) {  // a [table] or [[array]] header
      while (i < text.size() && text[i] != '\n' && text[i] != ']') ++i;
      while (i < text.size() && text[i] == ']') ++i;
      line_start = false;
      continue;
    }
    if (c == '[' || c == '{') open.brackets.emplace_back(c, i);
    if ((c == ']' || c == '}') && !open.brackets.empty()) open.brackets.pop_back();
    if (c != ' ' && c != '\t' && c != '\r') line_start = false;
    ++i;
  }
  return open;
}

// The word at `offset`, as far as a value goes: for "unknown value yes".
std::string_view word_at(std::string_view text, std::size_t offset) {
  std::size_t end = offset;
  while (end < text.size() &&
         std::string_view(" \t\r\n,]}#").find(text[end]) == std::string_view::npos)
    ++end;
  return text.substr(offset, std::min<std::size_t>(end - offset, 40));
}

// The date or time around `offset`: toml++ stops inside it or just after it.
std::string_view date_at(std::string_view text, std::size_t offset) {
  const auto part = [](char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == ':' || c == 'T' || c == '.' || c == 'Z' ||
           c == '+';
  };
  std::size_t start = std::min(offset, text.size());
  while (start > 0 && part(text[start - 1])) --start;
  std::size_t end = start;
  while (end < text.size() && part(text[end])) ++end;
  return text.substr(start, std::min<std::size_t>(end - start, 40));
}

constexpr std::string_view k_month_names[] = {
    tr_noop("January"),   tr_noop("February"), tr_noop("March"),    tr_noop("April"),
    tr_noop("May"),       tr_noop("June"),     tr_noop("July"),     tr_noop("August"),
    tr_noop("September"), tr_noop("October"),  tr_noop("November"), tr_noop("December")};

// "saw '\n'" as a person would say it. (toml++'s own words around it stay English.)
std::string plain_saw(std::string message) {
  for (const auto& [from, to] :
       {std::pair<std::string_view, std::string_view>{"saw '\\n'", "saw the end of the line"},
        {"saw '\\r'", "saw the end of the line"}}) {
    for (std::size_t at = message.find(from); at != std::string::npos; at = message.find(from))
      message.replace(at, from.size(), to);
  }
  return message;
}

// toml++'s "saw 'x'" (what it met instead, from "saw" on) in the thread's language.
std::string saw(std::string_view what) {
  const std::string_view seen = what.substr(std::min<std::size_t>(what.size(), 4));
  if (seen == "'\\n'" || seen == "'\\r'") return std::string(tr("saw the end of the line"));
  return trf("saw {}", seen);
}

}  // namespace

std::string rephrase_toml_error(std::string_view text, std::string_view description,
                                std::uint32_t line, std::uint32_t column) {
  const std::size_t offset = offset_of(text, line, column);
  const std::size_t colon = description.find(": ");
  // "Error while parsing string: ..." -> what was being parsed, and what went wrong.
  const std::string_view parsing =
      description.starts_with("Error while parsing ") && colon != std::string_view::npos
          ? description.substr(20, colon - 20)
          : std::string_view();
  const std::string_view what =
      colon == std::string_view::npos ? description : description.substr(colon + 2);
  const bool at_line_end = offset >= text.size() || text[offset] == '\n' || text[offset] == '\r';
  const bool at_eof = what.find("end-of-file") != std::string_view::npos;

  if (parsing == "string" || parsing == "literal string") {
    const OpenAt open = open_at(text, offset);
    if (open.string &&
        (at_eof || (at_line_end && what.find("control characters") != std::string_view::npos))) {
      const std::string_view quote = text.substr(*open.string, open.multi_line ? 3 : 1);
      const std::string started = position_text(text, *open.string);
      if (open.multi_line)
        return at_eof ? trf("missing closing quote {} (the multi-line string started at {} and "
                            "runs to the end of the file)",
                            quote, started)
                      : trf("missing closing quote {} (the multi-line string started at {})", quote,
                            started);
      return at_eof ? trf("missing closing quote {} (the string started at {} and runs to the "
                          "end of the file)",
                          quote, started)
                    : trf("missing closing quote {} (the string started at {})", quote, started);
    }
    if (what.find("control characters") != std::string_view::npos && !at_line_end)
      return trf("control character U+{:04X} in a string: write it as an escape (\\u{:04x})",
                 static_cast<unsigned char>(text[offset]),
                 static_cast<unsigned char>(text[offset]));
  }
  if (parsing == "array" || parsing == "inline table") {
    const char bracket = parsing == "array" ? '[' : '{';
    const char closing = parsing == "array" ? ']' : '}';
    const OpenAt open = open_at(text, offset);
    std::optional<std::size_t> start;
    for (const auto& [kind, where] : open.brackets)
      if (kind == bracket) start = where;
    const std::string started =
        !start ? std::string()
        : parsing == "array"
            ? trf(" (the array started at {})", position_text(text, *start))
            : trf(" (the inline table started at {})", position_text(text, *start));
    if (at_eof) return trf("missing closing '{}'{}", closing, started);
    if (parsing == "inline table" && at_line_end)
      return trf("missing closing '}}'{}: an inline table ends on the line it starts", started);
    constexpr std::string_view k_no_comma = "expected comma or closing ']', ";
    if (parsing == "array" && what.starts_with(k_no_comma) &&
        what.substr(k_no_comma.size()).starts_with("saw "))
      return trf(
          "expected comma or closing ']', {}: a ',' between two values, or the closing "
          "']', is missing{}",
          saw(what.substr(k_no_comma.size())), started);
    if (parsing == "array" && what.starts_with("expected comma or closing ']'"))
      return fmt::format("{}: a ',' between two values, or the closing ']', is missing{}",
                         plain_saw(std::string(what)), started);
  }
  if (what.starts_with("cannot redefine existing ")) {
    // "cannot redefine existing integer 'a'", "... table 't'", "... array 'w' as table"
    const std::size_t quote = what.find('\'');
    const std::size_t end = what.rfind('\'');
    if (quote != std::string_view::npos && end > quote) {
      const std::string_view name = what.substr(quote + 1, end - quote - 1);
      const std::string_view kind = what.substr(25, quote - 26);
      const std::string as = std::string_view("aeiou").find(kind.front()) == std::string_view::npos
                                 ? trf("a {}", kind)
                                 : trf("an {}", kind);
      if (parsing == "table header")
        return trf("[{}] is defined twice: {} is already defined above (as {})", name, name, as);
      return trf(
          "duplicate key '{}': it is already set above (as {}); a key appears once in its "
          "table",
          name, as);
    }
  }
  if (parsing == "date" &&
      (what.starts_with("expected day between") || what.starts_with("expected month between"))) {
    const std::string_view date = date_at(text, offset);
    int year = 0, month = 0, day = 0;
    if (std::sscanf(std::string(date).c_str(), "%4d-%2d-%2d", &year, &month, &day) == 3) {
      if (month < 1 || month > 12) return trf("invalid date {}: there is no month {}", date, month);
      const auto last = static_cast<unsigned>(
          (std::chrono::year{year} / std::chrono::month{static_cast<unsigned>(month)} /
           std::chrono::last)
              .day());
      return trf("invalid date {}: {} {} has {} days", date, tr(k_month_names[month - 1]), year,
                 last);
    }
  }
  if (parsing == "time" && what.starts_with("expected hour between 0 to 59"))  // toml++ 3.3's slip
    return trf("invalid time: hours go from 00 to 23, saw {}", what.substr(what.rfind(' ') + 1));
  if (parsing == "value" && what.starts_with("could not determine value type"))
    return trf(
        "cannot read the value {}: quote a string (\"...\"); booleans are true or false, dates "
        "2026-10-02",
        word_at(text, offset));
  if (parsing == "key-value pair" && what.starts_with("expected a comment or whitespace"))
    return trf("expected the end of the line after the value, {} (one key = value per line)",
               saw(what.substr(what.find("saw"))));
  return plain_saw(std::string(description));
}

Expected<toml::table> parse_toml(std::string_view text, const std::string& path) {
  if (auto ok = check_toml_nesting(text, path); !ok) return std::unexpected(ok.error());
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& error) {
    const toml::source_region& region = error.source();
    return fail(
        ErrorKind::invalid,
        rephrase_toml_error(text, error.description(), region.begin.line, region.begin.column),
        SourcePos{path, region.begin.line, region.begin.column});
  }
}

}  // namespace opsgate
