// Elementwise arithmetic, comparisons, reductions and matrix products.
#include "common.h"

#include <cmath>

using ecgt::T;

namespace {

at::Tensor unary(int op, const at::Tensor& x) {
  switch (op) {
    case ECGT_NEG: return x.neg();
    case ECGT_EXP: return x.exp();
    case ECGT_LOG: return x.log();
    case ECGT_SQRT: return x.sqrt();
    case ECGT_RSQRT: return x.rsqrt();
    case ECGT_ABS: return x.abs();
    case ECGT_TANH: return x.tanh();
    case ECGT_SIGMOID: return x.sigmoid();
    case ECGT_RELU: return x.relu();
    case ECGT_SIN: return x.sin();
    case ECGT_COS: return x.cos();
    case ECGT_SQUARE: return x.square();
    case ECGT_RECIPROCAL: return x.reciprocal();
    case ECGT_LOG1P: return x.log1p();
    case ECGT_LOGICAL_NOT: return x.logical_not();
    default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
  }
}

at::Tensor binary(int op, const at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case ECGT_ADD: return a.add(b);
    case ECGT_SUB: return a.sub(b);
    case ECGT_MUL: return a.mul(b);
    case ECGT_DIV: return a.div(b);
    case ECGT_POW: return a.pow(b);
    case ECGT_MAXIMUM: return a.maximum(b);
    case ECGT_MINIMUM: return a.minimum(b);
    case ECGT_EQ: return a.eq(b);
    case ECGT_NE: return a.ne(b);
    case ECGT_LT: return a.lt(b);
    case ECGT_LE: return a.le(b);
    case ECGT_GT: return a.gt(b);
    case ECGT_GE: return a.ge(b);
    case ECGT_LOGICAL_AND: return a.logical_and(b);
    case ECGT_LOGICAL_OR: return a.logical_or(b);
    case ECGT_REMAINDER: return a.remainder(b);
    default: throw std::invalid_argument("unknown binary op " + std::to_string(op));
  }
}

at::Tensor binary_scalar(int op, const at::Tensor& a, const at::Scalar& s, bool reversed) {
  switch (op) {
    case ECGT_ADD: return a.add(s);
    case ECGT_SUB: return reversed ? a.neg().add(s) : a.sub(s);
    case ECGT_MUL: return a.mul(s);
    case ECGT_DIV: return reversed ? a.reciprocal().mul(s) : a.div(s);
    case ECGT_POW: return reversed ? at::pow(s, a) : a.pow(s);
    case ECGT_MAXIMUM: return a.clamp_min(s);
    case ECGT_MINIMUM: return a.clamp_max(s);
    case ECGT_EQ: return a.eq(s);
    case ECGT_NE: return a.ne(s);
    case ECGT_LT: return reversed ? a.gt(s) : a.lt(s);
    case ECGT_LE: return reversed ? a.ge(s) : a.le(s);
    case ECGT_GT: return reversed ? a.lt(s) : a.gt(s);
    case ECGT_GE: return reversed ? a.le(s) : a.ge(s);
    case ECGT_REMAINDER:
      if (reversed) throw std::invalid_argument("scalar % tensor is not supported");
      return a.remainder(s);
    default: throw std::invalid_argument("unsupported scalar binary op " + std::to_string(op));
  }
}

// An integral-valued scalar applied to an integer tensor stays an integer, as in Python,
// so `long_tensor % 4` is int64 rather than promoted to float.
at::Scalar scalar_for(const at::Tensor& a, double value) {
  if (at::isIntegralType(a.scalar_type(), /*includeBool=*/true) && std::floor(value) == value &&
      std::fabs(value) < 9007199254740992.0)
    return at::Scalar(static_cast<int64_t>(value));
  return at::Scalar(value);
}

}  // namespace

extern "C" {

int ecgt_unary(int op, ecgt_tensor* t, ecgt_tensor** out) { ECGT_RETURN_TENSOR(unary(op, T(t))) }
int ecgt_binary(int op, ecgt_tensor* a, ecgt_tensor* b, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(binary(op, T(a), T(b)))
}
int ecgt_binary_scalar(int op, ecgt_tensor* a, double scalar, int reversed, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(binary_scalar(op, T(a), scalar_for(T(a), scalar), reversed != 0))
}

int ecgt_binary_(int op, ecgt_tensor* a, ecgt_tensor* b, double alpha) {
  ECGT_GUARD({
    switch (op) {
      case ECGT_ADD: T(a).add_(T(b), alpha); break;
      case ECGT_SUB: T(a).sub_(T(b), alpha); break;
      case ECGT_MUL: T(a).mul_(T(b)); break;
      case ECGT_DIV: T(a).div_(T(b)); break;
      default: throw std::invalid_argument("unsupported in-place op " + std::to_string(op));
    }
  })
}

int ecgt_binary_scalar_(int op, ecgt_tensor* a, double value) {
  ECGT_GUARD({
    const at::Scalar scalar = scalar_for(T(a), value);
    switch (op) {
      case ECGT_ADD: T(a).add_(scalar); break;
      case ECGT_SUB: T(a).sub_(scalar); break;
      case ECGT_MUL: T(a).mul_(scalar); break;
      case ECGT_DIV: T(a).div_(scalar); break;
      default: throw std::invalid_argument("unsupported in-place scalar op " + std::to_string(op));
    }
  })
}

int ecgt_reduce(int op, ecgt_tensor* t, const int64_t* dims, int ndims, int keepdim, ecgt_tensor** out) {
  ECGT_GUARD({
    const at::Tensor& x = T(t);
    const bool all = ndims == 0;
    const bool keep = keepdim != 0;
    at::IntArrayRef d = ecgt::dims(dims, ndims);
    at::Tensor r;
    switch (op) {
      case ECGT_SUM: r = all ? x.sum() : x.sum(d, keep); break;
      case ECGT_MEAN: r = all ? x.mean() : x.mean(d, keep); break;
      case ECGT_AMAX: r = x.amax(d, keep); break;  // amax over no dims reduces all
      case ECGT_AMIN: r = x.amin(d, keep); break;
      case ECGT_VAR: r = all ? x.var() : x.var(d, true, keep); break;
      case ECGT_STD: r = all ? x.std() : x.std(d, true, keep); break;
      case ECGT_NORM2: r = all ? at::norm(x) : at::norm(x, 2, d, keep); break;
      default: throw std::invalid_argument("unknown reduction " + std::to_string(op));
    }
    *out = ecgt::wrap(std::move(r));
  })
}

int ecgt_max_dim(ecgt_tensor* t, int64_t dim, int keepdim, ecgt_tensor** values, ecgt_tensor** indices) {
  ECGT_GUARD({
    auto r = T(t).max(dim, keepdim != 0);
    *values = ecgt::wrap(std::get<0>(r));
    *indices = ecgt::wrap(std::get<1>(r));
  })
}
int ecgt_argmax(ecgt_tensor* t, int64_t dim, int keepdim, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(T(t).argmax(dim, keepdim != 0))
}
int ecgt_clamp(ecgt_tensor* t, double min, double max, ecgt_tensor** out) { ECGT_RETURN_TENSOR(T(t).clamp(min, max)) }
int ecgt_matmul(ecgt_tensor* a, ecgt_tensor* b, ecgt_tensor** out) { ECGT_RETURN_TENSOR(T(a).matmul(T(b))) }
int ecgt_bmm(ecgt_tensor* a, ecgt_tensor* b, ecgt_tensor** out) { ECGT_RETURN_TENSOR(T(a).bmm(T(b))) }
int ecgt_linear(ecgt_tensor* x, ecgt_tensor* weight, ecgt_tensor* bias, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::linear(T(x), T(weight), ecgt::opt(bias)))
}
int ecgt_allclose(ecgt_tensor* a, ecgt_tensor* b, double rtol, double atol, int* out) {
  ECGT_GUARD(*out = at::allclose(T(a), T(b), rtol, atol) ? 1 : 0)
}

}  // extern "C"
