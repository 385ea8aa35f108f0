// Views (sharing storage where torch does) and indexing.
#include "common.h"

using ecgt::T;

extern "C" {

int ecgt_reshape(ecgt_tensor* t, const int64_t* shape, int ndim, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(T(t).reshape(ecgt::dims(shape, ndim)))
}
int ecgt_permute(ecgt_tensor* t, const int64_t* order, int ndim, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(T(t).permute(ecgt::dims(order, ndim)))
}
int ecgt_transpose(ecgt_tensor* t, int64_t dim0, int64_t dim1, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(T(t).transpose(dim0, dim1))
}
int ecgt_narrow(ecgt_tensor* t, int64_t dim, int64_t start, int64_t length, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(T(t).narrow(dim, start, length))
}
int ecgt_select(ecgt_tensor* t, int64_t dim, int64_t index, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(T(t).select(dim, index))
}
int ecgt_unsqueeze(ecgt_tensor* t, int64_t dim, ecgt_tensor** out) { ECGT_RETURN_TENSOR(T(t).unsqueeze(dim)) }
int ecgt_squeeze(ecgt_tensor* t, int64_t dim, ecgt_tensor** out) { ECGT_RETURN_TENSOR(T(t).squeeze(dim)) }
int ecgt_flatten(ecgt_tensor* t, int64_t start_dim, int64_t end_dim, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(T(t).flatten(start_dim, end_dim))
}
int ecgt_expand(ecgt_tensor* t, const int64_t* shape, int ndim, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(T(t).expand(ecgt::dims(shape, ndim)))
}
int ecgt_index_select(ecgt_tensor* t, int64_t dim, ecgt_tensor* index, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(T(t).index_select(dim, T(index)))
}
int ecgt_gather(ecgt_tensor* t, int64_t dim, ecgt_tensor* index, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(T(t).gather(dim, T(index)))
}
int ecgt_cat(ecgt_tensor* const* tensors, int count, int64_t dim, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::cat(ecgt::list(tensors, count), dim))
}
int ecgt_stack(ecgt_tensor* const* tensors, int count, int64_t dim, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::stack(ecgt::list(tensors, count), dim))
}
int ecgt_masked_fill(ecgt_tensor* t, ecgt_tensor* mask, double value, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(T(t).masked_fill(T(mask), value))
}
int ecgt_where(ecgt_tensor* condition, ecgt_tensor* a, ecgt_tensor* b, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::where(T(condition), T(a), T(b)))
}

}  // extern "C"
