// The service manager's readiness protocol (sd_notify(3)): one datagram of "KEY=value" lines sent to
// the AF_UNIX socket named by $NOTIFY_SOCKET. Written here because Node has no unix datagram sockets.
#pragma once
#include <string>

namespace systemd {

// Sends `message` to `socket_path` ("/run/..." or "@name" for the abstract namespace). Returns 0 or
// -errno (-EINVAL for a path that cannot be a unix socket address).
int notify(const std::string& socket_path, const std::string& message);

}  // namespace systemd
