// Optimiser steps over whole parameter lists: one call per step, not one per tensor. The
// arithmetic follows PyTorch 1.13's single-tensor AdamW and SGD and clip_grad_norm_ exactly,
// so results match a PyTorch run op for op.
#include "common.h"

#include <cmath>

using ecgt::T;

extern "C" {

int ecgt_zero_grad(ecgt_tensor* const* params, int count, int set_to_none) {
  ECGT_GUARD({
    at::NoGradGuard no_grad;
    for (int i = 0; i < count; ++i) {
      at::Tensor& g = T(params[i]).mutable_grad();
      if (!g.defined()) continue;
      if (set_to_none != 0) {
        g.reset();
      } else {
        if (g.grad_fn()) g = g.detach();
        g.zero_();
      }
    }
  })
}

int ecgt_adamw_step(ecgt_tensor* const* params, ecgt_tensor* const* exp_avg, ecgt_tensor* const* exp_avg_sq, int count,
                    int64_t step, double lr, double beta1, double beta2, double eps, double weight_decay) {
  ECGT_GUARD({
    if (step < 1) throw std::invalid_argument("AdamW step count must be >= 1, got " + std::to_string(step));
    at::NoGradGuard no_grad;
    const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(step));
    const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(beta2, static_cast<double>(step)));
    const double step_size = lr / bias_correction1;
    for (int i = 0; i < count; ++i) {
      at::Tensor& p = T(params[i]);
      const at::Tensor& grad = p.grad();
      if (!grad.defined()) continue;
      at::Tensor& m = T(exp_avg[i]);
      at::Tensor& v = T(exp_avg_sq[i]);
      p.mul_(1.0 - lr * weight_decay);
      m.mul_(beta1).add_(grad, 1.0 - beta1);
      v.mul_(beta2).addcmul_(grad, grad, 1.0 - beta2);
      at::Tensor denom = (v.sqrt() / bias_correction2_sqrt).add_(eps);
      p.addcdiv_(m, denom, -step_size);
    }
  })
}

int ecgt_sgd_step(ecgt_tensor* const* params, ecgt_tensor* const* momentum_buffers, uint8_t* started, int count, double lr,
                  double momentum, double dampening, double weight_decay, int nesterov) {
  ECGT_GUARD({
    if (momentum != 0.0 && (momentum_buffers == nullptr || started == nullptr))
      throw std::invalid_argument("SGD with momentum needs momentum buffers and their started flags");
    at::NoGradGuard no_grad;
    for (int i = 0; i < count; ++i) {
      at::Tensor& p = T(params[i]);
      const at::Tensor& grad = p.grad();
      if (!grad.defined()) continue;
      at::Tensor d_p = weight_decay != 0.0 ? grad.add(p, weight_decay) : grad;
      if (momentum != 0.0) {
        at::Tensor& buf = T(momentum_buffers[i]);
        if (started[i] == 0) {
          buf.copy_(d_p);
          started[i] = 1;
        } else {
          buf.mul_(momentum).add_(d_p, 1.0 - dampening);
        }
        d_p = nesterov != 0 ? d_p.add(buf, momentum) : buf;
      }
      p.add_(d_p, -lr);
    }
  })
}

int ecgt_clip_grad_norm(ecgt_tensor* const* params, int count, double max_norm, double* total_norm) {
  ECGT_GUARD({
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> grads;
    for (int i = 0; i < count; ++i) {
      const at::Tensor& g = T(params[i]).grad();
      if (g.defined()) grads.push_back(g);
    }
    if (grads.empty()) {
      *total_norm = 0.0;
      return ECGT_OK;
    }
    std::vector<at::Tensor> norms;
    norms.reserve(grads.size());
    for (const auto& g : grads) norms.push_back(at::norm(g, 2));
    at::Tensor total = at::norm(at::stack(norms), 2);
    at::Tensor coef = (max_norm / (total + 1e-6)).clamp_max(1.0);
    for (auto& g : grads) g.mul_(coef);
    *total_norm = total.item<double>();
  })
}

}  // extern "C"
