// The C++ API through the installed library, as a program using it is built
// (pkg-config secstore): the worked example's row "A, B at x/y:
// SELECT_TOPIC". Built and run by debian/tests/installed against the
// packages and by make check against the build tree
// (tests/capi/samples_test.cpp), so a change to the public headers that
// breaks it is caught before a package is built.
#include <secstore/store.hpp>

#include <cstdio>

int main() {
  auto parsed = secstore::Store::parse(
      "set \"A\" path \"x/y\" permissions []\n"
      "set \"B\" default path permissions [SELECT_TOPIC]\n"
      "set roles for named sessions [\"A\", \"B\"]\n",
      "sample");
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.first_error()->str().c_str());
    return 1;
  }
  const secstore::Store& store = *parsed.value;
  const auto who = secstore::SessionSubject::named("alice", {});
  auto names = secstore::names_of(store.path_permissions(store.resolve(who).roles, "x/y"));
  bool ok = names.size() == 1 && names[0] == "SELECT_TOPIC";
  std::printf("C++ API: %s\n", ok ? "ok" : "wrong answer");
  return ok ? 0 : 1;
}
