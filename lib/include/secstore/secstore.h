/* libsecstore C API: ask what a login session may do, the same way
 * pam_secstore decides it (SPEC §2, §6).
 *
 * Handles are opaque. Nothing here throws, aborts or prints: every failure
 * is a return value (NULL or -1) and, where the function takes `char
 * **error`, a message in English that the caller frees with
 * secstore_string_free(). Pass NULL for `error` when the message is not
 * wanted; on success *error is set to NULL.
 *
 * Threads: a secstore_store and a secstore_session are immutable once
 * made, so any number of threads may use the same handle at once, as long
 * as none of them frees it meanwhile.
 *
 * Build: pkg-config --cflags --libs secstore
 */
#ifndef SECSTORE_SECSTORE_H
#define SECSTORE_SECSTORE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SECSTORE_API __attribute__((visibility("default")))
#else
#define SECSTORE_API
#endif

/* A parsed Security.store. */
typedef struct secstore_store secstore_store;
/* One session's roles and permissions, resolved against a store. */
typedef struct secstore_session secstore_session;

/* Flags for secstore_store_load(). */
/* Read the file even if pam_secstore would refuse it as unsafe (not owned by
 * root, or writable by group or others). Without this flag such a file is
 * an error, as it is for the module: a program that decides access should
 * not pass it. */
#define SECSTORE_LOAD_ALLOW_UNSAFE 0x1

/* The library's version, e.g. "0.1.0". Static storage; do not free. */
SECSTORE_API const char *secstore_version(void);

/* Loads and parses the Security.store at `path` (NULL: the default,
 * /etc/security/Security.store). `flags` is 0 or SECSTORE_LOAD_ALLOW_UNSAFE;
 * unknown flag bits are an error. Returns NULL on error, with *error set to
 * "FILE:LINE:COL: error: ..." (every error of the file, one a line).
 * Free the result with secstore_store_free(). */
SECSTORE_API secstore_store *secstore_store_load(const char *path, int flags, char **error);

/* Parses store text held in memory; `name` is used in error messages
 * (NULL: "<memory>"). `text` need not be NUL-terminated: `length` bytes are
 * read. Returns NULL on error, as secstore_store_load(). */
SECSTORE_API secstore_store *secstore_store_parse(const char *text, size_t length,
                                                  const char *name, char **error);

/* Frees a store. NULL is allowed. Sessions made from it stay valid: each
 * keeps what it needs of the store alive. */
SECSTORE_API void secstore_store_free(secstore_store *store);

/* Resolves a session (SPEC §2.3): `user` NULL or "" makes an anonymous
 * session (the anonymous-session roles). Otherwise the session is named:
 * with `groups` NULL, the user must exist on this system (NSS) and its
 * groups come from there; with `groups` a NULL-terminated array of group
 * names, that array is the user's whole group membership (an empty array:
 * no groups) and the user need not exist. `groups` is ignored for anonymous
 * sessions, which have no groups. Returns NULL on error (NULL store,
 * unknown user, ...) with *error set. Free with secstore_session_free(). */
SECSTORE_API secstore_session *secstore_session_new(const secstore_store *store,
                                                    const char *user,
                                                    const char *const *groups, char **error);

/* Frees a session. NULL is allowed. */
SECSTORE_API void secstore_session_free(secstore_session *session);

/* 1 if the session is anonymous, 0 if named, -1 for a NULL session. */
SECSTORE_API int secstore_session_is_anonymous(const secstore_session *session);

/* Whether the session holds the global permission named `permission`
 * (case-insensitive, e.g. "CONTROL_SERVER"): 1 yes, 0 no, -1 when the
 * session is NULL or the name is not a global permission. */
SECSTORE_API int secstore_session_has_global(const secstore_session *session,
                                             const char *permission);

/* Whether the session holds the path permission `permission` (e.g.
 * "READ_TOPIC") at `path` ("a/b/c"; leading, trailing and double slashes
 * do not matter): 1 yes, 0 no, -1 when an argument is NULL, the path is
 * empty, or the name is not a path permission. */
SECSTORE_API int secstore_session_has_path(const secstore_session *session, const char *path,
                                           const char *permission);

/* The session's roles after closure under `includes`, sorted, as a
 * NULL-terminated array of strings; free it with secstore_strv_free().
 * NULL only when `session` is NULL or memory runs out. */
SECSTORE_API char **secstore_session_roles(const secstore_session *session);

/* The session's global permissions, upper case, in the order of SPEC §2.2,
 * as a NULL-terminated array (secstore_strv_free). NULL as above. */
SECSTORE_API char **secstore_session_global_permissions(const secstore_session *session);

/* The session's path permissions at `path`, upper case, as a
 * NULL-terminated array (secstore_strv_free). NULL when an argument is
 * NULL, the path is empty, or memory runs out. */
SECSTORE_API char **secstore_session_path_permissions(const secstore_session *session,
                                                      const char *path);

/* Frees an array returned by this library, and its strings. NULL is
 * allowed. */
SECSTORE_API void secstore_strv_free(char **strv);

/* Frees a string returned by this library (error messages). NULL is
 * allowed. */
SECSTORE_API void secstore_string_free(char *string);

#ifdef __cplusplus
}
#endif

#endif /* SECSTORE_SECSTORE_H */
