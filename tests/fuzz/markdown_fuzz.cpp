// Fuzz target `markdown`: the input is a Markdown document (a runbook). Its headings are
// extracted with md4c, slugged the GitHub and GitLab way and looked up as anchors and sections:
// by their own text and slugs (which must be found), and by the document's first line taken as
// an anchor or a section name (percent-decoding, arbitrary bytes). Bytes that are not UTF-8 are
// expected; a crash, an exception or a broken invariant is a bug.

#include "fuzz_support.hpp"
#include "markdown.hpp"

using namespace opsgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view document = fuzz::as_text(data, size);
  const std::vector<Heading> headings = markdown_headings(document);

  for (const Heading& heading : headings) {
    if (heading.level < 1 || heading.level > 6) fuzz::violated("a heading level outside 1..6");
    const std::string github = github_slug(heading.text);
    const std::string gitlab = gitlab_slug(heading.text);
    if (github.find(' ') != std::string::npos || gitlab.find(' ') != std::string::npos)
      fuzz::violated("a slug with a space", heading.text);
    if (gitlab.find("--") != std::string::npos) fuzz::violated("a GitLab slug with '--'", gitlab);
    if (!has_heading(headings, heading.text)) fuzz::violated("a heading not found", heading.text);
    // The first heading keeps its slug unsuffixed, so that slug names an anchor. Not for text
    // that is not UTF-8: its stray bytes are kept as they are, and dropping the punctuation
    // between two of them can join them into a letter that lowercases again.
    if (&heading != &headings.front() || !fuzz::is_utf8(heading.text)) continue;
    if (!github.empty() && !has_anchor(headings, github))
      fuzz::violated("the first heading's GitHub slug is not an anchor", github);
    if (!gitlab.empty() && !has_anchor(headings, gitlab))
      fuzz::violated("the first heading's GitLab slug is not an anchor", gitlab);
  }

  const std::string_view first_line = document.substr(0, document.find('\n'));
  (void)has_anchor(headings, first_line);
  (void)has_heading(headings, first_line);
  (void)has_anchor(headings, {});
  return 0;
}
