// The few libpam functions the module's logic calls, replaced for the unit
// tests (cmocka-style): the module objects are linked unchanged against
// these definitions, which forward to the PamSeam the current test installed.
// By default a PamSeam behaves like libpam (items, environment, data with
// cleanups, syslog lines kept in order); tests override with EXPECT_CALL.
#pragma once

#include <gmock/gmock.h>
#include <security/pam_modules.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace secstore::test {

struct LogLine {
  int priority;
  std::string text;
};

using DataCleanup = void (*)(pam_handle_t*, void*, int);

class PamSeam {
 public:
  PamSeam();
  ~PamSeam();
  PamSeam(const PamSeam&) = delete;
  PamSeam& operator=(const PamSeam&) = delete;

  MOCK_METHOD(int, get_item, (int item, const void** value));
  MOCK_METHOD(int, putenv, (const std::string& name_value));
  MOCK_METHOD(int, set_data, (const std::string& name, void* data, DataCleanup cleanup));
  MOCK_METHOD(int, get_data, (const std::string& name, const void** data));
  MOCK_METHOD(void, syslog, (int priority, const std::string& text));

  // The handle to pass to the module: only its address matters.
  pam_handle_t* handle() { return reinterpret_cast<pam_handle_t*>(&handle_storage_); }

  // libpam-like state behind the default actions.
  void set_user(const char* user);  // nullptr: PAM_USER unset
  void set_service(const char* service);
  std::map<std::string, std::string> env;
  std::vector<LogLine> lines;
  std::vector<std::string> told;  // what pam_error said to the user
  struct Data {
    void* data;
    DataCleanup cleanup;
  };
  std::map<std::string, Data> data;
  // What pam_end(pamh, status) would do to the module's data.
  void end(int status);

 private:
  int fake_get_item(int item, const void** value);
  int fake_putenv(const std::string& name_value);
  int fake_set_data(const std::string& name, void* data, DataCleanup cleanup);
  int fake_get_data(const std::string& name, const void** data);
  std::optional<std::string> user_;
  std::optional<std::string> service_;
  int handle_storage_ = 0;
};

}  // namespace secstore::test
