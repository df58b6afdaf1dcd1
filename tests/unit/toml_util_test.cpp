#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>

#include "toml_util.hpp"

namespace toml_util_test {

using namespace opsgate;

namespace {

toml::table parse(std::string_view text) {
  auto doc = parse_toml(text, "operability.toml");
  if (!doc) FAIL(doc.error().to_string());
  return std::move(*doc);
}

}  // namespace

TEST_CASE("lookup follows dotted keys through tables", "[toml_util]") {
  toml::table doc = parse(
      "[backup]\n"
      "retention_days = 35\n"
      "[monitoring]\n"
      "slo = { availability = 99.9 }\n");
  const toml::node* days = lookup(doc, "backup.retention_days");
  REQUIRE(days);
  CHECK(days->value<std::int64_t>() == 35);
  const toml::node* availability = lookup(doc, "monitoring.slo.availability");
  REQUIRE(availability);
  CHECK(availability->value<double>() == Approx(99.9));
  CHECK(lookup(doc, "backup") != nullptr);
  CHECK(lookup(doc, "backup.offsite") == nullptr);
  CHECK(lookup(doc, "nothing.at.all") == nullptr);
  // A scalar has no children.
  CHECK(lookup(doc, "backup.retention_days.value") == nullptr);
}

TEST_CASE("nearest_parent finds the deepest declared table on the way", "[toml_util]") {
  toml::table doc = parse(
      "schema = 1\n"
      "[backup]\n"
      "enabled = true\n");
  const toml::node* parent = nearest_parent(doc, "backup.retention_days");
  REQUIRE(parent);
  CHECK(parent == lookup(doc, "backup"));
  CHECK(nearest_parent(doc, "rollback.strategy") == nullptr);
  CHECK(nearest_parent(doc, "schema") == nullptr);
}

TEST_CASE("type_name uses the words rule authors write", "[toml_util]") {
  toml::table doc = parse(
      "s = \"x\"\n"
      "i = 3\n"
      "f = 1.5\n"
      "b = true\n"
      "d = 2026-11-26\n"
      "t = 10:00:00\n"
      "dt = 2026-11-26T10:00:00+01:00\n"
      "a = [1]\n"
      "tb = { x = 1 }\n");
  CHECK(type_name(*doc.get("s")) == "string");
  CHECK(type_name(*doc.get("i")) == "integer");
  CHECK(type_name(*doc.get("f")) == "float");
  CHECK(type_name(*doc.get("b")) == "boolean");
  CHECK(type_name(*doc.get("d")) == "date");
  CHECK(type_name(*doc.get("t")) == "time");
  CHECK(type_name(*doc.get("dt")) == "datetime");
  CHECK(type_name(*doc.get("a")) == "array");
  CHECK(type_name(*doc.get("tb")) == "table");
}

TEST_CASE("describe_value writes values as a person reads them", "[toml_util]") {
  toml::table doc = parse(
      "s = 'say \"hi\"'\n"
      "i = -3\n"
      "f = 99.9\n"
      "b = false\n"
      "d = 2026-10-02\n"
      "t = 08:05:00\n"
      "local = 2026-12-18T00:00:00\n"
      "utc = 2026-12-18T00:00:00Z\n"
      "plus = 2026-12-18T00:00:00+01:00\n"
      "minus = 2026-12-18T00:00:00-05:30\n"
      "a = [\"mon\", 2]\n"
      "tb = { x = 1 }\n");
  CHECK(describe_value(*doc.get("s")) == R"("say \"hi\"")");
  CHECK(describe_value(*doc.get("i")) == "-3");
  CHECK(describe_value(*doc.get("f")) == "99.9");
  CHECK(describe_value(*doc.get("b")) == "false");
  CHECK(describe_value(*doc.get("d")) == "2026-10-02");
  CHECK(describe_value(*doc.get("t")) == "08:05:00");
  CHECK(describe_value(*doc.get("local")) == "2026-12-18T00:00:00");
  CHECK(describe_value(*doc.get("utc")) == "2026-12-18T00:00:00Z");
  CHECK(describe_value(*doc.get("plus")) == "2026-12-18T00:00:00+01:00");
  CHECK(describe_value(*doc.get("minus")) == "2026-12-18T00:00:00-05:30");
  CHECK(describe_value(*doc.get("a")) == R"(["mon", 2])");
  CHECK(describe_value(*doc.get("tb")) == "a table");
}

TEST_CASE("json_quote writes a string as nlohmann::json does", "[toml_util]") {
  std::vector<std::string> texts = {
      "",          "plain",    "say \"hi\"", "back\\slash", "caf\u00e9 \u2603", "\U0001F600 emoji",
      "tab\there", "a\nb\r\n", "\x7f del"};
  for (int c = 0; c < 0x80; ++c) texts.push_back(std::string(1, static_cast<char>(c)) + "x");
  std::mt19937 random(3);
  const std::string alphabet = "\"\\/\b\f\n\r\t\x01\x1f az";
  for (int i = 0; i < 500; ++i) {
    std::string text;
    for (int n = random() % 12; n > 0; --n) text += alphabet[random() % alphabet.size()];
    texts.push_back(text);
  }
  for (const std::string& text : texts) {
    INFO(nlohmann::json(text).dump());
    CHECK(json_quote(text) == nlohmann::json(text).dump());
  }
}

TEST_CASE("values_equal compares numbers by value and everything else by type", "[toml_util]") {
  toml::table doc = parse(
      "i7 = 7\n"
      "f7 = 7.0\n"
      "f75 = 7.5\n"
      "s7 = \"7\"\n"
      "t = true\n"
      "d1 = 2026-11-26\n"
      "d2 = 2026-11-26\n"
      "a1 = [\"a\", 1]\n"
      "a2 = [\"a\", 1.0]\n"
      "a3 = [\"a\"]\n");
  CHECK(values_equal(*doc.get("i7"), *doc.get("f7")));
  CHECK_FALSE(values_equal(*doc.get("i7"), *doc.get("f75")));
  CHECK_FALSE(values_equal(*doc.get("i7"), *doc.get("s7")));
  CHECK_FALSE(values_equal(*doc.get("s7"), *doc.get("i7")));
  CHECK_FALSE(values_equal(*doc.get("t"), *doc.get("s7")));
  CHECK(values_equal(*doc.get("d1"), *doc.get("d2")));
  CHECK(values_equal(*doc.get("a1"), *doc.get("a2")));
  CHECK_FALSE(values_equal(*doc.get("a1"), *doc.get("a3")));
}

TEST_CASE("as_number reads integers and floats only", "[toml_util]") {
  toml::table doc = parse("i = 3\nf = 2.5\ns = \"3\"\n");
  CHECK(as_number(*doc.get("i")) == 3.0);
  CHECK(as_number(*doc.get("f")) == 2.5);
  CHECK_FALSE(as_number(*doc.get("s")));
}

TEST_CASE("position_of gives the 1-based line and column of values and keys", "[toml_util]") {
  toml::table doc = parse(
      "schema = 1\n"
      "[backup]\n"
      "  retention_days = 3\n");
  const toml::node* days = lookup(doc, "backup.retention_days");
  REQUIRE(days);
  SourcePos value = position_of(*days, "operability.toml");
  CHECK(value.to_string() == "operability.toml:3:20");
  const toml::table& backup = *doc.get("backup")->as_table();
  const toml::key& key = backup.begin()->first;
  CHECK(position_of(key, "operability.toml").to_string() == "operability.toml:3:3");
}

TEST_CASE("A TOML syntax error is an invalid Error at path:line:column", "[toml_util]") {
  auto doc = parse_toml(
      "schema = 1\n"
      "[service]\n"
      "name = \"unterminated\n",
      "services/orders/operability.toml");
  REQUIRE_FALSE(doc);
  CHECK(doc.error().kind == ErrorKind::invalid);
  REQUIRE(doc.error().where);
  CHECK(doc.error().where->path == "services/orders/operability.toml");
  CHECK(doc.error().where->line == 3);
  CHECK(doc.error().where->column > 0);
  CHECK_THAT(doc.error().to_string(), Catch::StartsWith("services/orders/operability.toml:3:"));
}

TEST_CASE("A duplicate key is a syntax error at its line", "[toml_util]") {
  auto doc = parse_toml("schema = 1\nschema = 2\n", "operability.toml");
  REQUIRE_FALSE(doc);
  REQUIRE(doc.error().where);
  CHECK(doc.error().where->line == 2);
}

namespace {

// The message a syntax error gets, with its position: "3:16: missing closing quote ...".
std::string syntax_error(std::string_view text) {
  auto doc = parse_toml(text, "m.toml");
  if (doc) return "parsed";
  REQUIRE(doc.error().where);
  return fmt::format("{}:{}: {}", doc.error().where->line, doc.error().where->column,
                     doc.error().message);
}

}  // namespace

TEST_CASE("toml: an unterminated string is a missing closing quote, where it started",
          "[toml_util]") {
  // toml++ says "unescaped control characters other than TAB (U+0009) are explicitly
  // prohibited": true of the newline it met, no help to whoever forgot a quote.
  CHECK(syntax_error("schema = 1\n[service]\nname = \"billing\nowner = \"x\"\n") ==
        "3:16: missing closing quote \" (the string started at 3:8)");
  CHECK(syntax_error("name = 'billing\n") ==
        "1:16: missing closing quote ' (the string started at 1:8)");
  CHECK(syntax_error("a = \"x\"\r\nb = \"y\r\n") ==
        "2:7: missing closing quote \" (the string started at 2:5)");
  CHECK(syntax_error("a = \"x") ==
        "1:7: missing closing quote \" (the string started at 1:5 and runs to the end of the "
        "file)");
  CHECK(syntax_error("a = \"\"\"one\ntwo\n") ==
        "2:5: missing closing quote \"\"\" (the multi-line string started at 1:5 and runs to "
        "the end of the file)");
  // Columns count characters, as toml++ does: the é before takes one.
  CHECK(syntax_error("n = \"\u00e9\u00e9 # not a comment\n") ==
        "1:24: missing closing quote \" (the string started at 1:5)");
  // Quotes inside comments and closed strings are not where a string starts.
  CHECK(syntax_error("# it's\na = \"it's \\\" fine\" # \"\nb = 'x\n") ==
        "3:7: missing closing quote ' (the string started at 3:5)");
  // A real control character inside a string says which, and how to write it.
  CHECK(syntax_error("k = \"a\x01"
                     "b\"\n") ==
        "1:7: control character U+0001 in a string: write it as an escape (\\u0001)");
}

TEST_CASE("toml: an unclosed array or inline table says where it opened", "[toml_util]") {
  CHECK(syntax_error("days = [\"mon\", \"tue\"\n") ==
        "1:22: missing closing ']' (the array started at 1:8)");
  CHECK(syntax_error("a = [1, 2\nb = 3\n") ==
        "2:1: expected comma or closing ']', saw 'b': a ',' between two values, or the closing "
        "']', is missing (the array started at 1:5)");
  CHECK(syntax_error("a = { x = 1, y = 2\nb = 3\n") ==
        "1:19: missing closing '}' (the inline table started at 1:5): an inline table ends on "
        "the line it starts");
  CHECK(syntax_error("[t]\na = [[1, 2], [3\n") ==
        "2:17: missing closing ']' (the array started at 2:14)");
}

TEST_CASE("toml: duplicate keys, impossible dates and bare words are said plainly", "[toml_util]") {
  CHECK(syntax_error("schema = 1\nschema = 2\n") ==
        "2:10: duplicate key 'schema': it is already set above (as an integer); a key appears "
        "once in its table");
  CHECK(syntax_error("[backup]\n[backup]\n") ==
        "2:1: [backup] is defined twice: backup is already defined above (as a table)");
  CHECK(syntax_error("d = 2026-02-30\n") ==
        "1:15: invalid date 2026-02-30: February 2026 has 28 days");
  CHECK(syntax_error("d = 2028-02-30\n") ==
        "1:15: invalid date 2028-02-30: February 2028 has 29 days");
  CHECK(syntax_error("d = 2026-04-31\n") ==
        "1:15: invalid date 2026-04-31: April 2026 has 30 days");
  CHECK(syntax_error("d = 2026-13-01\n") == "1:12: invalid date 2026-13-01: there is no month 13");
  CHECK(syntax_error("t = 2026-01-01T25:00:00\n") ==
        "1:18: invalid time: hours go from 00 to 23, saw 25");
  CHECK(syntax_error("enabled = yes\n") ==
        "1:11: cannot read the value yes: quote a string (\"...\"); booleans are true or false, "
        "dates 2026-10-02");
  CHECK(syntax_error("a = \"x\" b = 2\n") ==
        "1:9: expected the end of the line after the value, saw 'b' (one key = value per line)");
  // The others keep toml++'s words, "saw '\\n'" said in words.
  CHECK(syntax_error("[t]\nkey\n") ==
        "2:4: Error while parsing key-value pair: expected '=', saw the end of the line");
  CHECK(syntax_error("a = True\n") == "1:5: Error while parsing boolean: expected 'true', saw 'T'");
}

TEST_CASE("SourcePos prints path, path:line or path:line:column", "[toml_util]") {
  CHECK(SourcePos{"a.toml", 0, 0}.to_string() == "a.toml");
  CHECK(SourcePos{"a.toml", 4, 0}.to_string() == "a.toml:4");
  CHECK(SourcePos{"a.toml", 4, 7}.to_string() == "a.toml:4:7");
  Error error{ErrorKind::invalid, "bad", SourcePos{"a.toml", 4, 7}};
  CHECK(error.to_string() == "a.toml:4:7: bad");
  CHECK(Error{ErrorKind::invalid, "bad", std::nullopt}.to_string() == "bad");
}

TEST_CASE("toml: documents nested too deep for the parser are refused where they go too deep",
          "[toml_util]") {
  using opsgate::check_toml_nesting;
  using opsgate::parse_toml;
  auto dotted = [](std::size_t parts) {
    std::string key = "t";
    for (std::size_t i = 1; i < parts; ++i) key += ".t";
    return key;
  };
  // 40,000 parts crashed toml++ (its parser recurses): refused at the header, line 2.
  auto header = parse_toml("schema = 1\n[" + dotted(40000) + "]\nx = 1\n", "m.toml");
  REQUIRE_FALSE(header);
  REQUIRE(header.error().where);
  CHECK(header.error().where->line == 2);
  CHECK_THAT(header.error().message, Catch::Contains("at most 128 levels"));
  CHECK_FALSE(parse_toml(dotted(200) + " = 1\n", "m.toml"));
  CHECK_FALSE(parse_toml("x = " + std::string(200, '[') + std::string(200, ']') + "\n", "m.toml"));
  CHECK_FALSE(parse_toml(
      "x = " +
          [] {
            std::string nested;
            for (int i = 0; i < 200; ++i) nested += "{ a = ";
            nested += "1";
            for (int i = 0; i < 200; ++i) nested += " }";
            return nested;
          }() +
          "\n",
      "m.toml"));
  // Levels add up: a table, a dotted key and an inline table together.
  CHECK_FALSE(check_toml_nesting(
      "[" + dotted(60) + "]\n" + dotted(60) + " = { a = [[[[[[[[1]]]]]]]] }\n", "m.toml"));
  // Within the bound: parsed as usual; dots and brackets inside strings and comments, floats
  // and long flat arrays do not count.
  CHECK(parse_toml("[" + dotted(100) + "]\nx = 1\n", "m.toml"));
  CHECK(check_toml_nesting(
      "a = \"" + dotted(500) + "[[[{{{\"\nb = '" + dotted(500) + "'\n# " + dotted(500) +
          "\nc = \"\"\"\n" + dotted(500) + "\n\"\"\"\nd = [" +
          [] {
            std::string floats;
            for (int i = 0; i < 1000; ++i) floats += "1.5, ";
            return floats;
          }() +
          "2.5]\ne = { x.y = 1, z = [1, 2], w = { v = 1 } }\n",
      "m.toml"));
  CHECK(parse_toml("[[a.b]]\nx = 1\n[[a.b]]\nx = 2\n", "m.toml"));
}

}  // namespace toml_util_test
