/* libecgtorch: a flat C ABI over libtorch, for the C# binding in EcgStream.Torch.
 *
 * Conventions
 * - Every function that can fail returns ECGT_OK (0) or ECGT_ERROR (-1); on error the message
 *   (libtorch's own, without its C++ backtrace) is available from ecgt_last_error() on the
 *   same thread until the next failing call. No C++ exception ever crosses this boundary.
 * - A tensor handle owns one at::Tensor. Results come back through `ecgt_tensor** out` as new
 *   handles that the caller frees with ecgt_free exactly once. Views share storage, as in torch.
 * - dtype codes are c10::ScalarType values: 0 uint8, 1 int8, 2 int16, 3 int32, 4 int64,
 *   5 float16, 6 float32, 7 float64, 11 bool, 15 bfloat16.
 * - Optional tensor arguments may be NULL.
 */
#ifndef ECGTORCH_H
#define ECGTORCH_H

#include <stdint.h>

#if defined(ECGT_BUILDING)
#define ECGT_API __attribute__((visibility("default")))
#else
#define ECGT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define ECGT_OK 0
#define ECGT_ERROR (-1)

typedef struct ecgt_tensor ecgt_tensor;

/* ---- library ---- */
ECGT_API const char* ecgt_last_error(void);
ECGT_API const char* ecgt_torch_version(void);
ECGT_API int ecgt_set_num_threads(int threads);
ECGT_API int ecgt_get_num_threads(void);

/* ---- tensors: lifetime, data in and out, metadata (tensor.cpp) ---- */
ECGT_API void ecgt_free(ecgt_tensor* t);
/* Copies `data` (dense, row-major, element type `dtype`) into a new tensor of `shape`. */
ECGT_API int ecgt_from_data(const void* data, const int64_t* shape, int ndim, int dtype, ecgt_tensor** out);
/* Copies the tensor's elements (row-major) into `dst`, which holds exactly `nbytes` bytes. */
ECGT_API int ecgt_copy_to(ecgt_tensor* t, void* dst, int64_t nbytes);
ECGT_API int ecgt_dtype(ecgt_tensor* t, int* out);
ECGT_API int ecgt_ndim(ecgt_tensor* t, int* out);
/* Writes min(ndim, capacity) sizes into `shape`. */
ECGT_API int ecgt_shape(ecgt_tensor* t, int64_t* shape, int capacity);
ECGT_API int ecgt_numel(ecgt_tensor* t, int64_t* out);
ECGT_API int ecgt_item(ecgt_tensor* t, double* out);
ECGT_API int ecgt_to_dtype(ecgt_tensor* t, int dtype, ecgt_tensor** out);
ECGT_API int ecgt_clone(ecgt_tensor* t, ecgt_tensor** out);
ECGT_API int ecgt_contiguous(ecgt_tensor* t, ecgt_tensor** out);
ECGT_API int ecgt_is_contiguous(ecgt_tensor* t, int* out);
/* Another handle to the same tensor (same autograd identity). */
ECGT_API int ecgt_alias(ecgt_tensor* t, ecgt_tensor** out);
ECGT_API int ecgt_zeros(const int64_t* shape, int ndim, int dtype, ecgt_tensor** out);
ECGT_API int ecgt_ones(const int64_t* shape, int ndim, int dtype, ecgt_tensor** out);
ECGT_API int ecgt_full(const int64_t* shape, int ndim, double value, int dtype, ecgt_tensor** out);
ECGT_API int ecgt_arange(double start, double end, double step, int dtype, ecgt_tensor** out);
ECGT_API int ecgt_zeros_like(ecgt_tensor* t, ecgt_tensor** out);
/* dst.copy_(src) without recording autograd history when grad mode is off. */
ECGT_API int ecgt_copy_(ecgt_tensor* dst, ecgt_tensor* src);
/* Replaces the data of `t` (keeping its identity, as Parameter.data = ... does). */
ECGT_API int ecgt_set_data(ecgt_tensor* t, ecgt_tensor* data);

/* ---- views and indexing (views.cpp) ---- */
ECGT_API int ecgt_reshape(ecgt_tensor* t, const int64_t* shape, int ndim, ecgt_tensor** out);
ECGT_API int ecgt_permute(ecgt_tensor* t, const int64_t* order, int ndim, ecgt_tensor** out);
ECGT_API int ecgt_transpose(ecgt_tensor* t, int64_t dim0, int64_t dim1, ecgt_tensor** out);
ECGT_API int ecgt_narrow(ecgt_tensor* t, int64_t dim, int64_t start, int64_t length, ecgt_tensor** out);
ECGT_API int ecgt_select(ecgt_tensor* t, int64_t dim, int64_t index, ecgt_tensor** out);
ECGT_API int ecgt_unsqueeze(ecgt_tensor* t, int64_t dim, ecgt_tensor** out);
ECGT_API int ecgt_squeeze(ecgt_tensor* t, int64_t dim, ecgt_tensor** out);
ECGT_API int ecgt_flatten(ecgt_tensor* t, int64_t start_dim, int64_t end_dim, ecgt_tensor** out);
ECGT_API int ecgt_expand(ecgt_tensor* t, const int64_t* shape, int ndim, ecgt_tensor** out);
ECGT_API int ecgt_index_select(ecgt_tensor* t, int64_t dim, ecgt_tensor* index, ecgt_tensor** out);
ECGT_API int ecgt_gather(ecgt_tensor* t, int64_t dim, ecgt_tensor* index, ecgt_tensor** out);
ECGT_API int ecgt_cat(ecgt_tensor* const* tensors, int count, int64_t dim, ecgt_tensor** out);
ECGT_API int ecgt_stack(ecgt_tensor* const* tensors, int count, int64_t dim, ecgt_tensor** out);
ECGT_API int ecgt_masked_fill(ecgt_tensor* t, ecgt_tensor* mask, double value, ecgt_tensor** out);
ECGT_API int ecgt_where(ecgt_tensor* condition, ecgt_tensor* a, ecgt_tensor* b, ecgt_tensor** out);

/* ---- arithmetic, comparisons, reductions, products (math.cpp) ---- */
typedef enum {
  ECGT_NEG = 0, ECGT_EXP, ECGT_LOG, ECGT_SQRT, ECGT_RSQRT, ECGT_ABS, ECGT_TANH, ECGT_SIGMOID,
  ECGT_RELU, ECGT_SIN, ECGT_COS, ECGT_SQUARE, ECGT_RECIPROCAL, ECGT_LOG1P, ECGT_LOGICAL_NOT
} ecgt_unary_op;
typedef enum {
  ECGT_ADD = 0, ECGT_SUB, ECGT_MUL, ECGT_DIV, ECGT_POW, ECGT_MAXIMUM, ECGT_MINIMUM,
  ECGT_EQ, ECGT_NE, ECGT_LT, ECGT_LE, ECGT_GT, ECGT_GE, ECGT_LOGICAL_AND, ECGT_LOGICAL_OR, ECGT_REMAINDER
} ecgt_binary_op;
typedef enum { ECGT_SUM = 0, ECGT_MEAN, ECGT_AMAX, ECGT_AMIN, ECGT_VAR, ECGT_STD, ECGT_NORM2 } ecgt_reduce_op;

ECGT_API int ecgt_unary(int op, ecgt_tensor* t, ecgt_tensor** out);
ECGT_API int ecgt_binary(int op, ecgt_tensor* a, ecgt_tensor* b, ecgt_tensor** out);
/* a (op) scalar; for ECGT_SUB/ECGT_DIV/ECGT_POW with `reversed` set: scalar (op) a. */
ECGT_API int ecgt_binary_scalar(int op, ecgt_tensor* a, double scalar, int reversed, ecgt_tensor** out);
/* In place: a (op)= b, for ADD/SUB/MUL/DIV; alpha scales b for ADD/SUB. */
ECGT_API int ecgt_binary_(int op, ecgt_tensor* a, ecgt_tensor* b, double alpha);
ECGT_API int ecgt_binary_scalar_(int op, ecgt_tensor* a, double scalar);
/* Reduces over `dims` (all dimensions when ndims == 0). VAR/STD are unbiased. */
ECGT_API int ecgt_reduce(int op, ecgt_tensor* t, const int64_t* dims, int ndims, int keepdim, ecgt_tensor** out);
ECGT_API int ecgt_max_dim(ecgt_tensor* t, int64_t dim, int keepdim, ecgt_tensor** values, ecgt_tensor** indices);
ECGT_API int ecgt_argmax(ecgt_tensor* t, int64_t dim, int keepdim, ecgt_tensor** out);
ECGT_API int ecgt_clamp(ecgt_tensor* t, double min, double max, ecgt_tensor** out);
ECGT_API int ecgt_matmul(ecgt_tensor* a, ecgt_tensor* b, ecgt_tensor** out);
ECGT_API int ecgt_bmm(ecgt_tensor* a, ecgt_tensor* b, ecgt_tensor** out);
ECGT_API int ecgt_linear(ecgt_tensor* x, ecgt_tensor* weight, ecgt_tensor* bias, ecgt_tensor** out);
ECGT_API int ecgt_allclose(ecgt_tensor* a, ecgt_tensor* b, double rtol, double atol, int* out);

/* ---- neural-network functions and losses (nn.cpp) ---- */
ECGT_API int ecgt_softmax(ecgt_tensor* t, int64_t dim, ecgt_tensor** out);
ECGT_API int ecgt_log_softmax(ecgt_tensor* t, int64_t dim, ecgt_tensor** out);
/* Normalises over the last `normalized_ndim` dimensions; weight and bias may be NULL. */
ECGT_API int ecgt_layer_norm(ecgt_tensor* x, int normalized_ndim, ecgt_tensor* weight, ecgt_tensor* bias, double eps, ecgt_tensor** out);
/* approximate: 0 exact (erf), 1 tanh. */
ECGT_API int ecgt_gelu(ecgt_tensor* x, int approximate, ecgt_tensor** out);
ECGT_API int ecgt_dropout(ecgt_tensor* x, double p, int train, ecgt_tensor** out);
ECGT_API int ecgt_embedding(ecgt_tensor* weight, ecgt_tensor* indices, int64_t padding_idx, ecgt_tensor** out);
ECGT_API int ecgt_conv1d(ecgt_tensor* x, ecgt_tensor* weight, ecgt_tensor* bias, int64_t stride, int64_t padding, int64_t dilation, int64_t groups, ecgt_tensor** out);
/* reduction: 0 none, 1 mean, 2 sum (at::Reduction). */
ECGT_API int ecgt_mse_loss(ecgt_tensor* input, ecgt_tensor* target, int reduction, ecgt_tensor** out);
ECGT_API int ecgt_cross_entropy(ecgt_tensor* logits, ecgt_tensor* target, ecgt_tensor* weight, int reduction, int64_t ignore_index, double label_smoothing, ecgt_tensor** out);
ECGT_API int ecgt_bce_with_logits(ecgt_tensor* logits, ecgt_tensor* target, ecgt_tensor* weight, ecgt_tensor* pos_weight, int reduction, ecgt_tensor** out);
/* at::kl_div (input holds log-probabilities); reduction 3 is batchmean (sum / batch size). */
ECGT_API int ecgt_kl_div(ecgt_tensor* input, ecgt_tensor* target, int reduction, int log_target, ecgt_tensor** out);

/* ---- autograd (autograd.cpp) ---- */
ECGT_API int ecgt_requires_grad_(ecgt_tensor* t, int requires_grad);
ECGT_API int ecgt_requires_grad(ecgt_tensor* t, int* out);
/* grad may be NULL for a scalar. */
ECGT_API int ecgt_backward(ecgt_tensor* t, ecgt_tensor* grad, int retain_graph);
/* *out is NULL when the tensor has no gradient. */
ECGT_API int ecgt_grad(ecgt_tensor* t, ecgt_tensor** out);
ECGT_API int ecgt_detach(ecgt_tensor* t, ecgt_tensor** out);
/* Sets this thread's grad mode and returns the previous one (1 enabled, 0 disabled). */
ECGT_API int ecgt_set_grad_enabled(int enabled);
ECGT_API int ecgt_is_grad_enabled(void);

/* ---- random numbers (random.cpp) ---- */
ECGT_API int ecgt_manual_seed(uint64_t seed);
ECGT_API int ecgt_rand(const int64_t* shape, int ndim, int dtype, ecgt_tensor** out);
ECGT_API int ecgt_randn(const int64_t* shape, int ndim, int dtype, ecgt_tensor** out);
ECGT_API int ecgt_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, ecgt_tensor** out);
ECGT_API int ecgt_randperm(int64_t n, ecgt_tensor** out);
ECGT_API int ecgt_argsort(ecgt_tensor* t, int64_t dim, int descending, ecgt_tensor** out);
ECGT_API int ecgt_uniform_(ecgt_tensor* t, double low, double high);
ECGT_API int ecgt_normal_(ecgt_tensor* t, double mean, double std);

/* ---- optimisers: one call updates a whole parameter list (optim.cpp) ---- */
/* Zeroes (or, with set_to_none, drops) the gradients of `params`. */
ECGT_API int ecgt_zero_grad(ecgt_tensor* const* params, int count, int set_to_none);
/* Decoupled-weight-decay Adam (Loshchilov & Hutter), PyTorch's AdamW arithmetic. `step` is
 * the 1-based step count after this update. Parameters without a gradient are skipped. */
ECGT_API int ecgt_adamw_step(ecgt_tensor* const* params, ecgt_tensor* const* exp_avg, ecgt_tensor* const* exp_avg_sq,
                             int count, int64_t step, double lr, double beta1, double beta2, double eps, double weight_decay);
/* SGD with optional momentum and L2 weight decay. When momentum != 0, `momentum_buffers` and
 * `started` hold one entry per parameter: a buffer starts as a copy of the parameter's first
 * update (as PyTorch's does) and `started[i]` is set to 1 then. Both may be NULL when momentum == 0. */
ECGT_API int ecgt_sgd_step(ecgt_tensor* const* params, ecgt_tensor* const* momentum_buffers, uint8_t* started, int count,
                           double lr, double momentum, double dampening, double weight_decay, int nesterov);
/* Scales gradients so their global L2 norm is at most max_norm; returns the norm before clipping. */
ECGT_API int ecgt_clip_grad_norm(ecgt_tensor* const* params, int count, double max_norm, double* total_norm);

#ifdef __cplusplus
}
#endif

#endif /* ECGTORCH_H */
