#include "pam_seam.hpp"

#include <security/pam_ext.h>

#include <cstdarg>
#include <cstdio>

namespace secstore::test {
namespace {

// The seam a test installed; only the unit-test binary has this global.
PamSeam* current_seam = nullptr;

PamSeam& seam() {
  if (current_seam == nullptr) {
    std::fprintf(stderr, "pam_seam: a libpam function was called with no PamSeam installed\n");
    std::abort();
  }
  return *current_seam;
}

}  // namespace

PamSeam::PamSeam() {
  using ::testing::_;
  using ::testing::Invoke;
  ON_CALL(*this, get_item(_, _)).WillByDefault(Invoke(this, &PamSeam::fake_get_item));
  ON_CALL(*this, putenv(_)).WillByDefault(Invoke(this, &PamSeam::fake_putenv));
  ON_CALL(*this, set_data(_, _, _)).WillByDefault(Invoke(this, &PamSeam::fake_set_data));
  ON_CALL(*this, get_data(_, _)).WillByDefault(Invoke(this, &PamSeam::fake_get_data));
  ON_CALL(*this, syslog(_, _)).WillByDefault(Invoke([this](int priority, const std::string& text) {
    lines.push_back(LogLine{priority, text});
  }));
  current_seam = this;
}

PamSeam::~PamSeam() {
  end(PAM_SUCCESS);  // frees data the module left behind, as pam_end would
  current_seam = nullptr;
}

void PamSeam::set_user(const char* user) {
  if (user)
    user_ = user;
  else
    user_.reset();
}

void PamSeam::set_service(const char* service) {
  if (service)
    service_ = service;
  else
    service_.reset();
}

void PamSeam::end(int status) {
  auto entries = std::move(data);
  data.clear();
  for (auto& [name, entry] : entries)
    if (entry.cleanup) entry.cleanup(handle(), entry.data, status);
}

int PamSeam::fake_get_item(int item, const void** value) {
  const std::optional<std::string>* source = nullptr;
  if (item == PAM_USER) source = &user_;
  if (item == PAM_SERVICE) source = &service_;
  if (source == nullptr) return PAM_BAD_ITEM;
  *value = source->has_value() ? static_cast<const void*>((*source)->c_str()) : nullptr;
  return PAM_SUCCESS;
}

int PamSeam::fake_putenv(const std::string& name_value) {
  auto eq = name_value.find('=');
  if (eq == std::string::npos) return env.erase(name_value) ? PAM_SUCCESS : PAM_BAD_ITEM;
  env[name_value.substr(0, eq)] = name_value.substr(eq + 1);
  return PAM_SUCCESS;
}

int PamSeam::fake_set_data(const std::string& name, void* value, DataCleanup cleanup) {
  auto old = data.find(name);
  if (old != data.end()) {
    Data previous = old->second;
    data.erase(old);
    if (previous.cleanup) previous.cleanup(handle(), previous.data, PAM_DATA_REPLACE);
  }
  data[name] = Data{value, cleanup};
  return PAM_SUCCESS;
}

int PamSeam::fake_get_data(const std::string& name, const void** value) {
  auto entry = data.find(name);
  if (entry == data.end()) return PAM_NO_MODULE_DATA;
  *value = entry->second.data;
  return PAM_SUCCESS;
}

}  // namespace secstore::test

// ---- the libpam surface of module/*.o (see `nm -u`) ----
extern "C" {

int pam_get_item(const pam_handle_t*, int item_type, const void** item) {
  return secstore::test::seam().get_item(item_type, item);
}

int pam_putenv(pam_handle_t*, const char* name_value) {
  return secstore::test::seam().putenv(name_value);
}

int pam_set_data(pam_handle_t*, const char* module_data_name, void* data,
                 void (*cleanup)(pam_handle_t*, void*, int)) {
  return secstore::test::seam().set_data(module_data_name, data, cleanup);
}

int pam_get_data(const pam_handle_t*, const char* module_data_name, const void** data) {
  return secstore::test::seam().get_data(module_data_name, data);
}

const char* pam_strerror(pam_handle_t*, int errnum) {
  return errnum == PAM_BUF_ERR ? "Memory buffer error" : "PAM error";
}

void pam_vsyslog(const pam_handle_t*, int priority, const char* fmt, va_list args) {
  char* text = nullptr;
  if (vasprintf(&text, fmt, args) < 0) std::abort();
  std::string line(text);
  free(text);
  secstore::test::seam().syslog(priority, line);
}

// pam_error(pamh, ...) is pam_prompt(pamh, PAM_ERROR_MSG, NULL, ...).
int pam_prompt(pam_handle_t*, int style, char** response, const char* fmt, ...) {
  if (style != PAM_ERROR_MSG || response != nullptr) std::abort();
  va_list args;
  va_start(args, fmt);
  char* text = nullptr;
  if (vasprintf(&text, fmt, args) < 0) std::abort();
  va_end(args);
  secstore::test::seam().told.emplace_back(text);
  free(text);
  return PAM_SUCCESS;
}

void pam_syslog(const pam_handle_t* pamh, int priority, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  pam_vsyslog(pamh, priority, fmt, args);
  va_end(args);
}

}  // extern "C"
