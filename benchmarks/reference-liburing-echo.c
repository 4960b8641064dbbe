// A plain liburing echo server, for benchmarks/echo.mjs only: the modern way a liburing example does it
// (multishot accept, multishot recv from a provided buffer ring, send straight from the received buffer,
// SINGLE_ISSUER|DEFER_TASKRUN, registered ring fd, one submit-and-wait per batch). One thread; prints
// its port on stdout, then serves 127.0.0.1 until killed. Needs liburing (Debian: liburing-dev).
//
//   cc -O2 -o reference-liburing-echo reference-liburing-echo.c -luring && ./reference-liburing-echo [port]
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NBUFS 1024
#define BUFSZ 16384
#define BGID 0

enum { OP_ACCEPT = 1, OP_RECV = 2, OP_SEND = 3 };

static struct io_uring ring;
static struct io_uring_buf_ring *br;
static unsigned char *bufs;

// user_data: op in the low byte, fd above it, buffer id (sends) above that.
static unsigned long long ud(int op, int fd, unsigned bid) {
  return (unsigned long long)op | ((unsigned long long)(unsigned)fd << 8) | ((unsigned long long)bid << 40);
}

static struct io_uring_sqe *sqe_get(void) {
  struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
  while (!sqe) {
    io_uring_submit(&ring);
    sqe = io_uring_get_sqe(&ring);
  }
  return sqe;
}

static void arm_accept(int lfd) {
  struct io_uring_sqe *sqe = sqe_get();
  io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, 0);
  io_uring_sqe_set_data64(sqe, ud(OP_ACCEPT, lfd, 0));
}

static void arm_recv(int fd) {
  struct io_uring_sqe *sqe = sqe_get();
  io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = BGID;
  io_uring_sqe_set_data64(sqe, ud(OP_RECV, fd, 0));
}

// Send bytes [off, off+len) of buffer bid; a short send re-queues the rest from the same buffer. (With
// several messages in flight on one connection, a short send could reorder bytes: this reference server
// is for the benchmark's closed loop with one message in flight per connection.)
static void send_buf(int fd, unsigned bid, unsigned off, unsigned len) {
  struct io_uring_sqe *sqe = sqe_get();
  io_uring_prep_send(sqe, fd, bufs + (size_t)bid * BUFSZ + off, len, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, ud(OP_SEND, fd, bid));
}

static unsigned send_len[NBUFS], send_off[NBUFS];  // per buffer: bytes received into it, bytes sent

static void recycle(unsigned bid) {
  io_uring_buf_ring_add(br, bufs + (size_t)bid * BUFSZ, BUFSZ, bid, io_uring_buf_ring_mask(NBUFS), 0);
  io_uring_buf_ring_advance(br, 1);
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (argc > 2 && inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) { fprintf(stderr, "not an IPv4 address: %s\n", argv[2]); return 2; }
  if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4096)) { perror("bind/listen"); return 1; }
  socklen_t al = sizeof(a);
  getsockname(lfd, (struct sockaddr *)&a, &al);

  struct io_uring_params p = {.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE,
                              .cq_entries = 16384};
  int rc = io_uring_queue_init_params(1024, &ring, &p);
  if (rc < 0) { fprintf(stderr, "io_uring_queue_init_params: %s\n", strerror(-rc)); return 1; }
  io_uring_register_ring_fd(&ring);

  br = aligned_alloc(4096, NBUFS * sizeof(struct io_uring_buf));
  bufs = aligned_alloc(4096, (size_t)NBUFS * BUFSZ);
  io_uring_buf_ring_init(br);
  struct io_uring_buf_reg reg = {.ring_addr = (unsigned long)br, .ring_entries = NBUFS, .bgid = BGID};
  if ((rc = io_uring_register_buf_ring(&ring, &reg, 0)) < 0) { fprintf(stderr, "buf ring: %s\n", strerror(-rc)); return 1; }
  for (unsigned i = 0; i < NBUFS; i++) recycle(i);

  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  arm_accept(lfd);

  for (;;) {
    io_uring_submit_and_wait(&ring, 1);
    struct io_uring_cqe *cqe;
    unsigned head, n = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      n++;
      unsigned long long d = cqe->user_data;
      int op = d & 0xff, fd = (int)((d >> 8) & 0xffffffffu);
      unsigned bid = (unsigned)(d >> 40);
      if (op == OP_ACCEPT) {
        if (cqe->res >= 0) {
          setsockopt(cqe->res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          arm_recv(cqe->res);
        }
        if (!(cqe->flags & IORING_CQE_F_MORE)) arm_accept(lfd);
      } else if (op == OP_RECV) {
        if (cqe->res > 0) {
          unsigned b = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
          send_len[b] = cqe->res;
          send_off[b] = 0;
          send_buf(fd, b, 0, cqe->res);
        } else if (cqe->res != -ENOBUFS) {  // EOF or error (ENOBUFS: just re-arm below)
          if (cqe->flags & IORING_CQE_F_BUFFER) recycle(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
          close(fd);
          continue;
        }
        if (!(cqe->flags & IORING_CQE_F_MORE)) arm_recv(fd);
      } else if (op == OP_SEND) {
        if (cqe->res > 0 && send_off[bid] + cqe->res < send_len[bid]) {
          send_off[bid] += cqe->res;
          send_buf(fd, bid, send_off[bid], send_len[bid] - send_off[bid]);
        } else {
          recycle(bid);
        }
      }
    }
    io_uring_cq_advance(&ring, n);
  }
}
