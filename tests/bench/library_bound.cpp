// The fixed libraries' share of a check: what libgit2 and toml++ alone cost for the reading and
// parsing every `opsgate check` must do, with none of opsgate's own work (no schema check, no
// rule evaluation, no history, no markdown, no report). tests/bench/bench.py prints it beside
// opsgate so that the gap between a target and the libraries' own cost is measured, not argued.
//
// It does, as opsgate check does: libgit2's CA bundle parse skipped (cli/tls_deferral.hpp), its
// caches and hash checks set as gate/git_handles.hpp sets them; the repository opened, HEAD's
// tree read; every *.toml of RULES_DIR parsed with toml++; the manifests found (every
// operability.toml of the tree, the root one included) and, for each, its blob read and
// parsed with toml++ and the blob at its [runbook] path read; manifests handed to one thread per
// CPU (each with its own repository handle) as the search (git_tree_walk, one thread) finds them.
//
// Usage: opsgate_bench_library_bound REPO RULES_DIR
// Prints "in process after libgit2 init X ms, N manifests, M runbooks" on stderr; exit 2 on
// anything it could not read.
#include <git2.h>

#include <toml++/toml.h>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "tls_deferral.hpp"

namespace {

// Ends the process from any thread (no static destructor runs under the others' feet).
[[noreturn]] void die(const std::string& what) {
  const git_error* error = git_error_last();
  std::fprintf(stderr, "library_bound: %s%s%s\n", what.c_str(), error ? ": " : "",
               error ? error->message : "");
  std::_Exit(2);
}

// A file find() would list: regular or executable, not a symlink or a submodule.
bool is_file(const git_tree_entry* entry) {
  const git_filemode_t mode = git_tree_entry_filemode(entry);
  return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

// The blob at `path` of `tree`, or nothing when there is none.
std::optional<std::string> read_blob(git_repository* repo, git_tree* tree,
                                     const std::string& path) {
  git_tree_entry* entry = nullptr;
  if (git_tree_entry_bypath(&entry, tree, path.c_str()) != 0) return std::nullopt;
  git_blob* blob = nullptr;
  const int found = git_blob_lookup(&blob, repo, git_tree_entry_id(entry));
  git_tree_entry_free(entry);
  if (found != 0) return std::nullopt;
  std::string text(static_cast<const char*>(git_blob_rawcontent(blob)),
                   static_cast<std::size_t>(git_blob_rawsize(blob)));
  git_blob_free(blob);
  return text;
}

// Debian's toml++ is built with exceptions: a parse error is thrown.
toml::table parse(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    die(source + ": " + std::string(error.description()));
  }
}

git_tree* head_tree(git_repository* repo) {
  git_object* object = nullptr;
  if (git_revparse_single(&object, repo, "HEAD^{tree}") != 0) die("no tree at HEAD");
  return reinterpret_cast<git_tree*>(object);
}

struct Queue {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::string> paths;
  bool closed = false;

  void push(std::string path) {
    {
      std::lock_guard lock(mutex);
      paths.push_back(std::move(path));
    }
    ready.notify_one();
  }
  void close() {
    {
      std::lock_guard lock(mutex);
      closed = true;
    }
    ready.notify_all();
  }
  std::optional<std::string> take() {
    std::unique_lock lock(mutex);
    ready.wait(lock, [&] { return closed || !paths.empty(); });
    if (paths.empty()) return std::nullopt;
    std::string path = std::move(paths.front());
    paths.pop_front();
    return path;
  }
};

struct Counts {
  std::size_t manifests = 0;
  std::size_t runbooks = 0;
};

// Reads and parses the manifests taken from `queue` through a repository handle of its own.
Counts work(const char* repo_path, Queue& queue) {
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, repo_path, 0, nullptr) != 0) die("cannot open repository");
  git_tree* tree = head_tree(repo);
  Counts counts;
  while (auto path = queue.take()) {
    auto text = read_blob(repo, tree, *path);
    if (!text) die("cannot read " + *path);
    toml::table parsed = parse(*text, *path);
    ++counts.manifests;
    if (auto runbook = parsed["runbook"]["path"].value<std::string>()) {
      // Relative to the manifest, or to the root with a leading '/'; no anchor. ("..", which
      // opsgate folds, is read as written: none of the benchmark's manifests uses it.)
      std::string target = runbook->substr(0, runbook->find('#'));
      if (!target.empty() && target.front() == '/') {
        target.erase(0, 1);
      } else {
        const std::size_t slash = path->rfind('/');
        target.insert(0, slash == std::string::npos ? "" : path->substr(0, slash + 1));
      }
      if (read_blob(repo, tree, target)) ++counts.runbooks;
    }
  }
  git_tree_free(tree);
  git_repository_free(repo);
  return counts;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s REPO RULES_DIR\n", argv[0]);
    return 2;
  }
  opsgate::cli::CaBundleDeferral deferral;
  git_libgit2_init();
  // libgit2 configured as opsgate configures it (gate/git_handles.hpp), or the bound would
  // count costs opsgate does not pay.
  git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, static_cast<ssize_t>(8u << 20));
  git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, std::size_t{1} << 20);
  git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  const auto start = std::chrono::steady_clock::now();

  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, argv[1], 0, nullptr) != 0) die("cannot open repository");
  git_tree* tree = head_tree(repo);

  std::vector<std::filesystem::path> rule_files;
  std::error_code listed;
  for (std::filesystem::directory_iterator it(argv[2], listed), end; !listed && it != end;
       it.increment(listed))
    if (it->is_regular_file() && it->path().extension() == ".toml")
      rule_files.push_back(it->path());
  if (listed) die(std::string("cannot list ") + argv[2] + ": " + listed.message());
  std::sort(rule_files.begin(), rule_files.end());
  for (const auto& file : rule_files) {
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    parse(text, file.string());
  }

  Queue queue;
  const unsigned threads = std::max(1U, std::thread::hardware_concurrency());
  std::vector<Counts> counts(threads);
  std::vector<std::thread> workers;
  for (unsigned i = 1; i < threads; ++i)
    workers.emplace_back([&, i] { counts[i] = work(argv[1], queue); });

  // Every operability.toml of the tree, as opsgate judges every one (a root manifest does
  // not hide the services below it).
  auto found = [](const char* root, const git_tree_entry* entry, void* payload) -> int {
    if (is_file(entry) && std::string_view(git_tree_entry_name(entry)) == "operability.toml")
      static_cast<Queue*>(payload)->push(std::string(root) + "operability.toml");
    return 0;
  };
  if (git_tree_walk(tree, GIT_TREEWALK_PRE, found, &queue) != 0) die("cannot walk HEAD");
  queue.close();
  counts[0] = work(argv[1], queue);
  for (std::thread& worker : workers) worker.join();

  Counts total;
  for (const Counts& each : counts) {
    total.manifests += each.manifests;
    total.runbooks += each.runbooks;
  }
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;
  std::fprintf(stderr, "in process after libgit2 init %.3f ms, %zu manifests, %zu runbooks\n",
               elapsed.count(), total.manifests, total.runbooks);
  git_tree_free(tree);
  git_repository_free(repo);
  git_libgit2_shutdown();
  return total.manifests == 0 ? 2 : 0;
}
