// What every translation unit of the shim shares: the handle type, the error channel and the
// guard that keeps C++ exceptions from crossing the C boundary.
#pragma once
#include "pch.h"
#include "ecgtorch.h"

namespace ecgt {

// Stores the message that ecgt_last_error() returns on this thread.
void set_error(const char* message);

inline at::Tensor& T(ecgt_tensor* handle) {
  if (handle == nullptr) throw std::invalid_argument("null tensor handle");
  return *reinterpret_cast<at::Tensor*>(handle);
}

// A handle owns one heap-allocated at::Tensor (a reference-counted pointer to storage).
inline ecgt_tensor* wrap(at::Tensor t) {
  return reinterpret_cast<ecgt_tensor*>(new at::Tensor(std::move(t)));
}

inline c10::optional<at::Tensor> opt(ecgt_tensor* handle) {
  if (handle == nullptr) return c10::nullopt;
  return T(handle);
}

inline std::vector<at::Tensor> list(ecgt_tensor* const* handles, int count) {
  if (count < 0) throw std::invalid_argument("negative tensor count");
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) v.push_back(T(handles[i]));
  return v;
}

inline at::IntArrayRef dims(const int64_t* values, int count) {
  if (count < 0) throw std::invalid_argument("negative dimension count");
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

inline at::ScalarType dtype(int code) {
  switch (code) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 11: case 15:
      return static_cast<at::ScalarType>(code);
    default:
      throw std::invalid_argument("unsupported dtype code " + std::to_string(code));
  }
}

}  // namespace ecgt

// Runs body; any exception becomes ECGT_ERROR plus a message, never an unwinding across C.
#define ECGT_GUARD(body)                                              \
  try {                                                               \
    body;                                                             \
    return ECGT_OK;                                                   \
  } catch (const c10::Error& e) {                                     \
    ecgt::set_error(e.what_without_backtrace());                      \
  } catch (const std::exception& e) {                                 \
    ecgt::set_error(e.what());                                        \
  } catch (...) {                                                     \
    ecgt::set_error("unknown C++ exception");                         \
  }                                                                   \
  return ECGT_ERROR;

// The common shape: out = expr, with a fresh handle.
#define ECGT_RETURN_TENSOR(expr) ECGT_GUARD(*out = ecgt::wrap(expr))
