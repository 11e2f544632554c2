// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// One case per message of KernelAttr::verify (dialects/Kiln/KilnAttrs.cpp),
// plus the parser's own errors for the enum and struct syntax.

// expected-error @+1 {{kernel block must be >= 0, got -1}}
func.func @negative_block() attributes {k = #kiln.kernel<kind = direct_conv, layout = nhwc, block = -1, register_tile = [1, 1, 8, 32, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = false>} {
  return
}

// -----

// expected-error @+1 {{kernel lanes must be >= 1, got 0}}
func.func @zero_lanes() attributes {k = #kiln.kernel<kind = vector, layout = any, block = 0, register_tile = [1, 64], cache_tile = [], parallel_dims = [], lanes = 0, config = false>} {
  return
}

// -----

// expected-error @+1 {{kernel tile sizes must be >= 0, got -8}}
func.func @negative_register_tile() attributes {k = #kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [4, -8, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>} {
  return
}

// -----

// expected-error @+1 {{kernel tile sizes must be >= 0, got -2}}
func.func @negative_cache_tile() attributes {k = #kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [4, 8, 1], cache_tile = [0, 0, -2], parallel_dims = [], lanes = 8, config = false>} {
  return
}

// -----

// expected-error @+1 {{kernel cache_tile has 2 sizes but register_tile has 3}}
func.func @cache_tile_length() attributes {k = #kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [4, 8, 1], cache_tile = [0, 64], parallel_dims = [], lanes = 8, config = false>} {
  return
}

// -----

// expected-error @+1 {{kernel parallel dimension 3 is not a loop of its register tile}}
func.func @parallel_dim_too_large() attributes {k = #kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [4, 8, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>} {
  return
}

// -----

// expected-error @+1 {{kernel parallel dimension -1 is not a loop of its register tile}}
func.func @parallel_dim_negative() attributes {k = #kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [4, 8, 1], cache_tile = [], parallel_dims = [-1], lanes = 8, config = false>} {
  return
}

// -----

// Kernels without tiles (loops, view) have no loops to run in parallel.
// expected-error @+1 {{kernel parallel dimension 0 is not a loop of its register tile}}
func.func @parallel_dim_without_tile() attributes {k = #kiln.kernel<kind = loops, layout = nchw, block = 0, register_tile = [], cache_tile = [], parallel_dims = [0], lanes = 8, config = false>} {
  return
}

// -----

// expected-error @+2 {{expected ::kiln::KernelKind to be one of: direct_conv, conv1x1_gemm, pool, matmul, vector, loops, view}}
// expected-error @+1 {{failed to parse Kiln_KernelAttr parameter 'kind'}}
func.func @unknown_kind() attributes {k = #kiln.kernel<kind = winograd, layout = nhwc, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 8, config = false>} {
  return
}

// -----

// expected-error @+2 {{expected ::kiln::Layout to be one of: any, nchw, nhwc}}
// expected-error @+1 {{failed to parse Kiln_KernelAttr parameter 'layout'}}
func.func @unknown_layout() attributes {k = #kiln.kernel<kind = loops, layout = nchwc, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 8, config = false>} {
  return
}

// -----

// The struct syntax needs every parameter, in order.
// expected-error @+1 {{expected ','}}
func.func @target_missing_l2() attributes {t = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "", vector_bits = 512, vector_registers = 32, l1_bytes = 32768>} {
  return
}
