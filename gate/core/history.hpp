#pragma once
// "When did this file last change?" in the first-parent history of the evaluated revision.
// The walk stops at the cutoff date, so the cost depends on the commits inside the window,
// not on the length of history; one walk serves every path of every manifest.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "timeutil.hpp"

namespace opsgate {

struct FileChange {
  enum class Kind {
    changed,    // last changed in `commit` at `when`, not before the cutoff
    unchanged,  // the same content since before the cutoff
    shallow,    // history ends at `commit` (a shallow clone) before the cutoff is reached
    absent,     // no such file at the revision
  };
  Kind kind = Kind::absent;
  std::string commit;  // 40-hex
  Seconds when{};
};

class History {
 public:
  virtual ~History() = default;
  virtual Expected<FileChange> last_change(std::string_view path, Seconds cutoff) = 0;
  // A hint: the chain back to `cutoff` will be needed; an implementation may start loading it
  // in the background. Answers are the same with or without it.
  virtual void prefetch(Seconds /*cutoff*/) {}
  // The first error last_change() returned (an object the history names and the repository
  // cannot read): the operators can only turn it into a message, and whoever runs them must
  // not turn that into a verdict.
  virtual std::optional<Error> damage() const { return std::nullopt; }
};

// For unit tests: a first-parent chain given newest first, each commit with its files' blobs.
class MemoryHistory final : public History {
 public:
  struct Commit {
    std::string id;
    Seconds when;
    std::vector<std::pair<std::string, std::string>> blobs;  // path -> content id
  };
  explicit MemoryHistory(std::vector<Commit> newest_first, bool shallow = false)
      : m_commits(std::move(newest_first)), m_shallow(shallow) {}
  Expected<FileChange> last_change(std::string_view path, Seconds cutoff) override;

 private:
  std::vector<Commit> m_commits;
  bool m_shallow;
};

}  // namespace opsgate
