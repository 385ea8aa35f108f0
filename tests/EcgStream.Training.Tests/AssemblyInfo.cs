global using EcgStream.Tests;

// libtorch's generator, thread count and grad mode are process-wide: tests here run one at a time.
// The Torch* attributes are shared with the Torch tests (tests/SharedTorch).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
