#include "systemd/notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace systemd {

int notify(const std::string& socket_path, const std::string& message) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  bool abstract = !socket_path.empty() && socket_path[0] == '@';
  if (socket_path.size() < 2 || (socket_path[0] != '/' && !abstract) || socket_path.size() >= sizeof(address.sun_path))
    return -EINVAL;
  std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
  // The abstract namespace is spelled '@' by systemd and starts with a NUL byte on the wire; its
  // length is exact (no terminating NUL).
  if (abstract) address.sun_path[0] = '\0';
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path.size() + (abstract ? 0 : 1));

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  ssize_t sent = sendto(fd, message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&address), length);
  int err = sent < 0 ? errno : 0;
  close(fd);
  return -err;
}

}  // namespace systemd
