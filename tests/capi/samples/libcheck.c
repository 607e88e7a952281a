/* The C API through the installed library, as a program using it is built
   (pkg-config secstore): the worked example's answers. Built and run by
   debian/tests/installed against the packages and by make check against
   the build tree (tests/capi/samples_test.cpp). */
#include <secstore/secstore.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    static const char text[] =
        "set \"A\" default path permissions [READ_TOPIC]\n"
        "set \"A\" path \"x\" permissions [UPDATE_TOPIC]\n"
        "set \"C\" includes [\"A\"]\n"
        "set \"C\" permissions [VIEW_SESSION]\n"
        "set roles for group \"netops\" [\"C\"]\n";
    char *error = NULL;
    secstore_store *store = secstore_store_parse(text, strlen(text), "sample", &error);
    if (!store) { fprintf(stderr, "%s\n", error); secstore_string_free(error); return 1; }
    const char *const groups[] = { "netops", NULL };
    secstore_session *s = secstore_session_new(store, "alice", groups, &error);
    secstore_store_free(store);
    if (!s) { fprintf(stderr, "%s\n", error); secstore_string_free(error); return 1; }
    int ok = secstore_session_has_global(s, "VIEW_SESSION") == 1
          && secstore_session_has_global(s, "CONTROL_SERVER") == 0
          && secstore_session_has_path(s, "x/y", "UPDATE_TOPIC") == 1
          && secstore_session_has_path(s, "x/y", "READ_TOPIC") == 0
          && secstore_session_has_path(s, "q", "READ_TOPIC") == 1;
    char **roles = secstore_session_roles(s);
    ok = ok && roles && roles[0] && strcmp(roles[0], "A") == 0
            && roles[1] && strcmp(roles[1], "C") == 0 && !roles[2];
    secstore_strv_free(roles);
    secstore_session_free(s);
    printf("libsecstore %s: %s\n", secstore_version(), ok ? "ok" : "wrong answers");
    return ok ? 0 : 1;
}
