#pragma once
// "When did this file last change?" in the first-parent history of the evaluated revision.
// The walk stops at the cutoff date, so the cost depends on the commits inside the window,
// not on the length of history; one walk serves every path of every manifest.

#include <cstdint>
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
    reverted,   // last changed in `commit` at `when`, back to its content at the cutoff (`since`)
  };
  Kind kind = Kind::absent;
  std::string commit;  // 40-hex
  Seconds when{};
  // reverted: the first commit before the cutoff, whose content the file is back to. shallow:
  // the change inside the window, when one was found before the history ended (whether it was
  // undone is unknown).
  std::string since;
};

// Who made a commit: what evidence and provenance cite.
struct CommitRef {
  std::string commit;  // 40-hex
  std::string author;  // the author's name (email when the name is empty)
  std::string email;
  Seconds when{};
};

// The commit that last changed one line of a file; no commit when blame could not attribute
// the line (history cut by a shallow or partial clone, an object missing).
struct LineOrigin {
  std::optional<CommitRef> origin;
};

class History {
 public:
  virtual ~History() = default;
  // The last change of `path` not before `cutoff`, net of the window: a file changed and then
  // restored to the content it had at the cutoff (deleted and restored, edited and reverted)
  // is `reverted`, not changed.
  virtual Expected<FileChange> last_change(std::string_view path, Seconds cutoff) = 0;
  // The last change of `path` however old, for the evidence a freshness finding cites: an
  // error here is only "unknown", never damage (evidence must not change a verdict).
  virtual Expected<FileChange> last_change_ever(std::string_view path) {
    return last_change(path, Seconds{std::chrono::seconds{-(std::int64_t{1} << 40)}});
  }
  // Who made `commit` (author), for evidence; an error is "unknown", never damage.
  virtual Expected<CommitRef> describe(std::string_view commit) = 0;
  // The commit that last changed each of the lines `first`..`last` (1-based, inclusive) of
  // `path` at the revision, over the whole history (merges followed into the side that brought
  // the line, like `git blame`). An error is "unknown", never damage. `bounded`: a file
  // unchanged for longer than a bounded search of the history is an error (provenance); a
  // signed waiver's proof is searched without bound.
  virtual Expected<std::vector<LineOrigin>> blame(std::string_view path, std::size_t first,
                                                  std::size_t last, bool bounded) = 0;
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
    std::string author = "Test Author";
  };
  explicit MemoryHistory(std::vector<Commit> newest_first, bool shallow = false)
      : m_commits(std::move(newest_first)), m_shallow(shallow) {}
  Expected<FileChange> last_change(std::string_view path, Seconds cutoff) override;
  Expected<CommitRef> describe(std::string_view commit) override;
  // No line history in memory: blame is unknown.
  Expected<std::vector<LineOrigin>> blame(std::string_view path, std::size_t first,
                                          std::size_t last, bool bounded) override;

 private:
  std::vector<Commit> m_commits;
  bool m_shallow;
};

}  // namespace opsgate
