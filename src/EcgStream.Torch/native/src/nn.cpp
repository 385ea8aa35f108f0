// Neural-network functions and losses, as torch.nn.functional defines them.
#include "common.h"

using ecgt::T;

namespace {
int64_t reduction(int code) {
  if (code < 0 || code > 2) throw std::invalid_argument("reduction must be 0 (none), 1 (mean) or 2 (sum), got " + std::to_string(code));
  return code;
}
}  // namespace

extern "C" {

int ecgt_softmax(ecgt_tensor* t, int64_t dim, ecgt_tensor** out) { ECGT_RETURN_TENSOR(T(t).softmax(dim)) }
int ecgt_log_softmax(ecgt_tensor* t, int64_t dim, ecgt_tensor** out) { ECGT_RETURN_TENSOR(T(t).log_softmax(dim)) }

int ecgt_layer_norm(ecgt_tensor* x, int normalized_ndim, ecgt_tensor* weight, ecgt_tensor* bias, double eps, ecgt_tensor** out) {
  ECGT_GUARD({
    const at::Tensor& input = T(x);
    if (normalized_ndim < 1 || normalized_ndim > input.dim())
      throw std::invalid_argument("layer_norm over " + std::to_string(normalized_ndim) + " trailing dimensions of a " +
                                  std::to_string(input.dim()) + "-dimensional input");
    auto shape = input.sizes().slice(static_cast<size_t>(input.dim() - normalized_ndim));
    *out = ecgt::wrap(at::layer_norm(input, shape, ecgt::opt(weight), ecgt::opt(bias), eps));
  })
}

int ecgt_gelu(ecgt_tensor* x, int approximate, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::gelu(T(x), approximate != 0 ? "tanh" : "none"))
}

int ecgt_dropout(ecgt_tensor* x, double p, int train, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::dropout(T(x), p, train != 0))
}

int ecgt_embedding(ecgt_tensor* weight, ecgt_tensor* indices, int64_t padding_idx, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::embedding(T(weight), T(indices), padding_idx))
}

int ecgt_conv1d(ecgt_tensor* x, ecgt_tensor* weight, ecgt_tensor* bias, int64_t stride, int64_t padding, int64_t dilation,
                int64_t groups, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::conv1d(T(x), T(weight), ecgt::opt(bias), stride, padding, dilation, groups))
}

int ecgt_mse_loss(ecgt_tensor* input, ecgt_tensor* target, int reduction, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::mse_loss(T(input), T(target), ::reduction(reduction)))
}

int ecgt_cross_entropy(ecgt_tensor* logits, ecgt_tensor* target, ecgt_tensor* weight, int reduction, int64_t ignore_index,
                       double label_smoothing, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::cross_entropy_loss(T(logits), T(target), ecgt::opt(weight), ::reduction(reduction), ignore_index,
                                            label_smoothing))
}

int ecgt_bce_with_logits(ecgt_tensor* logits, ecgt_tensor* target, ecgt_tensor* weight, ecgt_tensor* pos_weight,
                         int reduction, ecgt_tensor** out) {
  ECGT_RETURN_TENSOR(at::binary_cross_entropy_with_logits(T(logits), T(target), ecgt::opt(weight), ecgt::opt(pos_weight),
                                                          ::reduction(reduction)))
}

int ecgt_kl_div(ecgt_tensor* input, ecgt_tensor* target, int reduction, int log_target, ecgt_tensor** out) {
  ECGT_GUARD({
    const at::Tensor& x = T(input);
    if (reduction == 3) {
      // batchmean: what the KL divergence means mathematically; torch computes it the same way.
      if (x.dim() == 0) throw std::invalid_argument("kl_div batchmean needs a batch dimension");
      *out = ecgt::wrap(at::kl_div(x, T(target), at::Reduction::Sum, log_target != 0).div(x.size(0)));
    } else {
      *out = ecgt::wrap(at::kl_div(x, T(target), ::reduction(reduction), log_target != 0));
    }
  })
}

}  // extern "C"
