#include <catch2/catch.hpp>

#include "markdown.hpp"

namespace markdown_test {

using opsgate::github_slug;
using opsgate::gitlab_slug;
using opsgate::has_anchor;
using opsgate::has_heading;
using opsgate::Heading;
using opsgate::markdown_headings;

namespace {

std::vector<std::string> texts(const std::vector<Heading>& headings) {
  std::vector<std::string> out;
  for (const Heading& heading : headings) out.push_back(heading.text);
  return out;
}

}  // namespace

TEST_CASE("ATX headings keep their level and order", "[markdown]") {
  const auto headings = markdown_headings(
      "# Payments runbook\n"
      "intro\n"
      "## Rollback\n"
      "###### Deep\n"
      "#hashtag is not a heading\n"
      "####### seven is not either\n");
  REQUIRE(headings.size() == 3);
  CHECK(headings[0].level == 1);
  CHECK(headings[0].text == "Payments runbook");
  CHECK(headings[1].level == 2);
  CHECK(headings[1].text == "Rollback");
  CHECK(headings[2].level == 6);
}

TEST_CASE("Closing hashes are not part of the heading, a C# is", "[markdown]") {
  const auto headings = markdown_headings("## Rollback ##\n### Restore ###   \n## Learn C#\n");
  CHECK(texts(headings) == std::vector<std::string>{"Rollback", "Restore", "Learn C#"});
}

TEST_CASE("Setext headings count", "[markdown]") {
  const auto headings = markdown_headings(
      "Service overview\n"
      "================\n"
      "\n"
      "On call\n"
      "-------\n");
  REQUIRE(headings.size() == 2);
  CHECK(headings[0].level == 1);
  CHECK(headings[0].text == "Service overview");
  CHECK(headings[1].level == 2);
  CHECK(headings[1].text == "On call");
}

TEST_CASE("Headings inside code and HTML blocks do not count", "[markdown]") {
  const auto headings = markdown_headings(
      "# Real\n"
      "```bash\n"
      "# restart the service\n"
      "```\n"
      "~~~\n"
      "## Tilde fenced\n"
      "~~~\n"
      "\n"
      "    # indented code\n"
      "\n"
      "<div>\n"
      "# inside html\n"
      "</div>\n"
      "\n"
      "Setext inside code?\n"
      "```\n"
      "Not a heading\n"
      "---\n"
      "```\n");
  CHECK(texts(headings) == std::vector<std::string>{"Real"});
}

TEST_CASE("Headings in block quotes do not count, headings in list items do", "[markdown]") {
  const auto headings = markdown_headings(
      "> # Quoted from another runbook\n"
      "\n"
      "- # Listed\n");
  CHECK(texts(headings) == std::vector<std::string>{"Listed"});
}

TEST_CASE("Inline markup is stripped to the rendered text", "[markdown]") {
  const auto headings = markdown_headings(
      "## Run `restore.sh` *carefully* with **[the docs](https://x.example/docs)**\n"
      "## Backup &amp; Restore &#8212; &#x41;ll\n"
      "## Status ![badge](badge.svg)\n"
      "## Drain <kbd>node</kbd>\n");
  REQUIRE(headings.size() == 4);
  CHECK(headings[0].text == "Run restore.sh carefully with the docs");
  CHECK(headings[1].text == "Backup & Restore \u2014 All");
  CHECK(headings[2].text == "Status ");  // image alt text is not shown
  CHECK(headings[3].text == "Drain node");
}

TEST_CASE("GitHub slugs drop punctuation but keep '-', '_' and letters", "[markdown]") {
  CHECK(github_slug("Restore & Recovery!") == "restore--recovery");
  CHECK(github_slug("Step 1: Drain the node (v2.0)") == "step-1-drain-the-node-v20");
  CHECK(github_slug("snake_case and kebab-case") == "snake_case-and-kebab-case");
  CHECK(github_slug("Who\u2019s on call?") == "whos-on-call");
  CHECK(github_slug("\xF0\x9F\x9A\xA8 Alerts") == "-alerts");
  CHECK(github_slug("\u00DCberpr\u00FCfung der Sicherung") ==
        "\u00FCberpr\u00FCfung-der-sicherung");
}

TEST_CASE("The ASCII slug loop agrees with the Unicode pattern on every ASCII character",
          "[markdown]") {
  // A trailing "\u00E9" sends the same heading down the RE2 path.
  for (int c = 1; c < 0x80; ++c) {
    std::string heading = std::string("A") + static_cast<char>(c) + "b 9_-";
    INFO("character " << c);
    CHECK(github_slug(heading + "\u00E9") == github_slug(heading) + "\u00E9");
  }
}

TEST_CASE("GitLab slugs collapse dashes", "[markdown]") {
  CHECK(gitlab_slug("Restore & Recovery!") == "restore-recovery");
  CHECK(gitlab_slug("Step 01 - Do this") == "step-01-do-this");
  CHECK(gitlab_slug("snake_case and kebab-case") == "snake_case-and-kebab-case");
  CHECK(gitlab_slug("2024") == "anchor-2024");
  CHECK(gitlab_slug("\u00C9tat du service") == "\u00E9tat-du-service");
}

TEST_CASE("Duplicate headings are reachable through -1 and -2", "[markdown]") {
  const auto headings = markdown_headings("# Rollback\n# Rollback\n# Rollback\n");
  CHECK(has_anchor(headings, "rollback"));
  CHECK(has_anchor(headings, "rollback-1"));
  CHECK(has_anchor(headings, "rollback-2"));
  CHECK_FALSE(has_anchor(headings, "rollback-3"));
  CHECK_FALSE(has_anchor(markdown_headings("# Rollback\n"), "rollback-1"));
}

TEST_CASE("has_anchor accepts either site's slug, any case, percent-encoded", "[markdown]") {
  const auto headings = markdown_headings("# Restore & Recovery\n## \u00DCberblick\n");
  CHECK(has_anchor(headings, "restore--recovery"));  // GitHub
  CHECK(has_anchor(headings, "restore-recovery"));   // GitLab
  CHECK(has_anchor(headings, "Restore--Recovery"));
  CHECK(has_anchor(headings, "%C3%BCberblick"));
  CHECK(has_anchor(headings, "%C3%9Cberblick"));
  CHECK_FALSE(has_anchor(headings, "restore"));
  CHECK_FALSE(has_anchor(headings, ""));
  CHECK_FALSE(has_anchor(markdown_headings("```\n# restore\n```\n"), "restore"));
}

TEST_CASE("has_heading ignores case and surrounding space, not the words", "[markdown]") {
  const auto headings = markdown_headings("## Rollback plan\n### On-call  \n");
  CHECK(has_heading(headings, "rollback plan"));
  CHECK(has_heading(headings, "  ROLLBACK PLAN\t"));
  CHECK(has_heading(headings, "on-call"));
  CHECK_FALSE(has_heading(headings, "Rollback"));
  CHECK_FALSE(has_heading(headings, "On call"));
  CHECK_FALSE(has_heading(markdown_headings("~~~\n## Rollback\n~~~\n"), "Rollback"));
}

TEST_CASE("Front matter is metadata, not headings", "[markdown]") {
  SECTION("YAML: a key above the closing --- is no setext heading") {
    auto headings = markdown_headings("---\ntitle: Restore\nowner: ops\n---\n# Runbook\n");
    REQUIRE(headings.size() == 1);
    CHECK(headings[0].text == "Runbook");
  }
  SECTION("TOML and JSON front matter, CRLF lines") {
    CHECK(markdown_headings("+++\r\nRestore\r\n===\r\n+++\r\n## Contacts\r\n").size() == 1);
    CHECK(markdown_headings(";;;\n{\"a\": 1}\nRestore\n---\n;;;\n").empty());
  }
  SECTION("only at the very start, and only when closed") {
    // Not at the start: a thematic break, and the line above it a heading.
    CHECK(markdown_headings("\n---\nRestore\n---\n").size() == 1);
    // Never closed: the document as it is.
    auto open = markdown_headings("---\nRestore\n---x\n# Runbook\n");
    CHECK(open.size() == 1);
  }
}

}  // namespace markdown_test
