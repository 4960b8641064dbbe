// CPU affinity for the load generator's neighbours: which CPUs we may use, and pinning every thread of
// another process (a server under test) to a set of CPUs.
#pragma once
#include <vector>

namespace bench {

// The CPUs this process may run on (sched_getaffinity), ascending.
std::vector<int> allowed_cpus();
// Pins every thread of `pid` (each entry of /proc/PID/task) to `cpus`. Returns the number of threads
// pinned, or -errno when none could be.
int pin_process(int pid, const std::vector<int>& cpus);

}  // namespace bench
