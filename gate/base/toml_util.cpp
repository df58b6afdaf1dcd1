#include "toml_util.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <vector>

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
                fmt::format("the document nests {} levels deep here; opsgate reads TOML of at "
                            "most {} levels (tables, dotted keys, arrays and inline tables)",
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

Expected<toml::table> parse_toml(std::string_view text, const std::string& path) {
  if (auto ok = check_toml_nesting(text, path); !ok) return std::unexpected(ok.error());
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& error) {
    const toml::source_region& region = error.source();
    return fail(ErrorKind::invalid, std::string(error.description()),
                SourcePos{path, region.begin.line, region.begin.column});
  }
}

}  // namespace opsgate
