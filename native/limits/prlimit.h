// Resource limits of any process through prlimit(2): what util-linux `prlimit --pid` does, for Node,
// which has no API for another process's limits. Plain C++; values keep RLIM_INFINITY as "unlimited".
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace limits {

struct Limit {
  uint64_t soft = 0;
  uint64_t hard = 0;
};

inline constexpr uint64_t kUnlimited = ~uint64_t{0};

// The RLIMIT_* number for a resource named as in util-linux prlimit (nofile, memlock, nproc, ...).
std::optional<int> resource_by_name(std::string_view name);

// Reads pid's limit (pid 0 = this process). Returns 0 or -errno (ESRCH, EPERM).
int get(pid_t pid, int resource, Limit& out);

// Sets pid's limit atomically and returns the limit it replaced in `before`. Returns 0 or -errno:
// EINVAL soft > hard, EPERM raising hard without CAP_SYS_RESOURCE / other user's process / nofile
// above fs.nr_open, ESRCH no such process. On failure the limit is unchanged (the kernel's guarantee).
int set(pid_t pid, int resource, const Limit& want, Limit& before);

long page_size();

}  // namespace limits
