#include "limits/prlimit.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

namespace limits {

namespace {

struct ResourceName {
  std::string_view name;
  int resource;
};

// The one table of RLIMIT numbers: they differ between architectures, so they come from the C library.
constexpr ResourceName kResources[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

uint64_t from_rlim(rlim_t value) { return value == RLIM_INFINITY ? kUnlimited : static_cast<uint64_t>(value); }
rlim_t to_rlim(uint64_t value) { return value == kUnlimited ? RLIM_INFINITY : static_cast<rlim_t>(value); }

}  // namespace

std::optional<int> resource_by_name(std::string_view name) {
  for (const auto& entry : kResources)
    if (entry.name == name) return entry.resource;
  return std::nullopt;
}

int get(pid_t pid, int resource, Limit& out) {
  struct rlimit old {};
  if (prlimit(pid, static_cast<__rlimit_resource>(resource), nullptr, &old) != 0) return -errno;
  out = {from_rlim(old.rlim_cur), from_rlim(old.rlim_max)};
  return 0;
}

int set(pid_t pid, int resource, const Limit& want, Limit& before) {
  struct rlimit next {to_rlim(want.soft), to_rlim(want.hard)};
  struct rlimit old {};
  if (prlimit(pid, static_cast<__rlimit_resource>(resource), &next, &old) != 0) return -errno;
  before = {from_rlim(old.rlim_cur), from_rlim(old.rlim_max)};
  return 0;
}

long page_size() { return sysconf(_SC_PAGESIZE); }

}  // namespace limits
