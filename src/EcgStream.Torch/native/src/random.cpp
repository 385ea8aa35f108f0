// Random numbers from libtorch's default CPU generator (seeded by ecgt_manual_seed).
#include "common.h"

using ecgt::T;

extern "C" {

int ecgt_manual_seed(uint64_t seed) { ECGT_GUARD(at::manual_seed(seed)) }

int ecgt_rand(const int64_t* shape, int ndim, int dtype, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::rand(ecgt::dims(shape, ndim), at::TensorOptions().dtype(ecgt::dtype(dtype))))
}
int ecgt_randn(const int64_t* shape, int ndim, int dtype, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::randn(ecgt::dims(shape, ndim), at::TensorOptions().dtype(ecgt::dtype(dtype))))
}
int ecgt_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::randint(low, high, ecgt::dims(shape, ndim), at::TensorOptions().dtype(at::kLong)))
}
int ecgt_randperm(int64_t n, ecgt_tensor** out) { ECGT_RETURN_TENSOR(at::randperm(n)) }
int ecgt_argsort(ecgt_tensor* t, int64_t dim, int descending, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(T(t).argsort(dim, descending != 0))
}
int ecgt_uniform_(ecgt_tensor* t, double low, double high) {
  ECGT_GUARD({
    at::NoGradGuard no_grad;
    T(t).uniform_(low, high);
  })
}
int ecgt_normal_(ecgt_tensor* t, double mean, double std) {
  ECGT_GUARD({
    at::NoGradGuard no_grad;
    T(t).normal_(mean, std);
  })
}

}  // extern "C"
