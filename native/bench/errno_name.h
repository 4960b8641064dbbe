// Errno names (ECONNREFUSED) for the load generator's messages. The names come from Node's table
// (os.constants.errno), handed over once when the addon loads: glibc's strerrorname_np needs glibc 2.32.
#pragma once
#include <string>
#include <vector>

namespace bench {

// names[errno] is that errno's name, or empty. Set before any worker thread starts.
void set_errno_names(std::vector<std::string> names);

// "ECONNREFUSED", or empty for a number without a name (or before the names are set).
std::string errno_name(int err);

// "ECONNREFUSED (Connection refused)", or "errno 512 (Unknown error 512)" for a number without a name.
std::string errno_words(int err);

}  // namespace bench
