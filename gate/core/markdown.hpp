#pragma once
// Headings of Markdown documents and the anchors GitHub and GitLab give them, so that rules can
// require a runbook section ("Rollback") or check that a link such as "runbook.md#restore"
// lands on a real heading.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsgate {

struct Heading {
  int level;         // 1..6
  std::string text;  // plain text as rendered: `code`, *em*, [link](x) keep their text only
};

// Every ATX and setext heading of a CommonMark/GFM document, in order, parsed by md4c so that
// "# lines" inside fenced or indented code and HTML blocks never count. Headings inside block
// quotes do not count either: a quoted heading is an excerpt, not a section of this document
// (GitHub still gives it an anchor, so a link to it reads as broken). Headings inside list items
// count. Image alt text and raw inline HTML tags contribute nothing, as in the rendered page.
// Front matter (a first line `---`, `+++` or `;;;` up to the same line again) is metadata, as
// GitHub and GitLab render it: nothing in it is a heading.
std::vector<Heading> markdown_headings(std::string_view document);

// GitHub's anchor slug (github-slugger): lowercase, drop everything but letters, marks, digits,
// '_', '-' and ' ', then ' ' -> '-'. "Restore & Recovery!" -> "restore--recovery".
// Non-ASCII letters are kept and lowercased ("Überblick" -> "überblick").
std::string github_slug(std::string_view heading);

// GitLab's anchor slug: as GitHub's, then runs of '-' collapse to one and an all-digit slug
// gains an "anchor-" prefix. "Restore & Recovery!" -> "restore-recovery", "2024" -> "anchor-2024".
std::string gitlab_slug(std::string_view heading);

// True when `anchor` (without '#', percent-decoded, compared case-insensitively) is the GitHub
// or GitLab anchor of one of `headings`, including the "-1", "-2" suffixes both append to
// duplicate slugs. An empty anchor names nothing.
bool has_anchor(const std::vector<Heading>& headings, std::string_view anchor);

// The anchors of `headings` as GitHub gives them, in order, duplicates numbered ("-1", "-2"):
// what a message lists when an anchor names none of them.
std::vector<std::string> heading_anchors(const std::vector<Heading>& headings);

// The GitHub or GitLab anchor of `headings` a typo away from `anchor` (percent-decoded), if one
// is (base/suggest's closest_match).
std::optional<std::string> closest_anchor(const std::vector<Heading>& headings,
                                          std::string_view anchor);

// True when a heading's text equals `section`, both trimmed, compared case-insensitively.
bool has_heading(const std::vector<Heading>& headings, std::string_view section);

}  // namespace opsgate
