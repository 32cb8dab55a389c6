/*
 * The C floor: the least any program can spend on an rtnetlink dump. It
 * sends the request nlkit sends (nlmsghdr with NLM_F_REQUEST | NLM_F_ACK |
 * NLM_F_DUMP and a zeroed fixed header) with plain send(), receives with
 * recv() into one 64 KiB buffer and walks only the nlmsghdrs, counting the
 * objects until NLMSG_DONE. No libraries beyond libc.
 *
 *   floor NETNS KIND CALLS
 *
 * NETNS is a name under /run/netns (or "-" for the current namespace), KIND
 * is "links" (RTM_GETLINK, ifinfomsg) or "addresses" (RTM_GETADDR,
 * ifaddrmsg), CALLS the number of dumps in a row. It prints one JSON line:
 * {"count":N,"us":[t1,t2,...]} with each dump's time in microseconds
 * (CLOCK_MONOTONIC, from send to the end of the walk). Exits 1 on any error.
 *
 * Built by the bench (bench/peers/fresh.ts) with `gcc -O2`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned char buf[65536];

static void die(const char *what) {
  fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
  exit(1);
}

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* dump sends one dump request and returns the number of objects in the reply. */
static long dump(int fd, unsigned short type, size_t fixed, unsigned int seq) {
  struct {
    struct nlmsghdr h;
    unsigned char body[16];
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = NLMSG_LENGTH(fixed);
  req.h.nlmsg_type = type;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP;
  req.h.nlmsg_seq = seq;
  if (send(fd, &req, req.h.nlmsg_len, 0) < 0) die("send");
  long count = 0;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("recv");
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return count;
      if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(h);
        if (e->error != 0) {
          errno = -e->error;
          die("dump");
        }
        continue;
      }
      count++;
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: floor NETNS links|addresses CALLS\n");
    return 2;
  }
  if (strcmp(argv[1], "-") != 0) {
    char path[4096];
    snprintf(path, sizeof path, "/run/netns/%s", argv[1]);
    int ns = open(path, O_RDONLY | O_CLOEXEC);
    if (ns < 0) die(path);
    if (setns(ns, CLONE_NEWNET) < 0) die("setns");
    close(ns);
  }
  unsigned short type;
  size_t fixed;
  if (strcmp(argv[2], "links") == 0) {
    type = RTM_GETLINK;
    fixed = sizeof(struct ifinfomsg);
  } else if (strcmp(argv[2], "addresses") == 0) {
    type = RTM_GETADDR;
    fixed = sizeof(struct ifaddrmsg);
  } else {
    fprintf(stderr, "floor: unknown kind %s\n", argv[2]);
    return 2;
  }
  int calls = atoi(argv[3]);
  if (calls < 1) calls = 1;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) die("socket");
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
  long count = 0;
  printf("{\"us\":[");
  for (int i = 0; i < calls; i++) {
    double t0 = now_us();
    count = dump(fd, type, fixed, (unsigned int)i + 1);
    printf("%s%.1f", i ? "," : "", now_us() - t0);
  }
  printf("],\"count\":%ld}\n", count);
  close(fd);
  return 0;
}
