// Autograd: gradient requirements, backward passes, gradients and grad mode.
#include "common.h"

using ecgt::T;

extern "C" {

int ecgt_requires_grad_(ecgt_tensor* t, int requires_grad) { ECGT_GUARD(T(t).requires_grad_(requires_grad != 0)) }
int ecgt_requires_grad(ecgt_tensor* t, int* out) { ECGT_GUARD(*out = T(t).requires_grad() ? 1 : 0) }

int ecgt_backward(ecgt_tensor* t, ecgt_tensor* grad, int retain_graph) {
  ECGT_GUARD({
    at::Tensor g = grad != nullptr ? T(grad) : at::Tensor();
    T(t).backward(g, retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt);
  })
}

int ecgt_grad(ecgt_tensor* t, ecgt_tensor** out) {
  ECGT_GUARD({
    const at::Tensor& g = T(t).grad();
    *out = g.defined() ? ecgt::wrap(g) : nullptr;
  })
}

int ecgt_detach(ecgt_tensor* t, ecgt_tensor** out) { ECGT_RETURN_TENSOR(T(t).detach()) }

int ecgt_set_grad_enabled(int enabled) {
  const bool previous = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(enabled != 0);
  return previous ? 1 : 0;
}

int ecgt_is_grad_enabled(void) { return c10::GradMode::is_enabled() ? 1 : 0; }

}  // extern "C"
