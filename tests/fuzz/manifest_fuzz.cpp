// Fuzz target `manifest`: the input is the text of an operability.toml. It goes through
// parse_manifest (toml++, the `schema` check, the schema 1 table, the release-window checks) and,
// when it parses, through evaluation against the baseline pack in a fixed small repository, with
// and without the sample manifest as the change's base. A syntax error or an unsupported schema
// is an expected Error; an exception, a crash or a broken invariant is a bug.

#include "fuzz_support.hpp"
#include "manifest.hpp"
#include "tree.hpp"

using namespace opsgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  auto manifest = parse_manifest(text, "operability.toml", hash_blob(text));
  if (!manifest) {
    if (manifest.error().message.empty()) fuzz::violated("an Error without a message");
    return 0;
  }
  if (!manifest->dir.empty()) fuzz::violated("the manifest directory is wrong");
  for (const SchemaProblem& problem : manifest->problems)
    if (problem.message.empty() || problem.where.path != manifest->path)
      fuzz::violated("a schema problem without a message or outside the manifest", problem.message);
  (void)manifest->service_name();
  (void)manifest->tier();

  fuzz::evaluate_in_sample_world(*manifest, fuzz::baseline_rules());
  fuzz::evaluate_in_sample_world(*manifest, fuzz::baseline_rules(), "staging");

  // As the head of a change whose base is the sample manifest (GATE-WAIVER-ADDED).
  static const Manifest base = [] {
    auto parsed = parse_manifest(fuzz::sample_manifest_text(), "operability.toml", "base");
    if (!parsed) fuzz::violated("the sample manifest does not parse", parsed.error().message);
    return std::move(*parsed);
  }();
  EvalContext context;
  context.at = fuzz::sample_instant();
  context.tree = &fuzz::sample_tree();
  context.emergency = "fuzzing";
  context.min_level = 3;
  HeadingCache headings;
  evaluate_manifest(*manifest, fuzz::baseline_rules(), context, headings, &base);
  return 0;
}
