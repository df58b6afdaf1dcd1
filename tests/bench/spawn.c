/* Runs a command once and prints "WALL_MICROSECONDS PEAK_RSS_KIB EXIT_STATUS CPU_MICROSECONDS".
 * CPU is the user + system time of the command and its threads (wait4's rusage): unlike wall
 * time, it hardly grows while other programs load the machine, so a before/after comparison on
 * a busy machine reads it.
 * The peak comes from wait4(): Linux carries the parent's resident size across fork+exec into
 * the child's ru_maxrss, so a Python driver would inflate every figure to its own ~15 MiB; this
 * launcher is small enough not to. stdout and stderr of the command go to /dev/null unless
 * BENCH_STDERR names a file for stderr.
 * Usage: opsgate_bench_spawn COMMAND [ARGS...] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s COMMAND [ARGS...]\n", argv[0]);
    return 2;
  }
  const char* stderr_file = getenv("BENCH_STDERR");
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 2;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    int err = stderr_file ? open(stderr_file, O_WRONLY | O_CREAT | O_TRUNC, 0644) : null;
    dup2(null, 0);
    dup2(null, 1);
    dup2(err, 2);
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  int status = 0;
  struct rusage usage;
  if (wait4(pid, &status, 0, &usage) < 0) {
    perror("wait4");
    return 2;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  long long micros = (long long)(end.tv_sec - start.tv_sec) * 1000000LL +
                     (end.tv_nsec - start.tv_nsec) / 1000;
  long long cpu = (long long)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL +
                  usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
  printf("%lld %ld %d %lld\n", micros, usage.ru_maxrss,
         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), cpu);
  return 0;
}
