#include "explore/worker_pool.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"

namespace xdet::explore {

namespace {

std::string clean_field(std::string s) {
  for (char& c : s) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

struct Worker {
  pid_t pid = -1;
  int to_fd = -1;
  int from_fd = -1;
  bool busy = false;
  uint64_t seed = 0;
  std::string buffer;
};

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(ExitCode::kInternal, fmt::format("writing to an explore worker failed: {}", std::strerror(errno)));
    off += static_cast<size_t>(n);
  }
}

Worker spawn(const std::vector<std::string>& argv) {
  int to[2], from[2];
  if (::pipe(to) != 0 || ::pipe(from) != 0) {
    throw Error(ExitCode::kInternal, fmt::format("pipe: {}", std::strerror(errno)));
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw Error(ExitCode::kInternal, fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    ::dup2(to[0], 0);
    ::dup2(from[1], 1);
    ::close(to[0]);
    ::close(to[1]);
    ::close(from[0]);
    ::close(from[1]);
    ::execv("/proc/self/exe", args.data());
    std::fprintf(stderr, "xdet explore: cannot start a worker: %s\n", std::strerror(errno));
    ::_exit(70);
  }
  ::close(to[0]);
  ::close(from[1]);
  Worker w;
  w.pid = pid;
  w.to_fd = to[1];
  w.from_fd = from[0];
  return w;
}

}  // namespace

std::string format_outcome_line(const ScheduleOutcome& o) {
  return fmt::format("{}\t{}\t{}\t{}\t{}\n", o.seed, failure_kind_name(o.kind), o.exit_code, clean_field(o.signature),
                     clean_field(o.detail));
}

bool parse_outcome_line(const std::string& line, ScheduleOutcome* o) {
  std::vector<std::string> f;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  if (f.size() != 5) return false;
  char* end = nullptr;
  o->seed = std::strtoull(f[0].c_str(), &end, 10);
  if (f[0].empty() || *end) return false;
  if (!parse_failure_kind(f[1], &o->kind)) return false;
  o->exit_code = static_cast<int>(std::strtol(f[2].c_str(), &end, 10));
  if (f[2].empty() || *end) return false;
  o->signature = f[3];
  o->detail = f[4];
  return true;
}

int serve_worker(const RunSpec& spec, std::FILE* in, std::FILE* out) {
  char line[64];
  while (std::fgets(line, sizeof line, in)) {
    char* end = nullptr;
    uint64_t seed = std::strtoull(line, &end, 10);
    if (end == line) continue;
    ScheduleOutcome o = run_schedule(spec, seed);
    std::string s = format_outcome_line(o);
    std::fwrite(s.data(), 1, s.size(), out);
    std::fflush(out);
  }
  return 0;
}

uint64_t run_pool(const PoolOptions& opts) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto out_of_time = [&] {
    return opts.time_budget_s > 0 &&
           std::chrono::duration<double>(Clock::now() - start).count() >= opts.time_budget_s;
  };
  ::signal(SIGPIPE, SIG_IGN);
  uint64_t total = opts.last_seed - opts.first_seed + 1;
  unsigned jobs = static_cast<unsigned>(std::max<uint64_t>(1, std::min<uint64_t>(opts.jobs, total)));
  std::vector<Worker> workers;
  for (unsigned i = 0; i < jobs; ++i) workers.push_back(spawn(opts.worker_argv));

  uint64_t next = opts.first_seed;
  bool exhausted = false;
  uint64_t done = 0;
  auto hand_out = [&](Worker& w) {
    if (exhausted || out_of_time()) {
      exhausted = true;
      return;
    }
    w.busy = true;
    w.seed = next;
    write_all(w.to_fd, fmt::format("{}\n", next));
    if (next == opts.last_seed) exhausted = true;
    else ++next;
  };
  auto shut_down = [&]() {
    for (Worker& w : workers) {
      if (w.to_fd >= 0) ::close(w.to_fd);
      w.to_fd = -1;
    }
    for (Worker& w : workers) {
      if (w.from_fd >= 0) ::close(w.from_fd);
      int status = 0;
      while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  };
  try {
    for (Worker& w : workers) hand_out(w);
    for (;;) {
      std::vector<pollfd> fds;
      std::vector<size_t> who;
      for (size_t i = 0; i < workers.size(); ++i) {
        if (!workers[i].busy) continue;
        fds.push_back(pollfd{workers[i].from_fd, POLLIN, 0});
        who.push_back(i);
      }
      if (fds.empty()) break;
      int n = ::poll(fds.data(), fds.size(), -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw Error(ExitCode::kInternal, fmt::format("poll: {}", std::strerror(errno)));
      }
      for (size_t k = 0; k < fds.size(); ++k) {
        if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        Worker& w = workers[who[k]];
        char buf[4096];
        ssize_t got = ::read(w.from_fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
          throw Error(ExitCode::kInternal,
                      fmt::format("explore worker {} ended while running seed {} (replay it with xdet run "
                                  "--schedule-seed {})",
                                  w.pid, w.seed, w.seed));
        }
        w.buffer.append(buf, static_cast<size_t>(got));
        size_t nl;
        while ((nl = w.buffer.find('\n')) != std::string::npos) {
          std::string line = w.buffer.substr(0, nl);
          w.buffer.erase(0, nl + 1);
          ScheduleOutcome o;
          if (!parse_outcome_line(line, &o) || !w.busy || o.seed != w.seed) {
            throw Error(ExitCode::kInternal, fmt::format("explore worker {} answered garbage: {}", w.pid, line));
          }
          w.busy = false;
          ++done;
          if (opts.on_result) opts.on_result(o);
          hand_out(w);
        }
      }
    }
  } catch (...) {
    for (Worker& w : workers) ::kill(w.pid, SIGTERM);
    shut_down();
    throw;
  }
  shut_down();
  return done;
}

}  // namespace xdet::explore
