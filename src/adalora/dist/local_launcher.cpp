// Local multi-process launch (see local_launcher.h).
#include "adalora/dist/local_launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "adalora/core/error.h"

extern char** environ;

namespace adalora::dist {
namespace {

const char* const kRankVariables[] = {"RANK",        "WORLD_SIZE",       "LOCAL_RANK",
                                      "MASTER_ADDR", "MASTER_PORT",      "LOCAL_WORLD_SIZE",
                                      "GROUP_RANK",  "TORCHELASTIC_RUN_ID"};

// The parent's environment without the rank variables, plus this rank's.
std::vector<std::string> rank_environment(int64_t rank, int64_t world, int port) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool ours = false;
    for (const char* v : kRankVariables) ours = ours || name == v;
    if (!ours) out.push_back(entry);
  }
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"RANK", std::to_string(rank)},
                                                        {"LOCAL_RANK", std::to_string(rank)},
                                                        {"WORLD_SIZE", std::to_string(world)},
                                                        {"LOCAL_WORLD_SIZE", std::to_string(world)},
                                                        {"MASTER_ADDR", "127.0.0.1"},
                                                        {"MASTER_PORT", std::to_string(port)}}) {
    out.push_back(name + "=" + value);
  }
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string tail_of(const std::string& path, size_t max_lines) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  std::ostringstream out;
  for (size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size(); ++i) {
    out << "  | " << lines[i] << "\n";
  }
  return out.str();
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) return str_cat("was killed by signal ", WTERMSIG(status));
  return str_cat("exited with code ", exit_code_of(status));
}

}  // namespace

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ADALORA_CHECK(fd >= 0, "distributed: free_port: cannot open a socket: ", std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  ADALORA_CHECK(ok, "distributed: free_port: cannot bind 127.0.0.1:0: ", std::strerror(errno));
  return ntohs(addr.sin_port);
}

int launch_local(const std::vector<std::string>& argv, const LaunchOptions& options) {
  ADALORA_CHECK(!argv.empty(), "distributed: launch: expected a command, got none");
  ADALORA_CHECK(options.nproc >= 1, "distributed: --nproc-per-node: expected ≥ 1, got ",
                options.nproc);
  ADALORA_CHECK(!options.log_dir.empty(), "distributed: launch: log_dir: expected a folder");
  std::filesystem::create_directories(options.log_dir);
  const int port = options.master_port > 0 ? options.master_port : free_port();

  std::vector<pid_t> pids;
  std::vector<std::string> logs;
  for (int64_t rank = 0; rank < options.nproc; ++rank) {
    // Everything the child needs is built before fork: only exec-safe calls after it.
    std::vector<std::string> args = argv, env = rank_environment(rank, options.nproc, port);
    std::vector<char*> arg_ptrs = pointers(args), env_ptrs = pointers(env);
    logs.push_back(rank == 0 ? "" : options.log_dir + "/rank_" + std::to_string(rank) + ".log");
    const std::string& log = logs.back();
    const pid_t pid = ::fork();
    ADALORA_CHECK(pid >= 0, "distributed: launch: cannot start rank ", rank, ": ",
                  std::strerror(errno));
    if (pid == 0) {
      if (!log.empty()) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
          ::dup2(fd, STDOUT_FILENO);
          ::dup2(fd, STDERR_FILENO);
          ::close(fd);
        }
        const int null_in = ::open("/dev/null", O_RDONLY);
        if (null_in >= 0) ::dup2(null_in, STDIN_FILENO);
      }
      ::execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
      ::_exit(127);
    }
    pids.push_back(pid);
  }

  std::vector<bool> done(pids.size(), false);
  int first_failure = 0;
  size_t remaining = pids.size();
  auto deadline = std::chrono::steady_clock::time_point::max();
  bool terminated = false;
  while (remaining > 0) {
    for (size_t i = 0; i < pids.size(); ++i) {
      if (done[i]) continue;
      int status = 0;
      if (::waitpid(pids[i], &status, WNOHANG) != pids[i]) continue;
      done[i] = true;
      --remaining;
      const int code = exit_code_of(status);
      if (code != 0 && first_failure == 0) {
        first_failure = code;
        std::cerr << "\nrank " << i << " " << describe(status);
        if (!logs[i].empty()) std::cerr << "; the end of " << logs[i] << ":\n" << tail_of(logs[i], 20);
        std::cerr << "\n" << std::flush;
        deadline = std::chrono::steady_clock::now() + options.grace;
      } else if (code != 0 && !logs[i].empty()) {
        std::cerr << "rank " << i << " " << describe(status) << " (log: " << logs[i] << ")\n";
      }
    }
    if (remaining > 0 && std::chrono::steady_clock::now() > deadline) {
      // The survivors did not notice within the grace period: stop them (TERM, then KILL).
      for (size_t i = 0; i < pids.size(); ++i) {
        if (!done[i]) ::kill(pids[i], terminated ? SIGKILL : SIGTERM);
      }
      deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      terminated = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return first_failure;
}

}  // namespace adalora::dist
