// Precompiled: libtorch's headers are large and shared by every translation unit.
#pragma once
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <string>
#include <vector>
