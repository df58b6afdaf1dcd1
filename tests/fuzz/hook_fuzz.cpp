// Fuzz target `hook`: the input is what git writes on a hook's stdin, read as pre-push lines
// when its first byte is even and as pre-receive lines otherwise. Either it is refused with a
// usage error naming a line, or every update has the fields the kind promises; the plan then
// sorts each update into checked or skipped exactly once, deletions and notes never checked.

#include "fuzz_support.hpp"
#include "push.hpp"

using namespace opsgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const HookKind kind = data[0] % 2 == 0 ? HookKind::pre_push : HookKind::pre_receive;
  const std::string_view text = fuzz::as_text(data + 1, size - 1);
  auto updates = parse_ref_updates(text, kind);
  if (!updates) {
    if (updates.error().kind != ErrorKind::usage) fuzz::violated("a refusal that is not usage");
    if (updates.error().message.find("stdin line ") != 0)
      fuzz::violated("a refusal that names no line", updates.error().message);
    return 0;
  }
  for (const RefUpdate& update : *updates) {
    if (update.ref.empty() || update.old_id.empty() || update.new_id.empty())
      fuzz::violated("an update with an empty field");
    if ((kind == HookKind::pre_push) == update.source.empty())
      fuzz::violated("a source ref where the kind has none, or none where it has one");
  }
  // Globs from the input's first line, as --refs would give them.
  std::vector<std::string> globs;
  if (const std::size_t newline = text.find('\n');
      newline != std::string_view::npos && newline < 64)
    globs.emplace_back(text.substr(0, newline));
  const PushPlan plan = plan_push(*updates, globs);
  if (plan.checked.size() + plan.skipped.size() != updates->size())
    fuzz::violated("an update neither checked nor skipped, or both");
  for (const RefUpdate& update : plan.checked) {
    if (is_zero_id(update.new_id)) fuzz::violated("a deletion checked");
    if (update.ref.starts_with("refs/notes/")) fuzz::violated("a notes ref checked");
    if (!ref_selected(globs, update.ref)) fuzz::violated("a ref --refs leaves out, checked");
  }
  return 0;
}
