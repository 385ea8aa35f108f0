global using EcgStream.Tests;

// libtorch's generator, thread count and grad mode are process-wide: tests here run one at a time.
// The Torch* attributes live in tests/SharedTorch.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
