/*
 * The C floor: the least any program can spend on an rtnetlink request. It
 * sends the request nlkit sends with plain send(), receives with recv() into
 * one 64 KiB buffer and walks only the nlmsghdrs. No libraries beyond libc.
 *
 *   floor NETNS KIND CALLS [NAME]
 *
 * NETNS is a name under /run/netns (or "-" for the current namespace); CALLS
 * the number of calls in a row; KIND one of
 *   links      RTM_GETLINK dump (zeroed ifinfomsg), objects until NLMSG_DONE
 *   addresses  RTM_GETADDR dump (zeroed ifaddrmsg)
 *   routes     RTM_GETROUTE dump (zeroed rtmsg: every table, every family)
 *   link-get   RTM_GETLINK of the link named NAME (IFLA_IFNAME), without
 *              NLM_F_ACK as nlkit's links.get sends it: one reply, one recv
 *   route-add  adds CALLS routes through the link named NAME, as the bench's
 *              route-batch makes them (see add_routes), as one batch: as many
 *              RTM_NEWROUTE per datagram as SO_RCVBUF / 2048, only the last of
 *              each asking for an ACK (what nlkit's addMany sends); prints
 *              one time for the whole batch and the number added
 * Dumps carry NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, as nlkit's do. It
 * prints one JSON line: {"count":N,"us":[t1,t2,...]} with each call's time
 * in microseconds (CLOCK_MONOTONIC, from send to the end of the walk) and the
 * last call's object count. Exits 1 on any error.
 *
 * Built by the bench (bench/peers/fresh.ts) with `gcc -O2`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stddef.h>
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

/* receive reads one datagram into buf (retrying on EINTR) and returns its length. */
static ssize_t receive(int fd) {
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n >= 0) return n;
    if (errno != EINTR) die("recv");
  }
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
    ssize_t n = receive(fd);
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

/* get_link asks for one link by name and returns 1 when its RTM_NEWLINK came back. */
static long get_link(int fd, const char *name, unsigned int seq) {
  struct {
    struct nlmsghdr h;
    struct ifinfomsg ifi;
    struct rtattr a;
    char name[IFNAMSIZ];
  } req;
  size_t len = strlen(name) + 1;
  if (len > IFNAMSIZ) {
    fprintf(stderr, "floor: link name too long\n");
    exit(2);
  }
  memset(&req, 0, sizeof req);
  req.a.rta_type = IFLA_IFNAME;
  req.a.rta_len = RTA_LENGTH(len);
  memcpy(req.name, name, len);
  req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.ifi) + RTA_ALIGN(req.a.rta_len);
  req.h.nlmsg_type = RTM_GETLINK;
  req.h.nlmsg_flags = NLM_F_REQUEST;
  req.h.nlmsg_seq = seq;
  if (send(fd, &req, req.h.nlmsg_len, 0) < 0) die("send");
  for (;;) {
    ssize_t n = receive(fd);
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(h);
        errno = -e->error;
        die("link-get");
      }
      if (h->nlmsg_type == RTM_NEWLINK) return 1;
    }
  }
}

/*
 * add_routes adds n routes to table 200 through link `oif`: the i-th is
 * (20 + i/65536).(i/256 % 256).(i % 256).0/24, on-link (scope link) when i % 5
 * is 0, else via 172.17.0.(2 + i % 8); protocol boot, as `ip route add` makes
 * them. Returns how many the kernel accepted; any error ends the program.
 */
static long add_routes(int fd, int oif, long n) {
  int rcvbuf = 0;
  socklen_t optlen = sizeof rcvbuf;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &optlen) < 0) die("getsockopt");
  long per = rcvbuf / 2048 > 0 ? rcvbuf / 2048 : 1;
  static unsigned char out[1 << 20];
  struct route {
    struct nlmsghdr h;
    struct rtmsg r;
    struct rtattr dst_a;
    unsigned char dst[4];
    struct rtattr table_a;
    unsigned int table;
    struct rtattr oif_a;
    int oif;
    struct rtattr gw_a;
    unsigned char gw[4];
  };
  long done = 0;
  unsigned int seq = 1000;
  for (long i = 0; i < n;) {
    size_t len = 0;
    long first = i;
    for (; i < n && i - first < per && len + sizeof(struct route) <= sizeof out; i++) {
      struct route *m = (struct route *)(out + len);
      memset(m, 0, sizeof *m);
      int onlink = i % 5 == 0;
      m->h.nlmsg_len = onlink ? offsetof(struct route, gw_a) : sizeof *m;
      m->h.nlmsg_type = RTM_NEWROUTE;
      m->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | (i + 1 == n || i - first + 1 == per ? NLM_F_ACK : 0);
      m->h.nlmsg_seq = ++seq;
      m->r.rtm_family = AF_INET;
      m->r.rtm_dst_len = 24;
      m->r.rtm_table = RT_TABLE_UNSPEC;
      m->r.rtm_protocol = RTPROT_BOOT;
      m->r.rtm_scope = onlink ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
      m->r.rtm_type = RTN_UNICAST;
      m->dst_a.rta_len = RTA_LENGTH(4);
      m->dst_a.rta_type = RTA_DST;
      m->dst[0] = (unsigned char)(20 + (i >> 16));
      m->dst[1] = (unsigned char)((i >> 8) & 255);
      m->dst[2] = (unsigned char)(i & 255);
      m->table_a.rta_len = RTA_LENGTH(4);
      m->table_a.rta_type = RTA_TABLE;
      m->table = 200;
      m->oif_a.rta_len = RTA_LENGTH(4);
      m->oif_a.rta_type = RTA_OIF;
      m->oif = oif;
      m->gw_a.rta_len = RTA_LENGTH(4);
      m->gw_a.rta_type = RTA_GATEWAY;
      m->gw[0] = 172;
      m->gw[1] = 17;
      m->gw[3] = (unsigned char)(2 + i % 8);
      len += NLMSG_ALIGN(m->h.nlmsg_len);
    }
    if (send(fd, out, len, 0) < 0) die("send");
    for (int acked = 0; !acked;) {
      ssize_t got = receive(fd);
      for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)got); h = NLMSG_NEXT(h, got)) {
        if (h->nlmsg_type != NLMSG_ERROR) continue;
        struct nlmsgerr *e = NLMSG_DATA(h);
        if (e->error != 0) {
          errno = -e->error;
          die("route-add");
        }
        if (h->nlmsg_seq == seq) acked = 1;
      }
    }
    done = i;
  }
  return done;
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: floor NETNS links|addresses|routes|link-get|route-add CALLS [NAME]\n");
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
  unsigned short type = 0;
  size_t fixed = 0;
  const char *name = NULL;
  int add = 0;
  if (strcmp(argv[2], "link-get") == 0 || strcmp(argv[2], "route-add") == 0) {
    add = argv[2][0] == 'r';
    if (argc != 5) {
      fprintf(stderr, "floor: %s needs a NAME\n", argv[2]);
      return 2;
    }
    name = argv[4];
  } else if (strcmp(argv[2], "routes") == 0) {
    type = RTM_GETROUTE;
    fixed = sizeof(struct rtmsg);
  } else if (strcmp(argv[2], "links") == 0) {
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
  if (add) {
    int oif = (int)if_nametoindex(name);
    if (oif == 0) die(name);
    double t0 = now_us();
    count = add_routes(fd, oif, calls);
    printf("{\"us\":[%.1f],\"count\":%ld}\n", now_us() - t0, count);
    close(fd);
    return 0;
  }
  printf("{\"us\":[");
  for (int i = 0; i < calls; i++) {
    double t0 = now_us();
    count = name ? get_link(fd, name, (unsigned int)i + 1) : dump(fd, type, fixed, (unsigned int)i + 1);
    printf("%s%.1f", i ? "," : "", now_us() - t0);
  }
  printf("],\"count\":%ld}\n", count);
  close(fd);
  return 0;
}
