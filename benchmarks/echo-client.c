// Closed-loop echo load generator for benchmarks/echo.sh: N connections, each sends one message of S
// bytes, waits until all S bytes came back (checking them), records the round trip, and sends again
// (pipeline 1). After a warm-up it samples the server's CPU time (utime+stime from /proc/PID/stat) and
// counts messages and latencies over the measured window. Prints one JSON object.
//
//   echo-client HOST PORT CONNS SIZE WARMUP_S DURATION_S SERVER_PID
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

// Latency histogram: 100 ns buckets up to 100 ms, one overflow bucket.
#define BUCKET_NS 100
#define BUCKETS 1000000

struct conn {
  int fd;
  size_t received;
  uint64_t sent_at;
  char *in;
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double server_cpu_seconds(int pid) {
  char path[64], buf[2048];
  snprintf(path, sizeof(path), "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = 0;
  // Fields after the ")" that ends comm: state is field 3; utime and stime are fields 14 and 15.
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  unsigned long utime = 0, stime = 0;
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return -1;
  return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static void die(const char *what) {
  fprintf(stderr, "echo-client: %s: %s\n", what, strerror(errno));
  exit(1);
}

static double percentile(const uint32_t *hist, uint64_t total, double p) {
  uint64_t target = (uint64_t)(p * (double)total), seen = 0;
  for (int i = 0; i <= BUCKETS; i++) {
    seen += hist[i];
    if (seen > target) return (double)i * BUCKET_NS / 1000.0;
  }
  return (double)BUCKETS * BUCKET_NS / 1000.0;
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: echo-client HOST PORT CONNS SIZE WARMUP_S DURATION_S SERVER_PID\n");
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]), nconns = atoi(argv[3]), size = atoi(argv[4]);
  double warmup = atof(argv[5]), duration = atof(argv[6]);
  int server_pid = atoi(argv[7]);

  struct sockaddr_storage ss;
  socklen_t sslen;
  memset(&ss, 0, sizeof(ss));
  struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    sslen = sizeof(*v4);
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    sslen = sizeof(*v6);
  } else {
    fprintf(stderr, "echo-client: bad host %s\n", host);
    return 2;
  }

  char *payload = malloc(size);
  for (int i = 0; i < size; i++) payload[i] = (char)('a' + i % 26);
  uint32_t *hist = calloc(BUCKETS + 1, sizeof(uint32_t));
  struct conn *conns = calloc(nconns, sizeof(struct conn));
  int ep = epoll_create1(0);
  for (int i = 0; i < nconns; i++) {
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&ss, sslen) < 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    conns[i].fd = fd;
    conns[i].in = malloc(size);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
  }

  uint64_t start = now_ns();
  uint64_t measure_from = start + (uint64_t)(warmup * 1e9);
  uint64_t end = measure_from + (uint64_t)(duration * 1e9);
  int measuring = 0;
  double cpu_start = 0, cpu_end = 0;
  uint64_t measured = 0, measured_start_ns = 0, mismatches = 0;

  for (int i = 0; i < nconns; i++) {
    conns[i].sent_at = now_ns();
    if (write(conns[i].fd, payload, size) != size) die("write");
  }
  struct epoll_event events[512];
  for (;;) {
    int n = epoll_wait(ep, events, 512, 100);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    uint64_t t = now_ns();
    if (!measuring && t >= measure_from) {
      measuring = 1;
      cpu_start = server_cpu_seconds(server_pid);
      measured_start_ns = t;
    }
    if (t >= end) break;
    for (int e = 0; e < n; e++) {
      struct conn *c = &conns[events[e].data.u32];
      ssize_t r = read(c->fd, c->in + c->received, size - c->received);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        fprintf(stderr, "echo-client: connection closed by server\n");
        return 1;
      }
      c->received += (size_t)r;
      if (c->received < (size_t)size) continue;
      if (memcmp(c->in, payload, size) != 0) mismatches++;
      uint64_t done = now_ns();
      if (measuring) {
        uint64_t b = (done - c->sent_at) / BUCKET_NS;
        hist[b > BUCKETS ? BUCKETS : b]++;
        measured++;
      }
      c->received = 0;
      c->sent_at = done;
      if (write(c->fd, payload, size) != size) die("write");
    }
  }
  cpu_end = server_cpu_seconds(server_pid);
  double seconds = (double)(now_ns() - measured_start_ns) / 1e9;
  double cpu = cpu_end - cpu_start;
  printf("{\"connections\":%d,\"size\":%d,\"seconds\":%.3f,\"messages\":%llu,\"messagesPerSec\":%.0f,"
         "\"p50Us\":%.1f,\"p99Us\":%.1f,\"serverCpuSec\":%.2f,\"serverCpuUsPerMessage\":%.3f,\"mismatches\":%llu}\n",
         nconns, size, seconds, (unsigned long long)measured, measured / seconds, percentile(hist, measured, 0.50),
         percentile(hist, measured, 0.99), cpu, measured ? cpu * 1e6 / (double)measured : 0.0,
         (unsigned long long)mismatches);
  return mismatches ? 1 : 0;
}
