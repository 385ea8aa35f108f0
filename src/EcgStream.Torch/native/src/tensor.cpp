// Tensor lifetime, data in and out of managed memory, metadata and factories.
#include "common.h"

#include <cstring>
#include <torch/version.h>

namespace ecgt {
namespace {
thread_local std::string last_error;
}
void set_error(const char* message) { last_error = message != nullptr ? message : ""; }
}  // namespace ecgt

using ecgt::T;

extern "C" {

const char* ecgt_last_error(void) { return ecgt::last_error.c_str(); }

#define ECGT_STR2(x) #x
#define ECGT_STR(x) ECGT_STR2(x)
const char* ecgt_torch_version(void) {
  return ECGT_STR(TORCH_VERSION_MAJOR) "." ECGT_STR(TORCH_VERSION_MINOR) "." ECGT_STR(TORCH_VERSION_PATCH);
}

int ecgt_set_num_threads(int threads) {
  ECGT_GUARD({
    if (threads < 1) throw std::invalid_argument("thread count must be >= 1, got " + std::to_string(threads));
    at::set_num_threads(threads);
  })
}

int ecgt_get_num_threads(void) { return at::get_num_threads(); }

void ecgt_free(ecgt_tensor* t) { delete reinterpret_cast<at::Tensor*>(t); }

int ecgt_from_data(const void* data, const int64_t* shape, int ndim, int dtype, ecgt_tensor** out) {
  // from_blob borrows the caller's memory; clone() makes the tensor own a copy before we return.
  ECGT_RETURN_TENSOR(at::from_blob(const_cast<void*>(data), ecgt::dims(shape, ndim),
                                   at::TensorOptions().dtype(ecgt::dtype(dtype)))
                         .clone())
}

int ecgt_copy_to(ecgt_tensor* t, void* dst, int64_t nbytes) {
  ECGT_GUARD({
    const at::Tensor& x = T(t);
    const int64_t need = x.numel() * static_cast<int64_t>(x.element_size());
    if (need != nbytes)
      throw std::invalid_argument("destination holds " + std::to_string(nbytes) + " bytes, tensor needs " +
                                  std::to_string(need));
    at::Tensor c = x.detach().to(at::kCPU).contiguous();
    if (need > 0) std::memcpy(dst, c.data_ptr(), static_cast<size_t>(need));
  })
}

int ecgt_dtype(ecgt_tensor* t, int* out) { ECGT_GUARD(*out = static_cast<int>(T(t).scalar_type())) }
int ecgt_ndim(ecgt_tensor* t, int* out) { ECGT_GUARD(*out = static_cast<int>(T(t).dim())) }

int ecgt_shape(ecgt_tensor* t, int64_t* shape, int capacity) {
  ECGT_GUARD({
    auto sizes = T(t).sizes();
    const size_t n = std::min(sizes.size(), static_cast<size_t>(std::max(capacity, 0)));
    for (size_t i = 0; i < n; ++i) shape[i] = sizes[i];
  })
}

int ecgt_numel(ecgt_tensor* t, int64_t* out) { ECGT_GUARD(*out = T(t).numel()) }
int ecgt_item(ecgt_tensor* t, double* out) { ECGT_GUARD(*out = T(t).item<double>()) }
int ecgt_to_dtype(ecgt_tensor* t, int dtype, ecgt_tensor** out) { ECGT_RETURN_TENSOR(T(t).to(ecgt::dtype(dtype))) }
int ecgt_clone(ecgt_tensor* t, ecgt_tensor** out) { ECGT_RETURN_TENSOR(T(t).clone()) }
int ecgt_contiguous(ecgt_tensor* t, ecgt_tensor** out) { ECGT_RETURN_TENSOR(T(t).contiguous()) }
int ecgt_is_contiguous(ecgt_tensor* t, int* out) { ECGT_GUARD(*out = T(t).is_contiguous() ? 1 : 0) }
int ecgt_alias(ecgt_tensor* t, ecgt_tensor** out) { ECGT_RETURN_TENSOR(T(t)) }

int ecgt_zeros(const int64_t* shape, int ndim, int dtype, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::zeros(ecgt::dims(shape, ndim), at::TensorOptions().dtype(ecgt::dtype(dtype))))
}
int ecgt_ones(const int64_t* shape, int ndim, int dtype, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::ones(ecgt::dims(shape, ndim), at::TensorOptions().dtype(ecgt::dtype(dtype))))
}
int ecgt_full(const int64_t* shape, int ndim, double value, int dtype, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::full(ecgt::dims(shape, ndim), value, at::TensorOptions().dtype(ecgt::dtype(dtype))))
}
int ecgt_arange(double start, double end, double step, int dtype, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::arange(start, end, step, at::TensorOptions().dtype(ecgt::dtype(dtype))))
}
int ecgt_zeros_like(ecgt_tensor* t, ecgt_tensor** out) { ECGT_RETURN_TENSOR(at::zeros_like(T(t))) }

int ecgt_copy_(ecgt_tensor* dst, ecgt_tensor* src) { ECGT_GUARD(T(dst).copy_(T(src))) }
int ecgt_set_data(ecgt_tensor* t, ecgt_tensor* data) { ECGT_GUARD(T(t).set_data(T(data))) }

}  // extern "C"
