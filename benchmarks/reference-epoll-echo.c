// A plain C epoll echo server, as a yardstick for our epoll backend: one thread, level-triggered,
// one read then one write per readiness event (what a hand-written epoll echo server does).
//
//   reference-epoll-echo PORT [IPV4]   (listens on 127.0.0.1 or IPV4, e.g. 0.0.0.0; prints the port it
//                                      listens on, then serves until killed)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (argc > 2 && inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) { fprintf(stderr, "not an IPv4 address: %s\n", argv[2]); return 2; }
  if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 4096) < 0) { perror("listen"); return 1; }
  socklen_t len = sizeof(a);
  getsockname(lfd, (struct sockaddr *)&a, &len);
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, events[256];
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  static char buf[16384];
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        int c;
        while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      ssize_t r = read(fd, buf, sizeof(buf));
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        close(fd);
        continue;
      }
      // Closed-loop clients never fill the socket; a real server would keep what write() did not take.
      if (write(fd, buf, (size_t)r) != r) close(fd);
    }
  }
}
