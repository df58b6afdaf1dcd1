#include "subprocess.hpp"

#include "i18n.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

namespace opsgate {

namespace {

struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

bool make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.fd = fds[0];
  write_end.fd = fds[1];
  return true;
}

// An error in the thread's language, with its English (error.hpp): a failing emergency proof
// quotes it.
template <typename Say>
std::unexpected<Error> fail_said(ErrorKind kind, Say&& say) {
  LocalText text = say_in_both(std::forward<Say>(say));
  return std::unexpected(Error{kind, std::move(text.text), std::nullopt, std::move(text.english)});
}

}  // namespace

std::optional<std::string> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const std::size_t colon = rest.find(':');
    const std::string_view dir = colon == 0 ? std::string_view(".") : rest.substr(0, colon);
    const std::string candidate = fmt::format("{}/{}", dir, name);
    struct stat info {};
    if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0)
      return std::filesystem::absolute(candidate).lexically_normal().string();
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

Expected<ProgramResult> run_program(const std::vector<std::string>& argv,
                                    const std::vector<std::string>& env, const std::string& input,
                                    std::chrono::milliseconds timeout) {
  if (argv.empty()) return fail(ErrorKind::internal, "run_program: no program");
  Fd in_read, in_write, out_read, out_write, err_read, err_write;
  if (!make_pipe(in_read, in_write) || !make_pipe(out_read, out_write) ||
      !make_pipe(err_read, err_write)) {
    const int error = errno;
    return fail_said(ErrorKind::unavailable,
                     [&] { return trf("cannot create pipes: {}", std::strerror(error)); });
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.fd, 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, so that a timeout kills whatever it started too.
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  std::vector<char*> args, envp;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  for (const std::string& var : env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int spawned =
      posix_spawn(&pid, argv[0].c_str(), &actions, &attributes, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0)
    return fail_said(ErrorKind::unavailable,
                     [&] { return trf("cannot run {}: {}", argv[0], std::strerror(spawned)); });
  in_read.reset();
  out_write.reset();
  err_write.reset();
  // A verifier that stops reading must not block us: the input side is non-blocking.
  ::fcntl(in_write.fd, F_SETFL, O_NONBLOCK);
  // A verifier that exits before reading all its input must not kill us: SIGPIPE is blocked in
  // this thread while writing (it is sent to the writing thread) and a pending one discarded.
  sigset_t pipe_signal, previous;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);

  ProgramResult result;
  std::size_t written = 0;
  if (input.empty()) in_write.reset();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (out_read.fd >= 0 || err_read.fd >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd fds[3];
    nfds_t count = 0;
    for (Fd* fd : {&out_read, &err_read, &in_write})
      if (fd->fd >= 0)
        fds[count++] = pollfd{fd->fd, static_cast<short>(fd == &in_write ? POLLOUT : POLLIN), 0};
    const int ready = ::poll(fds, count, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (nfds_t i = 0; i < count; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == in_write.fd) {
        const ssize_t n = ::write(in_write.fd, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 && errno != EAGAIN) written = input.size();
        if (written >= input.size()) in_write.reset();
        continue;
      }
      Fd& source = fds[i].fd == out_read.fd ? out_read : err_read;
      std::string& sink = &source == &out_read ? result.out : result.err;
      const ssize_t n = ::read(source.fd, buffer, sizeof buffer);
      if (n > 0 && sink.size() < (1u << 20))
        sink.append(buffer, static_cast<std::size_t>(n));
      else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
        source.reset();
    }
  }
  in_write.reset();
  const timespec no_wait{0, 0};
  while (sigtimedwait(&pipe_signal, nullptr, &no_wait) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  // The output may end before the program does (it closed both, or handed them to a child
  // that exited): it is still waited for only until the deadline.
  // No exit status read (waitpid failed) is never a success: a verifier's 0 means "valid".
  int status = 0;
  bool reaped = false;
  auto pause = std::chrono::microseconds(100);
  while (!result.timed_out) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) reaped = true;
    if (done == pid || (done < 0 && errno != EINTR)) break;
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= left.zero()) {
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(pause, left));
    pause = std::min(pause * 2, std::chrono::microseconds(5000));
  }
  if (result.timed_out) {
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  result.exit_status = reaped && WIFEXITED(status) && !result.timed_out ? WEXITSTATUS(status) : -1;
  return result;
}

Expected<PrivateDir> PrivateDir::create() {
  std::error_code ec;
  std::string pattern =
      (std::filesystem::temp_directory_path(ec) / "opsgate-proof-XXXXXX").string();
  if (ec || !::mkdtemp(pattern.data())) {
    const int error = ec ? ec.value() : errno;
    return fail_said(ErrorKind::unavailable, [&] {
      return trf("cannot create a temporary directory: {}", std::strerror(error));
    });
  }
  return PrivateDir(pattern);
}

PrivateDir::~PrivateDir() {
  if (m_path.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
}

Expected<std::string> PrivateDir::write(const std::string& name, const std::string& text) const {
  const std::string file = fmt::format("{}/{}", m_path, name);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    return fail_said(ErrorKind::unavailable,
                     [&] { return trf("cannot write {}: {}", file, std::strerror(error)); });
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0 && errno != EINTR) break;
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (done != text.size())
    return fail_said(ErrorKind::unavailable, [&] { return trf("cannot write {}", file); });
  return file;
}

}  // namespace opsgate
