/* The floor of a gate run: what any program that reads one file from a repository through
 * Debian's libgit2 pays (loading the libraries, git_libgit2_init, opening the repository, one
 * blob at a revision) and nothing else. tests/bench/bench.py compares opsgate with it.
 * Usage: opsgate_bench_floor REPO REV:PATH */
#include <git2.h>
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s REPO REV:PATH\n", argv[0]);
    return 2;
  }
  git_libgit2_init();
  git_repository* repo = NULL;
  git_object* object = NULL;
  int rc = 2;
  if (git_repository_open_ext(&repo, argv[1], 0, NULL) == 0 &&
      git_revparse_single(&object, repo, argv[2]) == 0 &&
      git_object_type(object) == GIT_OBJECT_BLOB) {
    const git_blob* blob = (const git_blob*)object;
    size_t size = (size_t)git_blob_rawsize(blob);
    rc = fwrite(git_blob_rawcontent(blob), 1, size, stdout) == size ? 0 : 2;
  } else {
    const git_error* error = git_error_last();
    fprintf(stderr, "%s\n", error ? error->message : "not a blob");
  }
  git_object_free(object);
  git_repository_free(repo);
  git_libgit2_shutdown();
  return rc;
}
