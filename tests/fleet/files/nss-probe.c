/* nss-probe: what glibc really returns for the lookups pam_secstore makes
 * (lib/src/nss.cpp), so that "unknown user" and "name service unavailable"
 * (SPEC 4.5) can be told apart from facts, not guesses. Built inside the
 * fleet-check root, against that root's glibc, and run there under each
 * nsswitch.conf and directory state (tests/fleet/files/fleet-cases.sh).
 *
 *   nss-probe LABEL NAME...        one row per name and call
 *   nss-probe --time N NAME...     microseconds per getpwnam_r + getgrouplist
 *
 * A row: LABEL NAME, then CALL=rc/errno/result for each call. For
 * getpwnam_r, getgrnam_r and getgrgid_r, rc is the function's return value
 * (an error number; 0 for both "found" and "not found"), errno what was left
 * in errno (set to 0 before the call), result the entry (uidN, gidN, a group
 * name) or NULL. For getgrouplist, rc is its return value (the number of
 * groups, -1 when the array is too small) and result the gids it returned;
 * it is given the user's primary gid, or 65534 for a name getpwnam_r did
 * not find. getgrnam_r runs on the group after '%' in NAME%GROUP, getgrgid_r
 * on the user's primary gid. The row ends with the time all four took.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char buffer[1 << 16];

static const char *errno_name(int e) {
  switch (e) {
    case 0: return "0";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EBADF: return "EBADF";
    case EPERM: return "EPERM";
    case ENOMEM: return "ENOMEM";
    case ERANGE: return "ERANGE";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case EAGAIN: return "EAGAIN";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ENOTCONN: return "ENOTCONN";
    case EPIPE: return "EPIPE";
    case ECONNRESET: return "ECONNRESET";
    case EINVAL: return "EINVAL";
    case ENOTSUP: return "ENOTSUP";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    default: return "other";
  }
}

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* One call's outcome as "rc/errno/result". */
static void outcome(char *out, size_t size, int rc, int err, const char *result) {
  snprintf(out, size, "%d/%s/%s", rc, err ? errno_name(err) : "0", result);
}

/* getgrnam_r(name) when name is given, else getgrgid_r(gid); the entry is
 * shown by the other key (a gid for a name, a name for a gid). */
static void group_outcome(char *out, size_t size, const char *name, gid_t gid) {
  struct group gr, *grp = NULL;
  char result[300] = "NULL";
  errno = 0;
  int rc = name != NULL ? getgrnam_r(name, &gr, buffer, sizeof buffer, &grp)
                        : getgrgid_r(gid, &gr, buffer, sizeof buffer, &grp);
  int err = errno;
  if (grp != NULL && name != NULL) snprintf(result, sizeof result, "gid%u", gr.gr_gid);
  if (grp != NULL && name == NULL) snprintf(result, sizeof result, "%s", gr.gr_name);
  outcome(out, size, rc, err, result);
}

static void probe(const char *label, const char *arg) {
  char name[256], group[256] = "";
  snprintf(name, sizeof name, "%s", arg);
  char *pct = strchr(name, '%');
  if (pct != NULL) {
    snprintf(group, sizeof group, "%s", pct + 1);
    *pct = '\0';
  }
  char pw_text[128], gl_text[1200], grnam_text[128] = "-", grgid_text[128] = "-", result[1024];
  double t0 = now_us();

  struct passwd pw, *pwp = NULL;
  errno = 0;
  int rc = getpwnam_r(name, &pw, buffer, sizeof buffer, &pwp);
  int err = errno;
  if (pwp != NULL) snprintf(result, sizeof result, "uid%u", pw.pw_uid);
  outcome(pw_text, sizeof pw_text, rc, err, pwp != NULL ? result : "NULL");
  gid_t primary = pwp != NULL ? pw.pw_gid : 65534;

  gid_t gids[256];
  int n = 256;
  errno = 0;
  rc = getgrouplist(name, primary, gids, &n);
  err = errno;
  size_t used = 0;
  result[0] = '\0';
  for (int i = 0; i < n && i < 256 && used < sizeof result - 16; ++i)
    used += snprintf(result + used, sizeof result - used, "%s%u", i ? "," : "", gids[i]);
  outcome(gl_text, sizeof gl_text, rc, err, result);

  if (group[0] != '\0') group_outcome(grnam_text, sizeof grnam_text, group, 0);
  if (pwp != NULL) group_outcome(grgid_text, sizeof grgid_text, NULL, primary);
  printf("%-26s %-6s getpwnam_r=%-18s getgrouplist(%u)=%-24s getgrnam_r(%s)=%-16s getgrgid_r=%-14s %7.2f ms\n",
         label, name, pw_text, primary, gl_text, group[0] ? group : "-", grnam_text, grgid_text,
         (now_us() - t0) / 1000);
}

/* The cost pam_secstore pays per session open when a group can matter:
 * one getpwnam_r and one getgrouplist (lib/src/nss.cpp). */
static int time_lookups(int calls, const char *name) {
  struct passwd pw, *pwp = NULL;
  if (getpwnam_r(name, &pw, buffer, sizeof buffer, &pwp) != 0 || pwp == NULL) {
    printf("TIME %s unknown\n", name);
    return 1;
  }
  double samples[calls];
  for (int i = 0; i < calls; ++i) {
    double t0 = now_us();
    getpwnam_r(name, &pw, buffer, sizeof buffer, &pwp);
    gid_t gids[256];
    int n = 256;
    getgrouplist(name, pw.pw_gid, gids, &n);
    samples[i] = now_us() - t0;
  }
  for (int i = 1; i < calls; ++i)  /* insertion sort: a few thousand samples */
    for (int j = i; j > 0 && samples[j - 1] > samples[j]; --j) {
      double t = samples[j];
      samples[j] = samples[j - 1];
      samples[j - 1] = t;
    }
  printf("TIME %s calls=%d median_us=%.1f p10_us=%.1f p90_us=%.1f\n", name, calls, samples[calls / 2],
         samples[calls / 10], samples[calls * 9 / 10]);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "--time") == 0) {
    int calls = atoi(argv[2]), status = 0;
    if (calls < 10 || calls > 100000) {
      fprintf(stderr, "nss-probe: --time takes 10 to 100000 calls\n");
      return 2;
    }
    for (int i = 3; i < argc; ++i) status |= time_lookups(calls, argv[i]);
    return status;
  }
  if (argc < 3) {
    fprintf(stderr, "usage: nss-probe LABEL NAME[%%GROUP]... | nss-probe --time N NAME...\n");
    return 2;
  }
  for (int i = 2; i < argc; ++i) probe(argv[1], argv[i]);
  return 0;
}
