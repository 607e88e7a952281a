/* What pam_cap gives a user, measured: runs pam_cap's setcred through real
 * libpam (pam_start_confdir, so no /etc/pam.d is read) in this process and
 * prints the capability sets it then has, in the shape of
 * `secstore explain --json`'s "capabilities" object.
 * Built and run by tests/cli/import_pam_cap_peer_test.cpp.
 * usage: pam_cap_probe CONFDIR SERVICE USER */
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

static int no_conversation(int n, const struct pam_message **msg, struct pam_response **resp,
                           void *data) {
  (void)n;
  (void)msg;
  (void)resp;
  (void)data;
  return PAM_CONV_ERR;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints "[\"a\", \"b\"]" for the caps whose flag in `set` is 1, sorted. */
static void print_list(const int *set, int count) {
  char *names[64];
  int n = 0;
  for (int c = 0; c < count && n < 64; ++c)
    if (set[c]) names[n++] = cap_to_name((cap_value_t)c);
  qsort(names, (size_t)n, sizeof names[0], by_name);
  printf("[");
  for (int i = 0; i < n; ++i) {
    printf("%s\"%s\"", i ? ", " : "", names[i]);
    cap_free(names[i]);
  }
  printf("]");
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  int count = (int)cap_max_bits();
  if (count > 64) count = 64;
  int bound_before[64] = {0};
  for (int c = 0; c < count; ++c) bound_before[c] = cap_get_bound((cap_value_t)c) == 1;

  struct pam_conv conv = {no_conversation, NULL};
  pam_handle_t *pamh = NULL;
  if (pam_start_confdir(argv[2], argv[3], &conv, argv[1], &pamh) != PAM_SUCCESS) return 3;
  int rc = pam_setcred(pamh, PAM_ESTABLISH_CRED);
  pam_end(pamh, rc);

  int ambient[64] = {0}, inheritable[64] = {0}, dropped[64] = {0};
  cap_t now = cap_get_proc();
  if (now == NULL) return 4;
  for (int c = 0; c < count; ++c) {
    cap_flag_value_t v = CAP_CLEAR;
    cap_get_flag(now, (cap_value_t)c, CAP_INHERITABLE, &v);
    inheritable[c] = v == CAP_SET;
    ambient[c] = cap_get_ambient((cap_value_t)c) == 1;
    dropped[c] = bound_before[c] && cap_get_bound((cap_value_t)c) != 1;
  }
  cap_free(now);
  printf("{\"ambient\": ");
  print_list(ambient, count);
  printf(", \"inheritable\": ");
  print_list(inheritable, count);
  printf(", \"bounding_drop\": ");
  print_list(dropped, count);
  printf("}\n");
  return 0;
}
