/* A login program that does NOT cooperate (tests/system cells.sh, the
 * pam-end scenarios): it opens a PAM session, ends the handle the ordinary
 * way (pam_end(h, rc), no PAM_DATA_SILENT), and only then changes to the
 * user, as a daemon dropping privileges would. Whatever a module left
 * behind at open (KEEPCAPS, an inheritable set, a root directory) is then
 * in the hands of the user's code. Prints one line:
 *
 *   PAMEND open=RC end: keepcaps=K inh=I (was I0) root=R (was R0)
 *          as-user: prm=P shadow=E setresuid0=E END
 *
 * keepcaps, inh and root are read right after pam_end; prm after the
 * setuid; shadow and setresuid0 say whether the user's code, having raised
 * its effective set from whatever it was permitted, could read /etc/shadow
 * or become root again ("ok", or the errno name).
 *
 *   pam-end-probe SERVICE USER
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int no_conversation(int n, const struct pam_message **msg, struct pam_response **resp, void *data) {
  (void)n, (void)msg, (void)resp, (void)data;
  return PAM_CONV_ERR;
}

/* The hex value of one "CapXxx:" line of /proc/self/status, trimmed. */
static void status_field(const char *key, char *out, size_t size) {
  char line[256];
  FILE *f = fopen("/proc/self/status", "r");
  snprintf(out, size, "?");
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    size_t n = strlen(key);
    if (strncmp(line, key, n) == 0 && line[n] == ':') {
      unsigned long long v = strtoull(line + n + 1, NULL, 16);
      snprintf(out, size, "%llx", v);
      break;
    }
  }
  fclose(f);
}

static void root_mark(char *out, size_t size) {
  FILE *f = fopen("/.secstore-root", "r");
  snprintf(out, size, "none");
  if (!f) return;
  if (fgets(out, (int)size, f)) out[strcspn(out, "\n")] = '\0';
  fclose(f);
}

static const char *outcome(int rc) { return rc == 0 ? "ok" : strerrorname_np(errno); }

/* Raises the effective set to the permitted set: what code running as the
 * user could do with capabilities it was left. */
static void raise_effective(void) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) != 0) return;
  d[0].effective = d[0].permitted;
  d[1].effective = d[1].permitted;
  (void)syscall(SYS_capset, &h, d);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: pam-end-probe SERVICE USER\n");
    return 2;
  }
  struct passwd *pw = getpwnam(argv[2]);
  if (!pw) {
    fprintf(stderr, "pam-end-probe: no user %s\n", argv[2]);
    return 2;
  }
  uid_t uid = pw->pw_uid;
  gid_t gid = pw->pw_gid;
  char inh_before[32], root_before[64];
  status_field("CapInh", inh_before, sizeof inh_before);
  root_mark(root_before, sizeof root_before);

  const struct pam_conv conv = {no_conversation, NULL};
  pam_handle_t *h = NULL;
  int rc = pam_start(argv[1], argv[2], &conv, &h);
  if (rc != PAM_SUCCESS) {
    fprintf(stderr, "pam-end-probe: pam_start: %s\n", pam_strerror(h, rc));
    return 2;
  }
  /* As su does: credentials, then the session (pam_cap's hook is setcred). */
  (void)pam_setcred(h, PAM_ESTABLISH_CRED);
  rc = pam_open_session(h, 0);
  const char *open_result = rc == PAM_SUCCESS ? "ok" : "failed";
  pam_end(h, rc);

  char inh[32], root[64];
  int keepcaps = prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0);
  status_field("CapInh", inh, sizeof inh);
  root_mark(root, sizeof root);

  if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
    fprintf(stderr, "pam-end-probe: cannot change to %s: %s\n", argv[2], strerror(errno));
    return 2;
  }
  char prm[32];
  status_field("CapPrm", prm, sizeof prm);
  raise_effective();
  int fd = open("/etc/shadow", O_RDONLY);
  const char *shadow = outcome(fd < 0 ? -1 : 0);
  if (fd >= 0) close(fd);
  const char *again = outcome(setresuid(0, 0, 0));
  printf("PAMEND open=%s end: keepcaps=%d inh=%s (was %s) root=%s (was %s) as-user: prm=%s shadow=%s setresuid0=%s END\n",
         open_result, keepcaps, inh, inh_before, root, root_before, prm, shadow, again);
  return 0;
}
